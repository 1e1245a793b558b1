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
    private var trackRows: [TrackRow] = []
    /// The batch slot of each track by its row in the key store (covers, else clips),
    /// valid where `slotBatch` equals the current batch number. Stamping avoids clearing
    /// a million-entry table for every batch.
    private var slotOfTrack: [Int32] = []
    private var slotBatch: [UInt32] = []
    private var batchNumber: UInt32 = 0

    /// Leave track rows in the stores instead of copying them into the batch. Only the
    /// concat variant's inference can read them in place; training and attention need
    /// them packed.
    private let rowsInPlace: Bool

    init(inputs: ModelInputs, catalogue: Catalogue, maxTracks: Int, rowsInPlace: Bool = false) {
        self.inputs = inputs
        self.catalogue = catalogue
        self.maxTracks = inputs.trackModalities.isEmpty ? 0 : maxTracks
        self.rowsInPlace = rowsInPlace
        let keyRows = inputs.covers?.count ?? inputs.clips?.count ?? 0
        slotOfTrack = [Int32](repeating: 0, count: keyRows)
        slotBatch = [UInt32](repeating: 0, count: keyRows)
    }

    /// Builds the batch for `userIDs`.
    func assemble<UserIDs: Collection<String>>(_ userIDs: UserIDs) {
        reset()
        for (position, userID) in userIDs.enumerated() {
            let result = catalogue.userInputRows(
                for: userID, maxTracks: maxTracks, modalities: inputs.trackModalities, into: &trackRows)
            switch result {
            case .failure(let failure):
                missing.append(MissingInput(position: position, reason: failure.message.text(in: .english)))
            case .success(let input):
                append(historyRow: input.historyRow)
                members.append(AssembledUser(
                    position: position, droppedTracks: input.droppedTracks, noTracks: trackRows.isEmpty))
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
        batch.clipIndices.removeAll(keepingCapacity: true)
        if rowsInPlace {
            batch.externalCovers = inputs.covers.map { ExternalRows(base: $0.matrix.baseAddress!, rowCount: $0.count) }
            batch.externalClips = inputs.clips.map { ExternalRows(base: $0.matrix.baseAddress!, rowCount: $0.count) }
        }
        batch.plays.removeAll(keepingCapacity: true)
        members.removeAll(keepingCapacity: true)
        missing.removeAll(keepingCapacity: true)
        batchNumber &+= 1
        if batchNumber == 0 {
            // The stamp wrapped around: clear the table once so no stale slot matches.
            slotBatch = [UInt32](repeating: 0, count: slotBatch.count)
            batchNumber = 1
        }
    }

    private func append(historyRow: Int) {
        batch.text.append(contentsOf: inputs.history.vector(at: historyRow))
        if rowsInPlace {
            for track in trackRows {
                batch.trackIndices.append(inputs.covers == nil ? 0 : track.coverRow)
                batch.clipIndices.append(inputs.clips == nil ? 0 : track.clipRow)
                batch.plays.append(Float(track.plays))
            }
            batch.userCount += 1
            batch.trackOffsets.append(Int32(batch.trackIndices.count))
            return
        }
        for track in trackRows {
            // A track id has one row per store. The row in the first required store
            // (covers, else clips) identifies it, because every chosen track has one.
            let key = Int(inputs.covers != nil ? track.coverRow : track.clipRow)
            guard key >= 0 else { continue }
            let slot: Int32
            if slotBatch[key] == batchNumber {
                slot = slotOfTrack[key]
            } else {
                slot = Int32(batch.trackCount)
                slotOfTrack[key] = slot
                slotBatch[key] = batchNumber
                batch.trackCount += 1
                if let covers = inputs.covers, track.coverRow >= 0 {
                    batch.covers.append(contentsOf: covers.vector(at: Int(track.coverRow)))
                }
                if let clips = inputs.clips, track.clipRow >= 0 {
                    batch.clips.append(contentsOf: clips.vector(at: Int(track.clipRow)))
                }
            }
            batch.trackIndices.append(slot)
            batch.plays.append(Float(track.plays))
        }
        batch.userCount += 1
        batch.trackOffsets.append(Int32(batch.trackIndices.count))
    }
}
