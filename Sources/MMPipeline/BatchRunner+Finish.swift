import Foundation
import MMCore
import MMModel
import MMQueue
import MMReports

extension BatchRunner {
    /// Records how the run ended, checkpoints the WAL and writes the reports.
    func finish(runID: Int64, queue: SQLiteQueue, model: LoadedModel, stopError: (any Error)?) throws -> RunOutcome {
        let tally = self.tally ?? ResultTally(genres: model.model.genres)
        var counts = statistics.counts
        counts.done = tally.done
        counts.failed = tally.failed
        counts.dead = tally.dead
        statistics.addPhase("writeResults", seconds: tally.seconds)
        let failures = counts.failed + counts.dead
        let status: MMQueue.RunStatus
        if stopError != nil || statistics.inputProblem != nil {
            status = .failed
        } else if failures == 0 {
            status = .succeeded
        } else {
            status = counts.done > 0 ? .partial : .failed
        }
        var exitCode: ExitCode = failures > 0 ? .partial : .success
        var stopReason = stopError.map(describe)
        if let problem = statistics.inputProblem {
            // Bad input, not a few bad users: the whole catalogue is unusable.
            exitCode = .badInput
            stopReason = problem.text(in: .english)
        }
        if let known = stopError as? any MMError {
            exitCode = known.exitCode
        } else if stopError != nil {
            exitCode = .internalError
        }

        let end = Date()
        let record = try queue.run(id: runID)
        let start = record?.startedAt ?? end
        let usersPerSecond = Double(counts.done) / max(end.timeIntervalSince(start), 1e-9)
        let reportStart = monotonicSeconds()
        let builder = RunReportBuilder(queue: queue, modelGenres: model.model.genres, chineseNames: statistics.chineseGenreNames)
        var summary = try builder.summary(
            runID: runID, status: status, start: start, end: end, model: describeModel(model),
            statistics: statistics, tally: tally, usersPerSecond: usersPerSecond, stopReason: stopReason)

        try queue.finishRun(
            id: runID, status: status, counts: counts, endedAt: end,
            summaryJSON: String(decoding: summary.encodedJSON(), as: UTF8.self))
        try queue.checkpoint()
        Log.info(Message("pipeline.run.finished"), [
            "run": runID, "status": status.rawValue, "claimed": counts.claimed, "done": counts.done,
            "failed": counts.failed, "dead": counts.dead, "recovered": counts.recovered,
            "users_per_s": usersPerSecond, "peak_rss_bytes": SystemInfo.peakResidentBytes,
        ])

        let writer = ReportWriter(reportsDirectory: options.reportsDirectory, locale: options.locale, includeBOM: options.includeBOM)
        summary.phases.append(PhaseTiming("reports", seconds: monotonicSeconds() - reportStart))
        let reportURL = try builder.writeReports(summary, writer: writer, topK: options.topK)
        return RunOutcome(
            runID: runID, status: status, counts: counts, reportURL: reportURL, usersPerSecond: usersPerSecond,
            stopError: statistics.inputProblem?.text() ?? stopError.map(describe), exitCode: exitCode)
    }

    private func describeModel(_ model: LoadedModel) -> ModelDescription {
        ModelDescription(
            path: model.url.path, fingerprint: model.fingerprint, variant: model.model.variant.rawValue,
            metadata: summarizeMetadata(model.model.metadata))
    }
}

/// Model metadata for a report: every pair, except that the long `columns.*` lists are
/// shown as their column count.
func summarizeMetadata(_ metadata: [String: String]) -> [KeyValue] {
    metadata.sorted { $0.key < $1.key }.map { key, value in
        if key.hasPrefix("columns.") {
            let count = value.isEmpty ? 0 : value.split(separator: ",", omittingEmptySubsequences: false).count
            return KeyValue(key, "\(count) columns")
        }
        return KeyValue(key, value)
    }
}
