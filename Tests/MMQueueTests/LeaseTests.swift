import Foundation
import Testing

@testable import MMQueue

@Suite struct LeaseTests {
    @Test func heartbeatExtendsOwnLeases() throws {
        let test = try TestQueue()
        let owner = try test.startRun()
        let other = try test.startRun()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        try test.queue.enqueue(userIDs: userIDs(5))
        try test.queue.claim(limit: 3, owner: owner, leaseSeconds: 60, now: now)
        try test.queue.claim(limit: 2, owner: other, leaseSeconds: 60, now: now)

        let extended = try test.queue.heartbeat(owner: owner, leaseSeconds: 60, now: now.addingTimeInterval(50))
        #expect(extended == 3)
        let running = try test.queue.jobs(state: .running, userID: nil, limit: 10)
        let mine = running.filter { $0.owner == owner }.compactMap(\.leaseExpires)
        let theirs = running.filter { $0.owner == other }.compactMap(\.leaseExpires)
        #expect(mine == Array(repeating: now.addingTimeInterval(110), count: 3))
        #expect(theirs == Array(repeating: now.addingTimeInterval(60), count: 2))

        // Past the old expiry, only the run that did not heartbeat loses its jobs.
        let recovered = try test.queue.recoverAbandoned(now: now.addingTimeInterval(90), isProcessAlive: { _ in true })
        #expect(recovered.count == 2)
        #expect(try test.queue.counts()[.running] == 3)
    }

    @Test func expiredLeaseRecoveredAsTransient() throws {
        let test = try TestQueue()
        let owner = try test.startRun()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        try test.queue.enqueue(userIDs: ["a"])
        try test.queue.claim(limit: 1, owner: owner, leaseSeconds: 60, now: now)

        #expect(try test.queue.recoverAbandoned(now: now.addingTimeInterval(59), isProcessAlive: { _ in true }).count == 0)
        #expect(try test.queue.recoverAbandoned(now: now.addingTimeInterval(61), isProcessAlive: { _ in true }).count == 1)

        let job = try #require(try test.queue.jobs(state: .failed, userID: "a", limit: 1).first)
        #expect(job.lastError == "lease expired")
        #expect(try test.scalar("SELECT count(*) FROM job_attempts WHERE outcome = 'abandoned' AND error = 'lease expired'") == 1)

        // The recovering run may claim it at once; it is the second attempt.
        let next = try test.startRun()
        let again = try test.queue.claim(limit: 1, owner: next, leaseSeconds: 60, now: now.addingTimeInterval(61))
        #expect(again.map(\.attempts) == [2])
    }

    @Test func deadOwnerOnThisHostRecovered() throws {
        let test = try TestQueue()
        let gone = try test.startRun(pid: 999_999)
        let alive = try test.startRun(pid: 1234)
        let now = Date()
        try test.queue.enqueue(userIDs: userIDs(4))
        try test.queue.claim(limit: 2, owner: gone, leaseSeconds: 60, now: now)
        try test.queue.claim(limit: 2, owner: alive, leaseSeconds: 60, now: now)

        let recovered = try test.queue.recoverAbandoned(now: now) { $0 == 1234 }
        #expect(recovered.count == 2)
        #expect(recovered.map(\.userID).sorted() == ["u000000", "u000001"])
        #expect(recovered.allSatisfy { $0.newState == .failed })
        let failed = try test.queue.jobs(state: .failed, userID: nil, limit: 10)
        #expect(failed.count == 2)
        #expect(failed.allSatisfy { $0.lastError == "owner process gone" })
        #expect(try test.queue.run(id: gone.runID)?.status == .abandoned)
        #expect(try test.queue.run(id: alive.runID)?.status == .running)
    }

    @Test func otherHostWithLiveLeaseKept() throws {
        let test = try TestQueue()
        let remote = try test.startRun(host: "other-host", pid: 999_999)
        let now = Date()
        try test.queue.enqueue(userIDs: ["a"])
        try test.queue.claim(limit: 1, owner: remote, leaseSeconds: 60, now: now)

        // Its pid means nothing here, so only the lease decides.
        #expect(try test.queue.recoverAbandoned(now: now.addingTimeInterval(30), isProcessAlive: { _ in false }).count == 0)
        #expect(try test.queue.run(id: remote.runID)?.status == .running)
        #expect(try test.queue.recoverAbandoned(now: now.addingTimeInterval(61), isProcessAlive: { _ in false }).count == 1)
    }

    @Test func realProcessLivenessUsed() throws {
        let test = try TestQueue(host: "test-host")
        let me = try test.startRun(pid: getpid())
        try test.queue.enqueue(userIDs: ["a"])
        try test.queue.claim(limit: 1, owner: me)

        #expect(try test.queue.recoverAbandoned().count == 0)
        #expect(ProcessLiveness.isAlive(getpid()))
        #expect(!ProcessLiveness.isAlive(0))
    }

    @Test func repeatedAbandonmentEndsDead() throws {
        let test = try TestQueue(retryPolicy: RetryPolicy(maxAttempts: 2, jitter: 0))
        var now = Date(timeIntervalSince1970: 1_800_000_000)
        try test.queue.enqueue(userIDs: ["poison"])

        var states: [JobState] = []
        for _ in 0..<2 {
            let owner = try test.startRun()
            try test.queue.claim(limit: 1, owner: owner, leaseSeconds: 60, now: now)
            now = now.addingTimeInterval(120)
            _ = try test.queue.recoverAbandoned(now: now, isProcessAlive: { _ in true })
            states.append(try #require(try test.queue.jobs(state: nil, userID: "poison", limit: 1).first).state)
        }
        #expect(states == [.failed, .dead])
    }
}

@Suite struct LeaseHeartbeatTests {
    @Test func timerExtendsLeasesUntilStopped() throws {
        let test = try TestQueue()
        let owner = try test.startRun()
        try test.queue.enqueue(userIDs: ["a"])
        let start = Date()
        try test.queue.claim(limit: 1, owner: owner, leaseSeconds: 2, now: start)

        let heartbeat = LeaseHeartbeat(queue: test.queue, owner: owner, interval: 0.05, leaseSeconds: 2)
        usleep(300_000)
        heartbeat.stop()
        // A tick already running when stop() was called may still finish.
        usleep(100_000)
        let extended = try #require(try test.queue.jobs(state: .running, userID: "a", limit: 1).first?.leaseExpires)
        #expect(extended > start.addingTimeInterval(2.2))
        #expect(heartbeat.failureCount == 0)

        usleep(200_000)
        let afterStop = try #require(try test.queue.jobs(state: .running, userID: "a", limit: 1).first?.leaseExpires)
        #expect(afterStop == extended)
    }
}
