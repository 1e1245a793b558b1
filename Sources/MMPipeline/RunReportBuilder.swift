import Foundation
import MMCore
import MMQueue
import MMReports

/// Builds a run's report figures from its stored results, and writes its report files.
/// `mmbatch run` uses it when a run ends and `mmbatch report` to write them again.
struct RunReportBuilder {
    let queue: SQLiteQueue
    /// The model's classes in index order.
    let modelGenres: [String]
    /// Chinese names by genre name, from genres.csv.
    let chineseNames: [String: String]

    /// Bins of the top-1 probability and engagement histograms.
    static let histogramBins = 20
    /// Users whose top genre changed, listed by name in the comparison table.
    static let changedExamples = 20

    func summary(
        runID: Int64, status: MMQueue.RunStatus, start: Date, end: Date, model: ModelDescription,
        statistics: RunStatistics, usersPerSecond: Double, stopReason: String?
    ) throws -> RunSummary {
        let genreIndex = Dictionary(modelGenres.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        var topCounts = [Int](repeating: 0, count: modelGenres.count)
        var topSums = [Double](repeating: 0, count: modelGenres.count)
        var topProbabilities: [Float] = []
        var engagements: [Float] = []
        try queue.forEachResult(runID: runID) { result in
            if let index = genreIndex[result.topGenre] {
                topCounts[index] += 1
                topSums[index] += Double(result.topProbability)
            }
            topProbabilities.append(result.topProbability)
            engagements.append(result.engagement)
        }

        let counts = statistics.counts
        return RunSummary(
            runID: runID, label: UTCTime(start).compact, status: reportStatus(status), start: start, end: end,
            model: model, stores: statistics.stores,
            counts: MMReports.RunCounts(
                claimed: counts.claimed, succeeded: counts.done, failed: counts.failed, dead: counts.dead,
                recovered: counts.recovered, usersWithMissingTracks: statistics.usersWithMissingTracks,
                tracksMissing: statistics.tracksMissing, usersWithoutTracks: statistics.usersWithoutTracks),
            phases: statistics.phases.map { PhaseTiming($0.name, seconds: $0.seconds) },
            usersPerSecond: usersPerSecond,
            genres: modelGenres.map { GenreName($0, chinese: chineseNames[$0] ?? $0) },
            topGenreCounts: topCounts,
            meanTopProbability: zip(topSums, topCounts).map { $1 > 0 ? $0 / Double($1) : nil },
            topProbabilityHistogram: Histogram(binning: topProbabilities, bins: Self.histogramBins, lowerBound: 0, upperBound: 1),
            engagementHistogram: Histogram(binning: engagements, bins: Self.histogramBins, lowerBound: 0, upperBound: 1),
            failures: statistics.failures,
            comparison: try comparison(runID: runID, genreIndex: genreIndex),
            stopReason: stopReason)
    }

    private func comparison(runID: Int64, genreIndex: [String: Int]) throws -> MMReports.RunComparison? {
        guard let stored = try queue.compareWithPrevious(runID: runID) else { return nil }
        var previous = [Int](repeating: 0, count: modelGenres.count)
        var current = [Int](repeating: 0, count: modelGenres.count)
        for row in stored.genres {
            guard let index = genreIndex[row.genre] else { continue }
            previous[index] = row.previous
            current[index] = row.current
        }
        return MMReports.RunComparison(
            previousRunID: stored.previousRunID, previousTopGenreCounts: previous, currentTopGenreCounts: current,
            usersInBoth: stored.commonUsers, usersWithChangedTopGenre: stored.changedTopGenre)
    }

    /// Writes the run's folder (recommendations streamed from the database) and the
    /// index of every run, and returns the URL of the run's page.
    func writeReports(_ summary: RunSummary, writer: ReportWriter, topK: Int) throws -> URL {
        let page = try writer.writeRun(summary, topK: topK) { stream in
            try queue.forEachResult(runID: summary.runID) { result in
                for row in recommendationRows(result, topK: topK) {
                    try stream.append(row)
                }
            }
        }
        try writer.writeIndex(runs: writer.listRuns())
        return page
    }

    private func reportStatus(_ status: MMQueue.RunStatus) -> MMReports.RunStatus {
        switch status {
        case .succeeded: .succeeded
        case .partial: .partial
        case .failed, .running, .abandoned: .failed
        }
    }
}
