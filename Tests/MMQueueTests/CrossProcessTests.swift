import Foundation
import MMCore
import MMTestSupport
import Testing

@testable import MMQueue

/// Tests against real other processes (copies of this test executable).
@Suite(.serialized) struct CrossProcessTests {
    @Test func lockHeldByOtherProcessThenFreedByKill() throws {
        let directory = TemporaryDirectory("lock-process")
        let database = directory.path("queue.sqlite").path
        let child = try HelperProcess(role: "holdLock", environment: ["MMQUEUE_HELPER_DB": database], directory: directory)
        defer { child.wait(timeout: 0) }
        try #require(child.waitForOutput("locked"), "helper output: \(child.output)")

        #expect {
            try RunLock.acquire(databasePath: database)
        } throws: { error in
            guard case .runLocked(_, let pid, _, _)? = error as? QueueError else { return false }
            return pid == child.pid
        }

        child.killHard()
        child.wait()
        // The kernel dropped the dead holder's lock.
        let lock = try RunLock.acquire(databasePath: database)
        lock.release()
    }

    @Test func enqueueFromProcessDuringRun() throws {
        let test = try TestQueue("cross-enqueue")
        let total = 3000
        let child = try HelperProcess(
            role: "enqueue", environment: ["MMQUEUE_HELPER_DB": test.path, "MMQUEUE_HELPER_COUNT": "\(total)"],
            directory: test.directory)
        defer { child.wait(timeout: 0) }

        // Claim and complete whatever is there until the child is done and the queue is empty.
        let owner = try test.startRun()
        var done = Set<String>()
        var duplicates = 0
        while true {
            let childRunning = child.process.isRunning
            let claimed = try test.queue.claim(limit: 64, owner: owner)
            if claimed.isEmpty && !childRunning {
                break
            }
            for job in claimed where !done.insert(job.userID).inserted {
                duplicates += 1
            }
            try test.queue.complete(runID: owner.runID, results: claimed.map { result(for: $0) })
        }

        #expect(child.wait() == 0, "helper output: \(child.output)")
        #expect(child.output.contains("enqueued \(total)"), "helper output: \(child.output)")
        #expect(!child.output.contains("locked"), "helper output: \(child.output)")
        #expect(duplicates == 0)
        #expect(done.count == total)
        #expect(try test.queue.counts()[.done] == total)
        #expect(try test.scalar("SELECT count(*) FROM results") == total)
    }
}
