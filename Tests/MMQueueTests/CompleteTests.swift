import Foundation
import Testing

@testable import MMQueue

@Suite struct CompleteTests {
    @Test func completeWritesResultsAndMarksDone() throws {
        let test = try TestQueue()
        let owner = try test.startRun()
        try test.queue.enqueue(userIDs: ["a", "b"])
        let claimed = try test.queue.claim(limit: 2, owner: owner)

        var second = result(for: claimed[1], top: "rock", engagement: 0.25)
        second.noTracks = true
        second.missingTracks = 3
        let summary = try test.queue.complete(runID: owner.runID, results: [result(for: claimed[0]), second])
        #expect(summary == CompletionSummary(completed: 2, leaseLost: []))
        #expect(try test.queue.counts()[.done] == 2)

        let rows = try test.queue.results(runID: owner.runID)
        #expect(rows.map(\.userID) == ["a", "b"])
        #expect(rows[0].topGenre == "jazz")
        #expect(rows[0].ranked.map(\.genre) == ["jazz", "rock", "pop", "folk"])
        #expect(rows[0].ranked.map(\.probability) == [0.625, 0.25, 0.125, 0])
        #expect(rows[0].engagement == 0.5)
        #expect(rows[1].topGenre == "rock")
        #expect(rows[1].noTracks)
        #expect(rows[1].missingTracks == 3)
        #expect(rows[1].jobID == claimed[1].id)
    }

    @Test func storedColumnsMatchFormat() throws {
        let test = try TestQueue()
        let owner = try test.startRun()
        try test.queue.enqueue(userIDs: ["a"])
        let claimed = try test.queue.claim(limit: 1, owner: owner)
        try test.queue.complete(runID: owner.runID, results: [result(for: claimed[0])])

        let (ranking, top, blob) = try test.queue.withConnection { connection in
            try connection.prepare("SELECT ranking, top_probability, hex(probabilities) FROM results")
                .firstRow { ($0.string(0), $0.double(1), $0.string(2)) }!
        }
        #expect(ranking == "jazz,rock,pop,folk")
        #expect(top == 0.625)
        // 0.625 = 0x3F200000, 0.25 = 0x3E800000, 0.125 = 0x3E000000, little-endian.
        #expect(blob == "0000203F0000803E0000003E00000000")
    }

    @Test func lostLeaseNotWritten() throws {
        let test = try TestQueue()
        let owner = try test.startRun()
        let now = Date()
        try test.queue.enqueue(userIDs: ["a", "b"])
        let claimed = try test.queue.claim(limit: 2, owner: owner, leaseSeconds: 60, now: now)

        // Another run finds the lease expired and takes the job back.
        let recovered = try test.queue.recoverAbandoned(now: now.addingTimeInterval(120), isProcessAlive: { _ in true })
        #expect(recovered.count == 2)

        let summary = try test.queue.complete(runID: owner.runID, results: claimed.map { result(for: $0) })
        #expect(summary.completed == 0)
        #expect(summary.leaseLost == claimed.map(\.id))
        #expect(try test.queue.results(runID: owner.runID).isEmpty)
        #expect(try test.queue.counts()[.failed] == 2)
    }

    @Test func repeatRunNeverDuplicatesRows() throws {
        let test = try TestQueue()
        let first = try test.startRun()
        try test.queue.enqueue(userIDs: ["a"])
        var claimed = try test.queue.claim(limit: 1, owner: first)
        try test.queue.complete(runID: first.runID, results: [result(for: claimed[0], top: "rock")])

        // Same user again in a later run: a new row for the new run, the old one kept.
        let second = try test.startRun()
        try test.queue.enqueue(userIDs: ["a"])
        claimed = try test.queue.claim(limit: 1, owner: second)
        try test.queue.complete(runID: second.runID, results: [result(for: claimed[0], top: "pop")])
        // A repeat of the same (run, user) replaces its row.
        try test.queue.enqueue(userIDs: ["a"])
        claimed = try test.queue.claim(limit: 1, owner: second)
        try test.queue.complete(runID: second.runID, results: [result(for: claimed[0], top: "folk")])

        #expect(try test.scalar("SELECT count(*) FROM results") == 2)
        #expect(try test.queue.results(runID: first.runID).map(\.topGenre) == ["rock"])
        #expect(try test.queue.results(runID: second.runID).map(\.topGenre) == ["folk"])
    }

    @Test func commaInGenreRejected() throws {
        let test = try TestQueue()
        let owner = try test.startRun()
        try test.queue.enqueue(userIDs: ["a"])
        let claimed = try test.queue.claim(limit: 1, owner: owner)
        let bad = UserResult(
            jobID: claimed[0].id, userID: "a", ranked: [("Folk, World", 0.5), ("rock", 0.5)], engagement: 0)

        #expect(throws: QueueError.invalidGenreName(genre: "Folk, World", userID: "a")) {
            try test.queue.complete(runID: owner.runID, results: [bad])
        }
        #expect(try test.queue.counts()[.running] == 1)
    }

    @Test func wrongUserRollsBackBatch() throws {
        let test = try TestQueue()
        let owner = try test.startRun()
        try test.queue.enqueue(userIDs: ["a", "b"])
        let claimed = try test.queue.claim(limit: 2, owner: owner)
        var wrong = result(for: claimed[1])
        wrong.userID = "a"

        #expect(throws: QueueError.self) {
            try test.queue.complete(runID: owner.runID, results: [result(for: claimed[0]), wrong])
        }
        #expect(try test.queue.counts()[.running] == 2)
        #expect(try test.scalar("SELECT count(*) FROM results") == 0)
    }

    @Test func firstTryDoneLeavesNoAttemptRow() throws {
        let test = try TestQueue()
        let owner = try test.startRun()
        try test.queue.enqueue(userIDs: ["a"])
        let claimed = try test.queue.claim(limit: 1, owner: owner)
        try test.queue.complete(runID: owner.runID, results: [result(for: claimed[0])])

        #expect(try test.scalar("SELECT count(*) FROM job_attempts") == 0)
        let job = try #require(try test.queue.jobs(state: .done, userID: "a", limit: 1).first)
        #expect(job.attempts == 1)
        #expect(job.owner?.runID == owner.runID)
        #expect(job.claimedAt != nil)
        #expect(job.finishedAt != nil)
    }

    @Test func retriedDoneKeepsFullHistory() throws {
        let test = try TestQueue()
        let first = try test.startRun()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        try test.queue.enqueue(userIDs: ["a", "b"])
        let claimed = try test.queue.claim(limit: 2, owner: first, leaseSeconds: 60, now: now)
        try test.queue.fail(jobID: claimed[0].id, owner: first, error: "read error", kind: .transient, now: now)
        try test.queue.complete(runID: first.runID, results: [result(for: claimed[1])], now: now)

        let second = try test.startRun()
        let later = now.addingTimeInterval(100)
        let again = try test.queue.claim(limit: 1, owner: second, leaseSeconds: 60, now: later)
        try test.queue.complete(runID: second.runID, results: [result(for: again[0])], now: later)

        let outcomes = try test.queue.withConnection { connection in
            try connection.prepare("SELECT attempt, outcome, run_id, error FROM job_attempts ORDER BY id")
                .rows { "\($0.int(0)) \($0.string(1)) \($0.int64(2)) \($0.optionalString(3) ?? "-")" }
        }
        #expect(outcomes == ["1 failed \(first.runID) read error", "2 done \(second.runID) -"])
    }
}
