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

extension Catalogue {
    /// Assembles a user's input: the history row and the `maxTracks` most played tracks
    /// that have rows in every store of `modalities` (nil: the modalities this catalogue
    /// has). Tracks missing from a required store are dropped and counted before the
    /// tracks are chosen. Requiring a modality the catalogue lacks drops every track.
    public func userInput(for userID: String, maxTracks: Int = 32, modalities: TrackModalities? = nil) -> UserInputResult {
        precondition(maxTracks >= 0, "maxTracks must not be negative, got \(maxTracks)")
        guard let historyRow = history.row(of: userID) else {
            return .failure(.missingHistory(userID: userID, path: history.url.path))
        }
        let required = modalities ?? availableModalities
        guard let user = listens.userIndex(of: userID) else {
            return .success(UserInput(userID: userID, historyRow: historyRow, tracks: [], listenCount: 0, droppedTracks: 0))
        }

        struct Candidate {
            var track: Int
            var plays: Int
            var coverRow: Int?
            var clipRow: Int?
        }
        let range = listens.listenRange(ofUser: user)
        var candidates: [Candidate] = []
        candidates.reserveCapacity(range.count)
        var dropped = 0
        for listen in range {
            let track = Int(listens.trackIndices[listen])
            guard track < listens.trackCount else {
                dropped += 1
                continue
            }
            let key = listens.tracks.bytes(at: track)
            let coverRow = covers?.row(ofBytes: key)
            let clipRow = clips?.row(ofBytes: key)
            if (required.contains(.covers) && coverRow == nil) || (required.contains(.clips) && clipRow == nil) {
                dropped += 1
                continue
            }
            candidates.append(Candidate(track: track, plays: Int(listens.plays[listen]), coverRow: coverRow, clipRow: clipRow))
        }

        let tracks = listens.tracks
        candidates.sort { left, right in
            if left.plays != right.plays {
                return left.plays > right.plays
            }
            return Self.precedes(tracks.bytes(at: left.track), tracks.bytes(at: right.track))
        }
        let chosen = candidates.prefix(maxTracks).map { candidate in
            UserTrack(trackID: tracks.string(at: candidate.track), plays: candidate.plays,
                      coverRow: candidate.coverRow, clipRow: candidate.clipRow)
        }
        return .success(UserInput(
            userID: userID, historyRow: historyRow, tracks: chosen, listenCount: range.count, droppedTracks: dropped))
    }

    /// Byte-wise lexicographic order of UTF-8, which is code-point order.
    private static func precedes(_ left: UnsafeBufferPointer<UInt8>, _ right: UnsafeBufferPointer<UInt8>) -> Bool {
        let common = min(left.count, right.count)
        if common > 0 {
            let order = memcmp(left.baseAddress!, right.baseAddress!, common)
            if order != 0 {
                return order < 0
            }
        }
        return left.count < right.count
    }
}
