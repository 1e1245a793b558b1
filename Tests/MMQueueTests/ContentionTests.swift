import Foundation
import Synchronization
import Testing

@testable import MMQueue

/// Runs `body(index)` on `count` new threads that start together, and waits for all.
/// Errors are collected, not thrown, so one failing thread cannot hide the others.
private func runOnThreads(_ count: Int, _ body: @escaping @Sendable (Int) throws -> Void) -> [String] {
    let ready = Atomic<Int>(0)
    let errors = Mutex<[String]>([])
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        Thread.detachNewThread {
            ready.add(1, ordering: .sequentiallyConsistent)
            while ready.load(ordering: .sequentiallyConsistent) < count {
                sched_yield()
            }
            do {
                try body(index)
            } catch {
                errors.withLock { $0.append("\(error)") }
            }
            group.leave()
        }
    }
    group.wait()
    return errors.withLock { $0 }
}

@Suite struct ContentionTests {
    @Test func singleJobClaimedExactlyOnce() throws {
        let test = try TestQueue("claim-race")
        let workers = 6
        let queues = try (0..<workers).map { _ in try test.reopen() }
        let owner = try test.startRun()

        for round in 0..<40 {
            try test.queue.enqueue(userIDs: ["user\(round)"])
            let claims = Mutex<[Int64]>([])
            let errors = runOnThreads(workers) { index in
                let jobs = try queues[index].claim(limit: 1, owner: owner)
                claims.withLock { $0.append(contentsOf: jobs.map(\.id)) }
            }
            #expect(errors.isEmpty, "round \(round): \(errors)")
            #expect(claims.withLock { $0.count } == 1, "round \(round)")
        }
        #expect(try test.queue.counts()[.running] == 40)
    }

    @Test func manyWorkersDrainQueueOnce() throws {
        let test = try TestQueue("drain")
        let total = 4000
        try test.queue.enqueue(userIDs: userIDs(total))
        let owner = try test.startRun()
        let workers = 4
        let queues = try (0..<workers).map { _ in try test.reopen() }
        let seen = Mutex<[String]>([])

        let errors = runOnThreads(workers) { index in
            while true {
                let jobs = try queues[index].claim(limit: 37, owner: owner)
                if jobs.isEmpty {
                    return
                }
                seen.withLock { $0.append(contentsOf: jobs.map(\.userID)) }
                try queues[index].complete(runID: owner.runID, results: jobs.map { result(for: $0) })
            }
        }

        #expect(errors.isEmpty, "\(errors)")
        let users = seen.withLock { $0 }
        #expect(users.count == total)
        #expect(Set(users).count == total)
        #expect(try test.queue.counts()[.done] == total)
    }

    @Test func enqueueWhileRunClaimsAndCompletes() throws {
        let test = try TestQueue("enqueue-race")
        let producer = try test.reopen()
        let owner = try test.startRun()
        let total = 3000
        let producerDone = Atomic<Bool>(false)
        let completed = Mutex<Int>(0)

        let errors = runOnThreads(2) { index in
            if index == 0 {
                for start in stride(from: 0, to: total, by: 50) {
                    try producer.enqueue(userIDs: (start..<start + 50).map { "t\($0)" })
                }
                producerDone.store(true, ordering: .sequentiallyConsistent)
            } else {
                while true {
                    let finished = producerDone.load(ordering: .sequentiallyConsistent)
                    let jobs = try test.queue.claim(limit: 64, owner: owner)
                    if jobs.isEmpty && finished {
                        return
                    }
                    let summary = try test.queue.complete(runID: owner.runID, results: jobs.map { result(for: $0) })
                    completed.withLock { $0 += summary.completed }
                }
            }
        }

        #expect(errors.isEmpty, "\(errors)")
        #expect(completed.withLock { $0 } == total)
        #expect(try test.scalar("SELECT count(DISTINCT user_id) FROM results") == total)
    }
}
