import Foundation
import MMCore
import MMFeatures
import MMPipelineTestSupport
import MMQueue
import MMTestSupport
import Testing

@testable import MMPipeline

/// Runs of the whole batch on generated catalogues, in this process. The suite is
/// serialized because a run sets OpenBLAS's process-wide thread count.
@Suite(.serialized) struct BatchRunnerTests {
    @Test func runScoresEveryUser() throws {
        let fixture = try CatalogueFixture("run")
        _ = try QueueOperations(databasePath: fixture.database).enqueue(userIDs: fixture.userIDs, priority: 0, runAfter: nil)

        let outcome = try BatchRunner(options: fixture.runOptions()).run()

        #expect(outcome.exitCode == .success)
        #expect(outcome.status == .succeeded)
        #expect(outcome.counts.claimed == 100)
        #expect(outcome.counts.done == 100)
        let queue = try SQLiteQueue(path: fixture.database)
        #expect(try queue.counts()[.done] == 100)
        let results = try queue.results(runID: outcome.runID)
        #expect(results.count == 100)
        #expect(results.allSatisfy { $0.ranked.count == 4 })
        #expect(results.allSatisfy { abs($0.ranked.map(\.probability).reduce(0, +) - 1) < 1e-5 })

        let bytes = try Data(contentsOf: fixture.reports.appendingPathComponent("\(outcome.runID)/recommendations.csv"))
        #expect(bytes.starts(with: [0xEF, 0xBB, 0xBF]))
        let lines = String(decoding: bytes.dropFirst(3), as: UTF8.self).split(separator: "\r\n")
        #expect(lines.first == "user_id,rank,genre,probability,engagement")
        #expect(lines.count == 1 + 100 * 3)
        #expect(FileManager.default.fileExists(atPath: fixture.reports.appendingPathComponent("index.html").path))
        #expect(outcome.reportURL?.lastPathComponent == "report.html")
    }

    @Test func resultsSameForAnyWorkerCount() throws {
        let fixture = try CatalogueFixture("workers")
        var files: [Data] = []
        for workers in [1, 2, 4] {
            var options = fixture.runOptions(workers: workers)
            options.databasePath = fixture.folder.path("workers-\(workers).db").path
            options.reportsDirectory = fixture.folder.path("reports-\(workers)")
            options.batchSize = 16
            _ = try QueueOperations(databasePath: options.databasePath)
                .enqueue(userIDs: fixture.userIDs, priority: 0, runAfter: nil)
            let outcome = try BatchRunner(options: options).run()
            #expect(outcome.counts.done == 100)
            files.append(try Data(contentsOf: options.reportsDirectory.appendingPathComponent("1/recommendations.csv")))
        }
        #expect(files[0] == files[1])
        #expect(files[0] == files[2])
    }

    @Test func userWithoutHistoryIsDead() throws {
        let fixture = try CatalogueFixture("missing-user")
        _ = try QueueOperations(databasePath: fixture.database)
            .enqueue(userIDs: ["u00001", "nobody", "u00002"], priority: 0, runAfter: nil)

        let outcome = try BatchRunner(options: fixture.runOptions()).run()

        #expect(outcome.exitCode == .partial)
        #expect(outcome.status == .partial)
        #expect(outcome.counts.done == 2)
        #expect(outcome.counts.dead == 1)
        let queue = try SQLiteQueue(path: fixture.database)
        let dead = try queue.jobs(state: .dead, userID: nil, limit: 10)
        #expect(dead.map(\.userID) == ["nobody"])
        #expect(dead.first?.attempts == 1)
        #expect(dead.first?.lastError?.contains("history.csv") == true)
    }

    @Test func reorderedColumnsGiveSameResults() throws {
        let fixture = try CatalogueFixture("reordered")
        _ = try QueueOperations(databasePath: fixture.database).enqueue(userIDs: fixture.userIDs, priority: 0, runAfter: nil)
        let first = try BatchRunner(options: fixture.runOptions()).run()

        try reverseFeatureColumns(of: fixture.data.appendingPathComponent("history.csv"))
        try reverseFeatureColumns(of: fixture.data.appendingPathComponent("covers.csv"))
        _ = try QueueOperations(databasePath: fixture.database).enqueue(userIDs: fixture.userIDs, priority: 0, runAfter: nil)
        let second = try BatchRunner(options: fixture.runOptions()).run()

        #expect(second.counts.done == 100)
        let a = try fixture.read(fixture.reports.appendingPathComponent("\(first.runID)/recommendations.csv"))
        let b = try fixture.read(fixture.reports.appendingPathComponent("\(second.runID)/recommendations.csv"))
        #expect(a == b)
    }

    @Test func catalogueMissingColumnKillsUsers() throws {
        let fixture = try CatalogueFixture("missing-column")
        try dropLastColumn(of: fixture.data.appendingPathComponent("clips.csv"))
        _ = try QueueOperations(databasePath: fixture.database).enqueue(userIDs: ["u00001", "u00002"], priority: 0, runAfter: nil)

        let outcome = try BatchRunner(options: fixture.runOptions()).run()

        #expect(outcome.exitCode == .badInput)
        #expect(outcome.status == .failed)
        #expect(outcome.stopError?.contains("aud15") == true)
        #expect(outcome.counts.dead == 2)
        let dead = try SQLiteQueue(path: fixture.database).jobs(state: .dead, userID: "u00001", limit: 1)
        #expect(dead.first?.lastError?.contains("aud15") == true)
    }

    @Test func unreadableFileFailsUsersTransiently() throws {
        let fixture = try CatalogueFixture("unreadable")
        let covers = fixture.data.appendingPathComponent("covers.csv")
        let aside = fixture.folder.path("covers.aside")
        try FileManager.default.moveItem(at: covers, to: aside)
        // A folder where the file should be: unreadable even for root.
        try FileManager.default.createDirectory(at: covers, withIntermediateDirectories: false)
        _ = try QueueOperations(databasePath: fixture.database).enqueue(userIDs: ["u00001"], priority: 0, runAfter: nil)

        let outcome = try BatchRunner(options: fixture.runOptions()).run()

        #expect(outcome.exitCode == .badInput)
        #expect(outcome.counts.failed == 1)
        let failed = try SQLiteQueue(path: fixture.database).jobs(state: .failed, userID: "u00001", limit: 1)
        #expect(failed.first?.attempts == 1)
        #expect(failed.first?.runAfter != nil)
        #expect(failed.first?.lastError?.contains("covers.csv") == true)
    }

    @Test func missingModalityFileFailsTransiently() throws {
        let fixture = try CatalogueFixture("no-clips")
        try FileManager.default.removeItem(at: fixture.data.appendingPathComponent("clips.csv"))
        _ = try QueueOperations(databasePath: fixture.database).enqueue(userIDs: ["u00001"], priority: 0, runAfter: nil)

        let outcome = try BatchRunner(options: fixture.runOptions()).run()

        #expect(outcome.exitCode == .badInput)
        #expect(outcome.counts.failed == 1)
        #expect(outcome.counts.dead == 0)
        #expect(outcome.stopError?.contains("clips.csv") == true)
    }

    @Test func emptyQueueStillReports() throws {
        let fixture = try CatalogueFixture("empty")
        _ = try QueueOperations(databasePath: fixture.database).enqueue(userIDs: [], priority: 0, runAfter: nil)
        let outcome = try BatchRunner(options: fixture.runOptions()).run()
        #expect(outcome.exitCode == .success)
        #expect(outcome.counts.claimed == 0)
        #expect(FileManager.default.fileExists(atPath: outcome.reportURL?.path ?? ""))
    }

    @Test func exportMatchesRunFile() throws {
        let fixture = try CatalogueFixture("export")
        _ = try QueueOperations(databasePath: fixture.database).enqueue(userIDs: fixture.userIDs, priority: 0, runAfter: nil)
        let outcome = try BatchRunner(options: fixture.runOptions()).run()
        let exported = fixture.folder.path("export.csv")

        let users = try ResultExport(databasePath: fixture.database).export(to: exported, topK: 3, includeBOM: true)

        #expect(users == 100)
        let runFile = try Data(contentsOf: fixture.reports.appendingPathComponent("\(outcome.runID)/recommendations.csv"))
        #expect(try Data(contentsOf: exported) == runFile)
    }

    @Test func reportRegeneratedInChinese() throws {
        let fixture = try CatalogueFixture("report")
        _ = try QueueOperations(databasePath: fixture.database).enqueue(userIDs: fixture.userIDs, priority: 0, runAfter: nil)
        let outcome = try BatchRunner(options: fixture.runOptions()).run()
        let page = try #require(outcome.reportURL)
        try FileManager.default.removeItem(at: page)

        let regenerated = try RunReports(databasePath: fixture.database, reportsDirectory: fixture.reports)
            .regenerate(runID: outcome.runID, locale: .chinese, topK: 3, includeBOM: true)

        let html = try fixture.read(regenerated)
        #expect(html.contains("lang=\"zh-CN\""))
        #expect(html.contains("爵士"))
        #expect(throws: PipelineError.unknownRun(id: 99)) {
            try RunReports(databasePath: fixture.database, reportsDirectory: fixture.reports)
                .regenerate(runID: 99, locale: .english, topK: 3, includeBOM: true)
        }
    }
}

/// Rewrites a CSV with its feature columns (all but the first) in reverse order.
func reverseFeatureColumns(of url: URL) throws {
    let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
    let reversed = lines.map { line -> String in
        let cells = line.split(separator: ",", omittingEmptySubsequences: false)
        return ([cells[0]] + cells.dropFirst().reversed()).joined(separator: ",")
    }
    try (reversed.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
}

/// Rewrites a CSV without its last column.
func dropLastColumn(of url: URL) throws {
    let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
    let trimmed = lines.map { $0.split(separator: ",", omittingEmptySubsequences: false).dropLast().joined(separator: ",") }
    try (trimmed.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
}
