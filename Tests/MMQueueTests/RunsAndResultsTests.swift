import Foundation
import Testing

@testable import MMQueue

@Suite struct RunsTests {
    @Test func startAndFinishRun() throws {
        let test = try TestQueue()
        let started = Date(timeIntervalSince1970: 1_800_000_000.25)
        let id = try test.queue.startRun(
            RunStart(
                startedAt: started, host: "h1", pid: 42, modelPath: "m.safetensors", modelFingerprint: "abc",
                optionsJSON: #"{"workers":2}"#, version: "9.9"))
        var run = try #require(try test.queue.run(id: id))
        #expect(run.status == .running)
        #expect(run.startedAt == started)
        #expect(run.endedAt == nil)
        #expect(run.host == "h1")
        #expect(run.pid == 42)
        #expect(run.modelFingerprint == "abc")
        #expect(run.optionsJSON == #"{"workers":2}"#)
        #expect(run.version == "9.9")

        let counts = RunCounts(claimed: 10, done: 7, failed: 2, dead: 1, recovered: 3)
        try test.queue.finishRun(
            id: id, status: .partial, counts: counts, endedAt: started.addingTimeInterval(5), summaryJSON: #"{"x":1}"#)
        run = try #require(try test.queue.run(id: id))
        #expect(run.status == .partial)
        #expect(run.counts == counts)
        #expect(run.endedAt == started.addingTimeInterval(5))
        #expect(run.summaryJSON == #"{"x":1}"#)
        #expect(try test.queue.run(id: id + 1) == nil)
    }

    @Test func runJSONEmbedsOptionsAndSummary() throws {
        let test = try TestQueue()
        let started = Date(timeIntervalSince1970: 1_800_000_000)
        let id = try test.queue.startRun(
            RunStart(
                startedAt: started, host: "h1", pid: 42, modelPath: "m", modelFingerprint: "abc",
                optionsJSON: #"{"workers":2,"strict":false}"#))
        try test.queue.finishRun(
            id: id, status: .succeeded, counts: RunCounts(claimed: 3, done: 3), endedAt: started.addingTimeInterval(1.5),
            summaryJSON: "not json")
        let run = try #require(try test.queue.run(id: id))

        let json = QueueJSON.encode(run)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["status"] as? String == "succeeded")
        #expect(object["started_at"] as? String == "2027-01-15T08:00:00.000Z")
        #expect(object["ended_at"] as? String == "2027-01-15T08:00:01.500Z")
        #expect(object["done"] as? Int == 3)
        #expect((object["options"] as? [String: Any])?["workers"] as? Int == 2)
        #expect((object["options"] as? [String: Any])?["strict"] as? Bool == false)
        #expect(object["summary"] as? String == "not json")
    }

    @Test func runsNewestFirst() throws {
        let test = try TestQueue()
        let ids = try (0..<4).map { _ in try test.startRun().runID }
        #expect(try test.queue.runs(limit: 3).map(\.id) == Array(ids.reversed().prefix(3)))
    }
}

@Suite struct ResultsTests {
    /// Runs `tops` through one run: user i gets genre tops[i] as its top genre.
    private func runOnce(_ test: TestQueue, tops: [String: String]) throws -> Int64 {
        let owner = try test.startRun()
        try test.queue.enqueue(userIDs: tops.keys.sorted())
        let claimed = try test.queue.claim(limit: tops.count, owner: owner)
        try test.queue.complete(runID: owner.runID, results: claimed.map { result(for: $0, top: tops[$0.userID]!) })
        return owner.runID
    }

    @Test func latestResultsPickNewestRun() throws {
        let test = try TestQueue()
        let first = try runOnce(test, tops: ["a": "rock", "b": "rock", "c": "jazz"])
        let second = try runOnce(test, tops: ["b": "pop"])

        var latest: [(String, Int64, String)] = []
        try test.queue.latestResults { latest.append(($0.userID, $0.runID, $0.topGenre)) }
        #expect(latest.map(\.0) == ["a", "b", "c"])
        #expect(latest.map(\.1) == [first, second, first])
        #expect(latest.map(\.2) == ["rock", "pop", "jazz"])
    }

    @Test func latestResultsStreamWithoutSort() throws {
        let test = try TestQueue()
        let plan = try test.queue.withConnection { connection in
            try connection.prepare("EXPLAIN QUERY PLAN " + SQL.latestResults).rows { $0.string(3) }.joined(separator: "\n")
        }
        #expect(plan.contains("results_user"), "plan: \(plan)")
        #expect(!plan.contains("TEMP B-TREE"), "plan: \(plan)")
    }

    @Test func genreDistributionCounts() throws {
        let test = try TestQueue()
        let run = try runOnce(test, tops: ["a": "rock", "b": "jazz", "c": "rock", "d": "folk", "e": "jazz", "f": "rock"])
        #expect(
            try test.queue.genreDistribution(runID: run) == [
                GenreCount(genre: "rock", users: 3), GenreCount(genre: "jazz", users: 2),
                GenreCount(genre: "folk", users: 1),
            ])
    }

    @Test func comparisonWithPreviousRun() throws {
        let test = try TestQueue()
        let first = try runOnce(test, tops: ["a": "rock", "b": "rock", "c": "jazz"])
        #expect(try test.queue.compareWithPrevious(runID: first) == nil)

        let second = try runOnce(test, tops: ["a": "rock", "b": "pop", "d": "pop"])
        let comparison = try #require(try test.queue.compareWithPrevious(runID: second))
        #expect(comparison.previousRunID == first)
        #expect(comparison.commonUsers == 2)
        #expect(comparison.changedTopGenre == 1)
        #expect(
            comparison.genres == [
                .init(genre: "pop", current: 2, previous: 0), .init(genre: "rock", current: 1, previous: 2),
                .init(genre: "jazz", current: 0, previous: 1),
            ])
    }

    @Test func countsJSONHasEveryState() throws {
        let test = try TestQueue()
        try test.queue.enqueue(userIDs: ["a", "b"])
        #expect(
            QueueJSON.counts(try test.queue.counts())
                == #"{"dead":0,"done":0,"failed":0,"pending":2,"running":0}"#)
    }
}
