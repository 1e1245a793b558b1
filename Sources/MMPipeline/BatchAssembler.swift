import MMCore
import MMFeatures
import MMModel

/// A user of a batch that has an input, with the data-quality facts of that input.
struct AssembledUser {
    /// The user's position in the list given to `assemble`.
    let position: Int
    let droppedTracks: Int
    let noTracks: Bool
}

/// A user whose input cannot be built, by position in the list given to `assemble`.
struct MissingInput {
    let position: Int
    let reason: String
}

/// Packs the inputs of a list of users into one `ModelBatch`.
///
/// Each distinct track is copied once per batch, however many users of the batch played
/// it, so the attention variant computes its tokens once. One assembler serves one
/// worker: its buffers are reused from batch to batch.
final class BatchAssembler {
    private let inputs: ModelInputs
    private let catalogue: Catalogue
    private let maxTracks: Int
    private(set) var batch = ModelBatch()
    /// The users in the batch, in batch order.
    private(set) var members: [AssembledUser] = []
    /// Users without an input (no history row), who are not in the batch.
    private(set) var missing: [MissingInput] = []
    private var slotOfTrack: [Int: Int32] = [:]

    init(inputs: ModelInputs, catalogue: Catalogue, maxTracks: Int) {
        self.inputs = inputs
        self.catalogue = catalogue
        self.maxTracks = inputs.trackModalities.isEmpty ? 0 : maxTracks
    }

    /// Builds the batch for `userIDs`.
    func assemble<UserIDs: Collection<String>>(_ userIDs: UserIDs) {
        reset()
        for (position, userID) in userIDs.enumerated() {
            switch catalogue.userInput(for: userID, maxTracks: maxTracks, modalities: inputs.trackModalities) {
            case .failure(let failure):
                missing.append(MissingInput(position: position, reason: failure.message.text(in: .english)))
            case .success(let input):
                append(input)
                members.append(AssembledUser(
                    position: position, droppedTracks: input.droppedTracks, noTracks: input.hasNoUsableTracks))
            }
        }
    }

    private func reset() {
        batch.userCount = 0
        batch.text.removeAll(keepingCapacity: true)
        batch.trackCount = 0
        batch.covers.removeAll(keepingCapacity: true)
        batch.clips.removeAll(keepingCapacity: true)
        batch.trackOffsets.removeAll(keepingCapacity: true)
        batch.trackOffsets.append(0)
        batch.trackIndices.removeAll(keepingCapacity: true)
        batch.plays.removeAll(keepingCapacity: true)
        members.removeAll(keepingCapacity: true)
        missing.removeAll(keepingCapacity: true)
        slotOfTrack.removeAll(keepingCapacity: true)
    }

    private func append(_ input: UserInput) {
        batch.text.append(contentsOf: inputs.history.vector(at: input.historyRow))
        for track in input.tracks {
            // A track id has one row per store, so either row number identifies it.
            guard let key = track.coverRow ?? track.clipRow else { continue }
            let slot: Int32
            if let known = slotOfTrack[key] {
                slot = known
            } else {
                slot = Int32(batch.trackCount)
                slotOfTrack[key] = slot
                batch.trackCount += 1
                if let covers = inputs.covers, let row = track.coverRow {
                    batch.covers.append(contentsOf: covers.vector(at: row))
                }
                if let clips = inputs.clips, let row = track.clipRow {
                    batch.clips.append(contentsOf: clips.vector(at: row))
                }
            }
            batch.trackIndices.append(slot)
            batch.plays.append(Float(track.plays))
        }
        batch.userCount += 1
        batch.trackOffsets.append(Int32(batch.trackIndices.count))
    }
}
