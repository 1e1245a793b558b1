import Foundation
import MMCore
import MMTestSupport
import Testing

@testable import MMQueue

@Suite struct RunLockTests {
    @Test func secondAcquireRejectedWithHolder() throws {
        let directory = TemporaryDirectory("lock")
        let database = directory.path("queue.sqlite").path
        let lock = try RunLock.acquire(databasePath: database)
        #expect(lock.path == database + ".lock")

        do {
            _ = try RunLock.acquire(databasePath: database)
            Issue.record("second acquire succeeded")
        } catch let error as QueueError {
            guard case .runLocked(_, let pid, let host, let since) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(pid == getpid())
            #expect(host == SystemInfo.hostName)
            #expect(since != nil)
            #expect(error.exitCode == .locked)
            #expect(error.message.text(in: .english).contains("process \(getpid())"))
        }
    }

    @Test func releaseLetsNextAcquire() throws {
        let directory = TemporaryDirectory("lock")
        let database = directory.path("queue.sqlite").path
        var lock: RunLock? = try RunLock.acquire(databasePath: database)
        lock?.release()
        lock?.release()
        let second = try RunLock.acquire(databasePath: database)
        second.release()
        lock = nil
        // Dropping the value releases the lock too.
        var third: RunLock? = try RunLock.acquire(databasePath: database)
        _ = third
        third = nil
        #expect(throws: Never.self) { try RunLock.acquire(databasePath: database) }
    }

    @Test func unwritableFolderReported() throws {
        let directory = TemporaryDirectory("lock")
        let database = directory.path("missing/queue.sqlite").path
        #expect {
            try RunLock.acquire(databasePath: database)
        } throws: { error in
            let error = error as? SystemError
            return error?.exitCode == .outputFailed && error?.message.key == "queue.lock.failed"
        }
    }
}
