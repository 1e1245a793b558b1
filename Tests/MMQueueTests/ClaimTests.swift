import Foundation
import Testing

@testable import MMQueue

@Suite struct ClaimTests {
    @Test func claimOrdersByPriorityThenId() throws {
        let test = try TestQueue()
        let owner = try test.startRun()
        try test.queue.enqueue(userIDs: ["low1", "low2"], priority: 0)
        try test.queue.enqueue(userIDs: ["high1"], priority: 5)
        try test.queue.enqueue(userIDs: ["mid1", "mid2"], priority: 3)
        try test.queue.enqueue(userIDs: ["high2"], priority: 5)

        let first = try test.queue.claim(limit: 4, owner: owner)
        #expect(first.map(\.userID) == ["high1", "high2", "mid1", "mid2"])
        let rest = try test.queue.claim(limit: 4, owner: owner)
        #expect(rest.map(\.userID) == ["low1", "low2"])
        #expect(try test.queue.claim(limit: 4, owner: owner).isEmpty)
    }

    @Test func claimSetsLeaseAndAttempt() throws {
        let test = try TestQueue()
        let owner = try test.startRun()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        try test.queue.enqueue(userIDs: ["a"], priority: 4)

        let claimed = try test.queue.claim(limit: 1, owner: owner, leaseSeconds: 60, now: now)
        #expect(claimed == [ClaimedJob(id: claimed[0].id, userID: "a", attempts: 1, priority: 4)])

        let job = try #require(try test.queue.jobs(state: .running, userID: "a", limit: 1).first)
        #expect(job.owner == owner)
        #expect(job.leaseExpires == now.addingTimeInterval(60))
        #expect(job.claimedAt == now)
        #expect(try test.queue.counts()[.running] == 1)
    }

    @Test func claimUsesClaimableIndex() throws {
        let test = try TestQueue()
        let plan = try test.queue.withConnection { connection in
            let statement = try connection.prepare("EXPLAIN QUERY PLAN " + SQL.claim)
            try statement.reset(binding: 0.0, "h", 1, 1, 60.0, 10)
            return try statement.rows { $0.string(3) }.joined(separator: "\n")
        }
        #expect(plan.contains("jobs_claimable"), "plan: \(plan)")
        #expect(!plan.contains("TEMP B-TREE"), "plan: \(plan)")
    }

    @Test func claimedJobsNotClaimedAgain() throws {
        let test = try TestQueue()
        let first = try test.startRun()
        let second = try test.startRun()
        try test.queue.enqueue(userIDs: userIDs(10))

        let a = try test.queue.claim(limit: 6, owner: first)
        let b = try test.queue.claim(limit: 6, owner: second)
        #expect(a.count == 6)
        #expect(b.count == 4)
        #expect(Set(a.map(\.id)).isDisjoint(with: b.map(\.id)))
    }
}
