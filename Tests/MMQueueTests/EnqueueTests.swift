import Foundation
import Testing

@testable import MMQueue

@Suite struct EnqueueTests {
    @Test func enqueueAddsPendingJobs() throws {
        let test = try TestQueue()
        let summary = try test.queue.enqueue(userIDs: ["a", "b", "c"])
        #expect(summary == EnqueueSummary(added: 3))
        let counts = try test.queue.counts()
        #expect(counts[.pending] == 3)
        #expect(counts[.running] == 0)
        #expect(counts.count == JobState.allCases.count)
    }

    @Test func enqueueTwiceChangesNothing() throws {
        let test = try TestQueue()
        try test.queue.enqueue(userIDs: ["a", "b"], priority: 2)
        let again = try test.queue.enqueue(userIDs: ["b", "a", "c"], priority: 2)
        #expect(again == EnqueueSummary(added: 1, alreadyWaiting: 2))
        #expect(try test.scalar("SELECT count(*) FROM jobs") == 3)
    }

    @Test func duplicateIdsInOneCall() throws {
        let test = try TestQueue()
        let summary = try test.queue.enqueue(userIDs: ["a", "a", "b", "a"])
        #expect(summary == EnqueueSummary(added: 2, alreadyWaiting: 2))
        #expect(try test.scalar("SELECT count(*) FROM jobs") == 2)
    }

    @Test func higherPriorityRaisesLowerKeeps() throws {
        let test = try TestQueue()
        try test.queue.enqueue(userIDs: ["a", "b"], priority: 5)
        let raised = try test.queue.enqueue(userIDs: ["a"], priority: 9)
        #expect(raised == EnqueueSummary(priorityRaised: 1))
        let lower = try test.queue.enqueue(userIDs: ["b"], priority: 1)
        #expect(lower == EnqueueSummary(alreadyWaiting: 1))

        let jobs = try test.queue.jobs(state: nil, userID: nil, limit: 10)
        #expect(jobs.first { $0.userID == "a" }?.priority == 9)
        #expect(jobs.first { $0.userID == "b" }?.priority == 5)
    }

    @Test func runningAndFailedUsersStayWaiting() throws {
        let test = try TestQueue()
        let owner = try test.startRun()
        try test.queue.enqueue(userIDs: ["a", "b"])
        let claimed = try test.queue.claim(limit: 2, owner: owner)
        try test.queue.fail(jobID: claimed[1].id, owner: owner, error: "disk", kind: .transient)

        let again = try test.queue.enqueue(userIDs: ["a", "b"])
        #expect(again == EnqueueSummary(alreadyWaiting: 2))
        #expect(try test.scalar("SELECT count(*) FROM jobs") == 2)
    }

    @Test func doneUserGetsNewJob() throws {
        let test = try TestQueue()
        let owner = try test.startRun()
        try test.queue.enqueue(userIDs: ["a"])
        let claimed = try test.queue.claim(limit: 1, owner: owner)
        try test.queue.complete(runID: owner.runID, results: [result(for: claimed[0])])

        let again = try test.queue.enqueue(userIDs: ["a"])
        #expect(again == EnqueueSummary(added: 1))
        let counts = try test.queue.counts()
        #expect(counts[.done] == 1)
        #expect(counts[.pending] == 1)
    }

    @Test func emptyIdsSkipped() throws {
        let test = try TestQueue()
        let summary = try test.queue.enqueue(userIDs: ["", "a", ""])
        #expect(summary == EnqueueSummary(added: 1, skippedEmpty: 2))
    }

    @Test func largeInputSpansBatches() throws {
        let test = try TestQueue()
        let count = SQLiteQueue.enqueueBatchSize * 2 + 17
        let summary = try test.queue.enqueue(userIDs: userIDs(count))
        #expect(summary.added == count)
        let again = try test.queue.enqueue(userIDs: userIDs(count))
        #expect(again.alreadyWaiting == count)
        #expect(try test.queue.counts()[.pending] == count)
    }

    @Test func runAfterDelaysClaim() throws {
        let test = try TestQueue()
        let owner = try test.startRun()
        let now = Date()
        try test.queue.enqueue(userIDs: ["later"], priority: 9, runAfter: now.addingTimeInterval(3600))
        try test.queue.enqueue(userIDs: ["now"], priority: 0, runAfter: nil)

        let first = try test.queue.claim(limit: 10, owner: owner, leaseSeconds: 60, now: now)
        #expect(first.map(\.userID) == ["now"])
        let later = try test.queue.claim(limit: 10, owner: owner, leaseSeconds: 60, now: now.addingTimeInterval(3601))
        #expect(later.map(\.userID) == ["later"])
    }
}
