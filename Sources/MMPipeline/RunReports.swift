import Foundation
import MMCore
import MMQueue
import MMReports

/// `mmbatch report RUN_ID`: writes a run's report files again from the database, for
/// example in another language or after the reports folder was lost.
public struct RunReports: Sendable {
    public let databasePath: String
    public let reportsDirectory: URL

    public init(databasePath: String, reportsDirectory: URL) {
        self.databasePath = databasePath
        self.reportsDirectory = reportsDirectory
    }

    /// Writes the run's folder and the index, and returns the URL of the run's page.
    ///
    /// A finished run stored its summary when it ended. A run killed before that has
    /// none, so its page is built from the runs table and its stored results, without
    /// timings and data-quality figures.
    public func regenerate(runID: Int64, locale: AppLocale, topK: Int, includeBOM: Bool) throws -> URL {
        try requireDatabase(databasePath)
        let queue = try SQLiteQueue(path: databasePath)
        guard let record = try queue.run(id: runID) else {
            throw PipelineError.unknownRun(id: runID)
        }
        var summary: RunSummary
        if let stored = try? RunSummary.decode(json: Data(record.summaryJSON.utf8)) {
            summary = stored
        } else {
            summary = try rebuildSummary(record, queue: queue)
        }
        summary.runID = runID
        var stored = 0
        try queue.forEachResult(runID: runID) { _ in stored += 1 }
        if stored < summary.counts.succeeded {
            throw PipelineError.resultsPruned(run: runID, stored: stored, scored: summary.counts.succeeded)
        }

        let chinese = Dictionary(summary.genres.map { ($0.name, $0.chineseName) }, uniquingKeysWith: { first, _ in first })
        let builder = RunReportBuilder(queue: queue, modelGenres: summary.genres.map(\.name), chineseNames: chinese)
        let writer = ReportWriter(reportsDirectory: reportsDirectory, locale: locale, includeBOM: includeBOM)
        return try builder.writeReports(summary, writer: writer, topK: topK)
    }

    private func rebuildSummary(_ record: RunRecord, queue: SQLiteQueue) throws -> RunSummary {
        var genres: [String] = []
        var seen = Set<String>()
        try queue.forEachResult(runID: record.id) { result in
            guard genres.isEmpty else { return }
            for entry in result.ranked where seen.insert(entry.genre).inserted {
                genres.append(entry.genre)
            }
        }
        var statistics = RunStatistics()
        statistics.counts = record.counts
        let builder = RunReportBuilder(queue: queue, modelGenres: genres.sorted(), chineseNames: [:])
        let tally = try builder.tallyFromDatabase(runID: record.id, counts: record.counts)
        let end = record.endedAt ?? Date()
        return try builder.summary(
            runID: record.id, status: record.status, start: record.startedAt, end: end,
            model: ModelDescription(path: record.modelPath, fingerprint: record.modelFingerprint, variant: "-"),
            statistics: statistics, tally: tally,
            usersPerSecond: Double(record.counts.done) / max(end.timeIntervalSince(record.startedAt), 1e-9),
            stopReason: nil)
    }
}
