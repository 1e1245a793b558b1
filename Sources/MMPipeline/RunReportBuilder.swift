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

    func summary(
        runID: Int64, status: MMQueue.RunStatus, start: Date, end: Date, model: ModelDescription,
        statistics: RunStatistics, tally: ResultTally, usersPerSecond: Double, stopReason: String?
    ) throws -> RunSummary {
        let counts = statistics.counts
        return RunSummary(
            runID: runID, label: UTCTime(start).compact, status: reportStatus(status), start: start, end: end,
            model: model, stores: statistics.stores,
            counts: MMReports.RunCounts(
                claimed: counts.claimed, succeeded: tally.done, failed: tally.failed, dead: tally.dead,
                recovered: counts.recovered, usersWithMissingTracks: tally.usersWithMissingTracks,
                tracksMissing: tally.tracksMissing, usersWithoutTracks: tally.usersWithoutTracks),
            phases: statistics.phases.map { PhaseTiming($0.name, seconds: $0.seconds) },
            usersPerSecond: usersPerSecond,
            genres: modelGenres.map { GenreName($0, chinese: chineseNames[$0] ?? $0) },
            topGenreCounts: tally.topGenreCounts,
            meanTopProbability: zip(tally.topProbabilitySums, tally.topGenreCounts).map { $1 > 0 ? $0 / Double($1) : nil },
            topProbabilityHistogram: Histogram(
                binning: tally.topProbabilities, bins: Self.histogramBins, lowerBound: 0, upperBound: 1),
            engagementHistogram: Histogram(binning: tally.engagements, bins: Self.histogramBins, lowerBound: 0, upperBound: 1),
            failures: tally.failures,
            comparison: try comparison(runID: runID, genreIndex: tally.genreIndex),
            stopReason: stopReason)
    }

    /// Counts a run's stored results, for a run that stored no summary.
    func tallyFromDatabase(runID: Int64, counts: MMQueue.RunCounts) throws -> ResultTally {
        var tally = ResultTally(genres: modelGenres)
        try queue.forEachResult(runID: runID) { result in
            tally.noteWritten(UserResult(
                jobID: result.jobID, userID: result.userID, ranked: result.ranked, engagement: result.engagement,
                noTracks: result.noTracks, missingTracks: result.missingTracks))
        }
        tally.failed = counts.failed
        tally.dead = counts.dead
        return tally
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
