import Foundation
import Testing

@testable import MMQueue

@Suite struct MaintenanceTests {
    /// Claims every pending job for a new run and fails it permanently.
    private func killAll(_ test: TestQueue) throws {
        let owner = try test.startRun()
        for job in try test.queue.claim(limit: 1000, owner: owner) {
            try test.queue.fail(jobID: job.id, owner: owner, error: "no history row", kind: .permanent)
        }
    }

    /// Claims and completes every pending job for a new run started at `date`.
    @discardableResult
    private func completeAll(_ test: TestQueue, at date: Date, top: String = "jazz") throws -> Int64 {
        let owner = try test.startRun(at: date)
        let jobs = try test.queue.claim(limit: 1000, owner: owner, leaseSeconds: 60, now: date)
        try test.queue.complete(runID: owner.runID, results: jobs.map { result(for: $0, top: top) }, now: date)
        return owner.runID
    }

    @Test func jobsFilterAndOrder() throws {
        let test = try TestQueue()
        try test.queue.enqueue(userIDs: ["a", "b", "c"])
        let owner = try test.startRun()
        let claimed = try test.queue.claim(limit: 1, owner: owner)
        try test.queue.fail(jobID: claimed[0].id, owner: owner, error: "bad dims", kind: .permanent)

        #expect(try test.queue.jobs(state: nil, userID: nil, limit: 10).map(\.userID) == ["c", "b", "a"])
        #expect(try test.queue.jobs(state: nil, userID: nil, limit: 2).count == 2)
        #expect(try test.queue.jobs(state: .pending, userID: nil, limit: 10).map(\.userID) == ["c", "b"])
        let dead = try test.queue.jobs(state: .dead, userID: "a", limit: 10)
        #expect(dead.map(\.lastError) == ["bad dims"])
        #expect(dead.map(\.attempts) == [1])
        #expect(try test.queue.jobs(state: .dead, userID: "b", limit: 10).isEmpty)
    }

    @Test func jobJSONHasEveryField() throws {
        let test = try TestQueue()
        try test.queue.enqueue(userIDs: ["a"])
        let owner = try test.startRun()
        let now = Date(timeIntervalSince1970: 1_800_000_000.5)
        try test.queue.claim(limit: 1, owner: owner, leaseSeconds: 60, now: now)
        let job = try #require(try test.queue.jobs(state: nil, userID: nil, limit: 1).first)

        let json = QueueJSON.encode(job)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(!json.contains("\n"))
        #expect(object["user_id"] as? String == "a")
        #expect(object["state"] as? String == "running")
        #expect(object["attempts"] as? Int == 1)
        #expect(object["claimed_at"] as? String == "2027-01-15T08:00:00.500Z")
        #expect(object["lease_expires"] as? String == "2027-01-15T08:01:00.500Z")
        #expect(object["run_id"] as? Int == Int(owner.runID))
        #expect(object["host"] as? String == "test-host")
        #expect(object["last_error"] is NSNull)
        #expect(object.count == 14)
    }

    @Test func retryDeadResetsAttempts() throws {
        let test = try TestQueue()
        try test.queue.enqueue(userIDs: ["a", "b"])
        try killAll(test)
        // "b" already waits again, so only "a" goes back.
        try test.queue.enqueue(userIDs: ["b"])

        #expect(try test.queue.retryDead() == 1)
        let counts = try test.queue.counts()
        #expect(counts[.pending] == 2)
        #expect(counts[.dead] == 1)
        let a = try #require(try test.queue.jobs(state: .pending, userID: "a", limit: 1).first)
        #expect(a.attempts == 0)
        #expect(a.finishedAt == nil)
        // The earlier attempt stays in the history.
        #expect(try test.scalar("SELECT count(*) FROM job_attempts WHERE job_id = \(a.id)") == 1)
        #expect(try test.queue.retryDead() == 0)
    }

    @Test func retryDeadTakesNewestPerUser() throws {
        let test = try TestQueue()
        try test.queue.enqueue(userIDs: ["a"])
        try killAll(test)
        try test.queue.enqueue(userIDs: ["a"])
        try killAll(test)

        #expect(try test.queue.retryDead() == 1)
        #expect(try test.queue.counts()[.pending] == 1)
        #expect(try test.queue.counts()[.dead] == 1)
    }

    @Test func retryUsersOnlyDeadOrFailed() throws {
        let test = try TestQueue()
        let owner = try test.startRun()
        let now = Date()
        try test.queue.enqueue(userIDs: ["dead", "failed", "done", "pending"])
        let claimed = try test.queue.claim(limit: 3, owner: owner, leaseSeconds: 60, now: now)
        let byUser = Dictionary(uniqueKeysWithValues: claimed.map { ($0.userID, $0) })
        try test.queue.fail(jobID: byUser["dead"]!.id, owner: owner, error: "x", kind: .permanent, now: now)
        try test.queue.fail(jobID: byUser["failed"]!.id, owner: owner, error: "y", kind: .transient, now: now)
        try test.queue.complete(runID: owner.runID, results: [result(for: byUser["done"]!)])

        #expect(try test.queue.retry(userIDs: ["dead", "failed", "done", "pending", "nobody"]) == 2)
        let pending = try test.queue.jobs(state: .pending, userID: nil, limit: 10)
        #expect(Set(pending.map(\.userID)) == ["dead", "failed", "pending"])
        #expect(pending.map(\.attempts) == [0, 0, 0])
        #expect(pending.allSatisfy { $0.runAfter == nil })
        #expect(try test.queue.counts()[.done] == 1)
    }

    @Test func pruneKeepsNewestResults() throws {
        let test = try TestQueue()
        let day = 86_400.0
        let now = Date(timeIntervalSince1970: 1_800_000_000)

        // 40 days ago: a, b, c. 35 days ago: a again. Yesterday: c again.
        try test.queue.enqueue(userIDs: ["a", "b", "c"])
        let oldest = try completeAll(test, at: now.addingTimeInterval(-40 * day), top: "rock")
        try test.queue.enqueue(userIDs: ["a"])
        let older = try completeAll(test, at: now.addingTimeInterval(-35 * day), top: "pop")
        try test.queue.enqueue(userIDs: ["c"])
        let recent = try completeAll(test, at: now.addingTimeInterval(-1 * day), top: "folk")

        let summary = try test.queue.prune(olderThanDays: 30, now: now)
        #expect(summary.jobs == 4)
        // Every job was done at its first attempt, which leaves no attempt rows.
        #expect(summary.attempts == 0)
        // a's and c's rows of the oldest run go; b's row there is b's newest and stays.
        #expect(summary.results == 2)

        var latest: [String: (Int64, String)] = [:]
        try test.queue.latestResults { latest[$0.userID] = ($0.runID, $0.topGenre) }
        #expect(latest["a"]! == (older, "pop"))
        #expect(latest["b"]! == (oldest, "rock"))
        #expect(latest["c"]! == (recent, "folk"))
        #expect(try test.queue.results(runID: oldest).map(\.userID) == ["b"])
        #expect(try test.queue.counts()[.done] == 1)
        #expect(try test.queue.runs(limit: 10).count == 3)
    }

    @Test func pruneDeletesDeadJobsWithAttempts() throws {
        let test = try TestQueue()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let old = now.addingTimeInterval(-10 * 86_400)
        try test.queue.enqueue(userIDs: ["old", "new"])
        let owner = try test.startRun(at: old)
        let claimed = try test.queue.claim(limit: 2, owner: owner, leaseSeconds: 60, now: old)
        try test.queue.fail(jobID: claimed[0].id, owner: owner, error: "no history row", kind: .permanent, now: old)
        try test.queue.fail(jobID: claimed[1].id, owner: owner, error: "no history row", kind: .permanent, now: now)

        let summary = try test.queue.prune(olderThanDays: 7, now: now)
        #expect(summary == PruneSummary(jobs: 1, attempts: 1, results: 0))
        #expect(try test.queue.jobs(state: .dead, userID: nil, limit: 10).map(\.userID) == ["new"])
        #expect(try test.scalar("SELECT count(*) FROM job_attempts") == 1)
    }

    @Test func pruneLeavesWaitingJobs() throws {
        let test = try TestQueue()
        let now = Date()
        try test.queue.enqueue(userIDs: ["waiting"])
        let owner = try test.startRun()
        let claimed = try test.queue.claim(limit: 1, owner: owner, leaseSeconds: 60, now: now.addingTimeInterval(-90 * 86_400))
        try test.queue.fail(jobID: claimed[0].id, owner: owner, error: "io", kind: .transient, now: now.addingTimeInterval(-90 * 86_400))

        #expect(try test.queue.prune(olderThanDays: 1, now: now) == PruneSummary())
        #expect(try test.queue.counts()[.failed] == 1)
    }

    @Test func checkpointTruncatesWAL() throws {
        let test = try TestQueue()
        try test.queue.enqueue(userIDs: userIDs(20_000))
        let walPath = test.path + "-wal"
        let before = try #require(try FileManager.default.attributesOfItem(atPath: walPath)[.size] as? Int)
        #expect(before > 100_000)

        #expect(try test.queue.checkpoint())
        let after = try #require(try FileManager.default.attributesOfItem(atPath: walPath)[.size] as? Int)
        #expect(after == 0)
        #expect(try test.queue.counts()[.pending] == 20_000)
    }
}
