import MMQueue
import MMReports

/// What a run counts and times while it works, for its summary and reports.
struct RunStatistics {
    var counts = MMQueue.RunCounts()
    var usersWithMissingTracks = 0
    var tracksMissing = 0
    var usersWithoutTracks = 0
    /// Seconds per phase, in the order phases first appeared.
    private(set) var phases: [(name: String, seconds: Double)] = []
    var failures: [FailureRecord] = []
    var stores: [FeatureStoreDescription] = []
    var chineseGenreNames: [String: String] = [:]

    mutating func addPhase(_ name: String, seconds: Double) {
        if let index = phases.firstIndex(where: { $0.name == name }) {
            phases[index].seconds += seconds
        } else {
            phases.append((name, seconds))
        }
    }

    mutating func noteInputQuality(droppedTracks: Int, noTracks: Bool) {
        if droppedTracks > 0 {
            usersWithMissingTracks += 1
            tracksMissing += droppedTracks
        }
        if noTracks {
            usersWithoutTracks += 1
        }
    }

    mutating func noteFailure(userID: String, state: JobState, reason: String, attempts: Int) {
        switch state {
        case .dead:
            counts.dead += 1
            failures.append(FailureRecord(userID: userID, state: .dead, reason: reason, attempts: attempts))
        case .failed:
            counts.failed += 1
            failures.append(FailureRecord(userID: userID, state: .failed, reason: reason, attempts: attempts))
        default:
            break
        }
    }
}
