import MMCore
import MMQueue
import MMReports

/// Counts and timings of a run's claim loop, for its summary and reports. The result
/// writer counts the rest (`ResultTally`).
struct RunStatistics {
    var counts = MMQueue.RunCounts()
    /// Seconds per phase, in the order phases first appeared.
    private(set) var phases: [(name: String, seconds: Double)] = []
    var stores: [FeatureStoreDescription] = []
    var chineseGenreNames: [String: String] = [:]
    /// The problem that made the catalogue unusable for this run, if any.
    var inputProblem: Message?

    mutating func addPhase(_ name: String, seconds: Double) {
        if let index = phases.firstIndex(where: { $0.name == name }) {
            phases[index].seconds += seconds
        } else {
            phases.append((name, seconds))
        }
    }
}
