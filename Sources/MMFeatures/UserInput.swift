import Foundation
import MMCore

/// One of a user's chosen tracks with its rows in the track stores.
public struct UserTrack: Sendable, Equatable {
    public let trackID: String
    public let plays: Int
    /// Row in `covers`, nil when the catalogue has no covers (or the track is missing
    /// from covers and covers are not required).
    public let coverRow: Int?
    public let clipRow: Int?

    public init(trackID: String, plays: Int, coverRow: Int?, clipRow: Int?) {
        self.trackID = trackID
        self.plays = plays
        self.coverRow = coverRow
        self.clipRow = clipRow
    }
}

/// A user's multimodal input: where the history row is and which tracks to pool.
public struct UserInput: Sendable, Equatable {
    public let userID: String
    public let historyRow: Int
    /// At most `maxTracks` tracks, most played first, ties by track id in ascending
    /// code-point order; every one has a row in each required store.
    public let tracks: [UserTrack]
    /// The user's rows in listens.csv (after duplicates were dropped).
    public let listenCount: Int
    /// Listens whose track lacks a row in a required store, dropped before the tracks
    /// were chosen.
    public let droppedTracks: Int

    /// True when no track is left: the model then uses zero vectors for covers and clips.
    public var hasNoUsableTracks: Bool { tracks.isEmpty }
}

/// The reason a user has no input.
public enum UserInputFailure: MMError, Equatable {
    /// The user has no row in history.csv, which anchors every input.
    case missingHistory(userID: String, path: String)

    public var message: Message {
        switch self {
        case .missingHistory(let userID, let path):
            Message("features.user.missingHistory", ["user": userID, "path": path])
        }
    }

    public var exitCode: ExitCode { .badInput }
}

public typealias UserInputResult = Result<UserInput, UserInputFailure>

/// One chosen track as row numbers, for packing model input without allocating.
public struct TrackRow: Sendable, Equatable {
    /// Row in covers.csv, -1 when covers are not required and lack the track.
    public var coverRow: Int32
    /// Row in clips.csv, -1 when clips are not required and lack the track.
    public var clipRow: Int32
    public var plays: Int32
}

extension Catalogue {
    /// Assembles a user's input: the history row and the `maxTracks` most played tracks
    /// that have rows in every store of `modalities` (nil: the modalities this catalogue
    /// has). Tracks missing from a required store are dropped and counted before the
    /// tracks are chosen. Requiring a modality the catalogue lacks drops every track.
    public func userInput(for userID: String, maxTracks: Int = 32, modalities: TrackModalities? = nil) -> UserInputResult {
        var rows: [TrackRow] = []
        var tracks: [Int] = []
        switch chooseTracks(for: userID, maxTracks: maxTracks, modalities: modalities, rows: &rows, tracks: &tracks) {
        case .failure(let failure):
            return .failure(failure)
        case .success(let choice):
            let chosen = zip(rows, tracks).map { row, track in
                UserTrack(
                    trackID: listens.tracks.string(at: track), plays: Int(row.plays),
                    coverRow: row.coverRow >= 0 ? Int(row.coverRow) : nil,
                    clipRow: row.clipRow >= 0 ? Int(row.clipRow) : nil)
            }
            return .success(UserInput(
                userID: userID, historyRow: choice.historyRow, tracks: chosen, listenCount: choice.listenCount,
                droppedTracks: choice.droppedTracks))
        }
    }

    /// Chooses a user's input as `userInput` does and writes the track rows into `rows`,
    /// which the caller reuses from call to call, so no track id is allocated. A nightly
    /// run packs its batches from these rows.
    public func userInputRows(
        for userID: String, maxTracks: Int, modalities: TrackModalities? = nil, into rows: inout [TrackRow]
    ) -> Result<UserInputRows, UserInputFailure> {
        var tracks: [Int] = []
        return chooseTracks(for: userID, maxTracks: maxTracks, modalities: modalities, rows: &rows, tracks: &tracks)
    }

    /// Chooses a user's tracks into `rows` (and their listens track indices into
    /// `tracks`): most played first, ties by track id in ascending code-point order.
    private func chooseTracks(
        for userID: String, maxTracks: Int, modalities: TrackModalities?, rows: inout [TrackRow], tracks: inout [Int]
    ) -> Result<UserInputRows, UserInputFailure> {
        precondition(maxTracks >= 0, "maxTracks must not be negative, got \(maxTracks)")
        rows.removeAll(keepingCapacity: true)
        tracks.removeAll(keepingCapacity: true)
        guard let historyRow = history.row(of: userID) else {
            return .failure(.missingHistory(userID: userID, path: history.url.path))
        }
        let required = modalities ?? availableModalities
        guard let user = listens.userIndex(of: userID) else {
            return .success(UserInputRows(historyRow: historyRow, listenCount: 0, droppedTracks: 0))
        }

        let range = listens.listenRange(ofUser: user)
        let needsCovers = required.contains(.covers)
        let needsClips = required.contains(.clips)
        let trackCount = listens.trackCount
        var dropped = 0
        trackRows.coverRows.withUnsafeBufferPointer { coverRows in
            trackRows.clipRows.withUnsafeBufferPointer { clipRows in
                for listen in range {
                    let track = Int(listens.trackIndices[listen])
                    // A damaged payload could hold an index out of range; drop it, never trap.
                    guard track < trackCount else {
                        dropped += 1
                        continue
                    }
                    let cover = coverRows[track]
                    let clip = clipRows[track]
                    if (needsCovers && cover < 0) || (needsClips && clip < 0) {
                        dropped += 1
                        continue
                    }
                    rows.append(TrackRow(coverRow: cover, clipRow: clip, plays: Int32(clamping: listens.plays[listen])))
                    tracks.append(track)
                }
            }
        }
        selectMostPlayed(maxTracks, rows: &rows, tracks: &tracks)
        return .success(UserInputRows(historyRow: historyRow, listenCount: range.count, droppedTracks: dropped))
    }

    /// Keeps the `count` most played of the candidates, ties by track id rank.
    private func selectMostPlayed(_ count: Int, rows: inout [TrackRow], tracks: inout [Int]) {
        let ranks = trackRows.idRanks
        var order = Array(rows.indices)
        order.sort { left, right in
            if rows[left].plays != rows[right].plays {
                return rows[left].plays > rows[right].plays
            }
            return ranks[tracks[left]] < ranks[tracks[right]]
        }
        let chosen = order.prefix(count)
        let keptRows = chosen.map { rows[$0] }
        let keptTracks = chosen.map { tracks[$0] }
        rows.removeAll(keepingCapacity: true)
        rows.append(contentsOf: keptRows)
        tracks.removeAll(keepingCapacity: true)
        tracks.append(contentsOf: keptTracks)
    }
}

/// The location of a user's input apart from its track rows.
public struct UserInputRows: Sendable, Equatable {
    public let historyRow: Int
    /// The user's rows in listens.csv (after duplicates were dropped).
    public let listenCount: Int
    /// Listens whose track lacks a row in a required store, dropped before the tracks
    /// were chosen.
    public let droppedTracks: Int
}
