import Foundation
import Testing

@testable import MMQueue

@Suite struct FailTests {
    @Test func transientFailureBacksOff() throws {
        let test = try TestQueue()
        let owner = try test.startRun()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        try test.queue.enqueue(userIDs: ["a"])
        let claimed = try test.queue.claim(limit: 1, owner: owner, leaseSeconds: 60, now: now)

        let state = try test.queue.fail(jobID: claimed[0].id, owner: owner, error: "read error", kind: .transient, now: now)
        #expect(state == .failed)
        let job = try #require(try test.queue.jobs(state: .failed, userID: "a", limit: 1).first)
        #expect(job.runAfter == now.addingTimeInterval(30))
        #expect(job.lastError == "read error")

        // Not claimable during the backoff, claimable after it.
        #expect(try test.queue.claim(limit: 1, owner: owner, leaseSeconds: 60, now: now.addingTimeInterval(29)).isEmpty)
        let again = try test.queue.claim(limit: 1, owner: owner, leaseSeconds: 60, now: now.addingTimeInterval(30))
        #expect(again.map(\.attempts) == [2])
    }

    @Test func backoffDoublesThenDies() throws {
        let test = try TestQueue()
        let owner = try test.startRun()
        var now = Date(timeIntervalSince1970: 1_800_000_000)
        try test.queue.enqueue(userIDs: ["a"])

        var delays: [Double] = []
        var states: [JobState?] = []
        for _ in 1...QueueDefaults.maxAttempts {
            let claimed = try test.queue.claim(limit: 1, owner: owner, leaseSeconds: 60, now: now)
            try #require(claimed.count == 1)
            states.append(try test.queue.fail(jobID: claimed[0].id, owner: owner, error: "busy", kind: .transient, now: now))
            if let runAfter = try test.queue.jobs(state: .failed, userID: "a", limit: 1).first?.runAfter {
                delays.append(runAfter.timeIntervalSince(now))
                now = runAfter
            }
        }
        #expect(delays == [30, 60, 120, 240])
        #expect(states == [.failed, .failed, .failed, .failed, .dead])
        #expect(try test.queue.counts()[.dead] == 1)
        #expect(try test.scalar("SELECT count(*) FROM job_attempts WHERE error = 'busy'") == 5)
        #expect(try test.scalar("SELECT max(attempt) FROM job_attempts") == 5)
    }

    @Test func permanentFailureDiesAtOnce() throws {
        let test = try TestQueue()
        let owner = try test.startRun()
        try test.queue.enqueue(userIDs: ["a"])
        let claimed = try test.queue.claim(limit: 1, owner: owner)

        let state = try test.queue.fail(jobID: claimed[0].id, owner: owner, error: "no history row", kind: .permanent)
        #expect(state == .dead)
        let job = try #require(try test.queue.jobs(state: .dead, userID: nil, limit: 10).first)
        #expect(job.lastError == "no history row")
        #expect(job.finishedAt != nil)
        #expect(try test.scalar("SELECT count(*) FROM job_attempts WHERE outcome = 'dead'") == 1)
        // A dead user may be enqueued again.
        #expect(try test.queue.enqueue(userIDs: ["a"]) == EnqueueSummary(added: 1))
    }

    @Test func failByOtherOwnerIgnored() throws {
        let test = try TestQueue()
        let owner = try test.startRun()
        let stranger = LeaseOwner(host: owner.host, pid: owner.pid, runID: owner.runID + 100)
        try test.queue.enqueue(userIDs: ["a"])
        let claimed = try test.queue.claim(limit: 1, owner: owner)

        #expect(try test.queue.fail(jobID: claimed[0].id, owner: stranger, error: "x", kind: .permanent) == nil)
        #expect(try test.queue.counts()[.running] == 1)
    }

    @Test func backoffCappedWithJitter() {
        let policy = RetryPolicy(maxAttempts: 50, baseSeconds: 30, capSeconds: 3600, jitter: 0.2)
        #expect(policy.delay(afterAttempt: 1, unit: 0.5) == 30)
        #expect(policy.delay(afterAttempt: 3, unit: 0.5) == 120)
        #expect(policy.delay(afterAttempt: 20, unit: 0.5) == 3600)
        #expect(policy.delay(afterAttempt: 1000, unit: 0.5) == 3600)
        #expect(policy.delay(afterAttempt: 1, unit: 0) == 24)
        #expect(abs(policy.delay(afterAttempt: 1, unit: 0.999_999) - 36) < 0.001)
    }

    @Test func jitterSpreadsRetries() throws {
        let test = try TestQueue("jitter", retryPolicy: RetryPolicy(jitter: 0.2))
        let queue = try SQLiteQueue(path: test.path, retryPolicy: RetryPolicy(jitter: 0.2), host: "test-host")
        let owner = try test.startRun()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        try queue.enqueue(userIDs: userIDs(50))
        let claimed = try queue.claim(limit: 50, owner: owner, leaseSeconds: 60, now: now)
        for job in claimed {
            try queue.fail(jobID: job.id, owner: owner, error: "busy", kind: .transient, now: now)
        }
        let delays = try queue.jobs(state: .failed, userID: nil, limit: 50).compactMap { $0.runAfter?.timeIntervalSince(now) }
        #expect(delays.count == 50)
        #expect(delays.allSatisfy { $0 >= 24 && $0 <= 36 })
        #expect(Set(delays).count > 10)
    }
}
