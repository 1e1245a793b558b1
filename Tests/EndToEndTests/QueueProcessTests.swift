import Foundation
import MMModel
import MMPipelineTestSupport
import MMTestSupport
import Testing

@testable import MMQueue

/// The queue under what happens to nightly jobs, with real processes and database files:
/// runs killed with SIGKILL, enqueues during a run, overlapping runs, failing files.
@Suite(.serialized) struct QueueProcessTests {
    /// Makes a catalogue at the reference dimensions, big enough that a run lasts long
    /// enough to be interrupted (about a second in a release build on two cores).
    static func largeFixture(_ label: String, users: Int = 3000, variant: ModelVariant = .concat) throws -> CatalogueFixture {
        try CatalogueFixture(
            label, recipe: CatalogueFixture.referenceRecipe(users: users), variant: variant, hidden: 64, epochs: 1)
    }

    @Test func killedRunRecoveredByNextRun() throws {
        // The attention variant scores several times slower than concat, so the run
        // lasts long enough to be caught mid-way.
        let fixture = try Self.largeFixture("kill", variant: .attention)
        _ = try BuiltBinary.run(["enqueue", "--all", "--data", fixture.data.path, "--db", fixture.database])
        let queue = try SQLiteQueue(path: fixture.database)

        // One worker scoring chunks of 512 users: most of the run's time some jobs are
        // claimed and not yet written, and the kill lands in such a moment.
        let first = try BuiltBinary.start(["run", "--workers", "1", "--batch-size", "256"] + fixture.commandOptions)
        var counts = try queue.counts()
        let deadline = Date().addingTimeInterval(120)
        while ((counts[.done] ?? 0) == 0 || (counts[.running] ?? 0) == 0) && first.isRunning && Date() < deadline {
            usleep(1_000)
            counts = try queue.counts()
        }
        first.kill()
        let killed = first.wait()
        #expect(killed.signaled, "the first run ended before it could be killed: \(killed.stderr.suffix(300))")
        counts = try queue.counts()
        #expect((counts[.running] ?? 0) > 0, "the killed run held no claimed jobs: \(counts)")
        #expect((counts[.done] ?? 0) < 3000)

        let second = try BuiltBinary.run(["run"] + fixture.commandOptions)

        #expect(second.status == 0, "\(second.stderr.suffix(500))")
        #expect(second.stderr.contains("recovered jobs of runs that died"))
        let runningBefore = counts[.running] ?? 0
        let named = second.stderr.split(separator: "\n").filter { $0.contains("recovered a job") && $0.contains("user=u") }
        #expect(named.count == min(20, runningBefore), "\(second.stderr.prefix(2000))")
        #expect(try queue.counts()[.done] == 3000)
        let export = try BuiltBinary.run(["export", "--no-bom", "--db", fixture.database])
        let rows = export.stdout.split(separator: "\r\n").dropFirst()
        var rowsPerUser: [Substring: Int] = [:]
        for row in rows {
            rowsPerUser[row.prefix(while: { $0 != "," }), default: 0] += 1
        }
        #expect(rowsPerUser.count == 3000)
        #expect(rowsPerUser.values.allSatisfy { $0 == 3 })
        var storedUsers: [String] = []
        for run in try queue.runs(limit: 10) {
            storedUsers += try queue.results(runID: run.id).map(\.userID)
        }
        #expect(storedUsers.count == 3000)
        #expect(Set(storedUsers).count == 3000)
    }

    @Test func secondRunExitsWithLockCode() throws {
        let fixture = try CatalogueFixture("lock")
        _ = try BuiltBinary.run(["enqueue", "u00001", "--db", fixture.database])
        let holder = try RunLock.acquire(databasePath: fixture.database)
        defer { holder.release() }

        let output = try BuiltBinary.run(["run"] + fixture.commandOptions)

        #expect(output.status == 4)
        #expect(output.stderr.contains("process \(getpid()) on"))
    }

    @Test func runsStartedTogetherOnlyOneWorks() throws {
        let fixture = try Self.largeFixture("together")
        _ = try BuiltBinary.run(["enqueue", "--all", "--data", fixture.data.path, "--db", fixture.database])

        let first = try BuiltBinary.start(["run"] + fixture.commandOptions)
        let second = try BuiltBinary.start(["run"] + fixture.commandOptions)
        let outputs = [first.wait(), second.wait()]

        let statuses = outputs.map(\.status).sorted()
        #expect(statuses == [0, 4], "exit codes \(statuses): \(outputs.map { $0.stderr.suffix(300) })")
        let locked = outputs.first { $0.status == 4 }
        #expect(locked?.stderr.contains("another run holds the lock") == true)
        #expect(try SQLiteQueue(path: fixture.database).counts()[.done] == 3000)
    }

    @Test func enqueueDuringRunLosesNothing() throws {
        let fixture = try Self.largeFixture("contention", users: 4000, variant: .attention)
        let initial = fixture.userIDs.prefix(3000)
        _ = try BuiltBinary.run(["enqueue", "--db", fixture.database] + initial)
        let lists = [fixture.userIDs[3000..<3500], fixture.userIDs[3500..<4000]].enumerated().map { index, ids in
            fixture.folder.write("ids-\(index).txt", ids.joined(separator: "\n") + "\n")
        }

        let run = try BuiltBinary.start(["run", "--batch-size", "32"] + fixture.commandOptions)
        let queue = try SQLiteQueue(path: fixture.database)
        while try queue.counts()[.done] == 0 && run.isRunning {
            usleep(1_000)
        }
        let enqueuers = try lists.map { list in
            try BuiltBinary.start(["enqueue", "--from", list.path, "--db", fixture.database])
        }
        let enqueued = enqueuers.map { $0.wait() }
        #expect(run.isRunning, "the run ended before the enqueues finished, so they did not contend with it")
        let finished = run.wait()

        for output in enqueued {
            #expect(output.status == 0, "\(output.stderr)")
            #expect(output.stdout.contains("enqueued: 500 new"))
            #expect(!output.stderr.contains("locked"))
        }
        #expect(finished.status == 0, "\(finished.stderr.suffix(300))")
        let counts = try queue.counts()
        #expect((counts[.done] ?? 0) + (counts[.pending] ?? 0) == 4000, "\(counts)")
        #expect((counts[.done] ?? 0) >= 3000)
        let jobs = try queue.jobs(state: nil, userID: nil, limit: 10_000)
        #expect(jobs.count == 4000)
        #expect(Set(jobs.map(\.userID)).count == 4000)
    }

    @Test func transientFailuresRetriedUntilDone() throws {
        let fixture = try CatalogueFixture("transient")
        let covers = fixture.data.appendingPathComponent("covers.csv")
        let aside = fixture.folder.path("covers.aside")
        try FileManager.default.moveItem(at: covers, to: aside)
        try FileManager.default.createDirectory(at: covers, withIntermediateDirectories: false)
        _ = try BuiltBinary.run(["enqueue", "u00001", "--db", fixture.database])
        let queue = try SQLiteQueue(path: fixture.database)
        let options = ["--backoff", "0.05"] + fixture.commandOptions

        for attempt in 1...2 {
            let run = try BuiltBinary.run(["run"] + options)
            #expect(run.status == 3)
            #expect(run.stderr.contains("mmbatch: error: the run failed:"))
            let job = try #require(try queue.jobs(state: nil, userID: "u00001", limit: 1).first)
            #expect(job.state == .failed)
            #expect(job.attempts == attempt)
            #expect(job.lastError?.contains("covers.csv") == true)
            usleep(200_000)
        }
        try FileManager.default.removeItem(at: covers)
        try FileManager.default.moveItem(at: aside, to: covers)

        let last = try BuiltBinary.run(["run"] + options)

        #expect(last.status == 0, "\(last.stderr.suffix(300))")
        let job = try #require(try queue.jobs(state: nil, userID: "u00001", limit: 1).first)
        #expect(job.state == .done)
        #expect(job.attempts == 3)
    }

    @Test func alwaysFailingJobDiesAtMaximum() throws {
        let fixture = try CatalogueFixture("always")
        let covers = fixture.data.appendingPathComponent("covers.csv")
        try FileManager.default.removeItem(at: covers)
        try FileManager.default.createDirectory(at: covers, withIntermediateDirectories: false)
        _ = try BuiltBinary.run(["enqueue", "u00001", "--db", fixture.database])
        let options = ["--backoff", "0.05", "--max-attempts", "3"] + fixture.commandOptions
        let queue = try SQLiteQueue(path: fixture.database)

        for _ in 1...3 {
            _ = try BuiltBinary.run(["run"] + options)
            usleep(200_000)
        }

        let job = try #require(try queue.jobs(state: nil, userID: "u00001", limit: 1).first)
        #expect(job.state == .dead)
        #expect(job.attempts == 3)
        let fourth = try BuiltBinary.run(["run"] + options)
        #expect(fourth.stdout.contains("scored 0, failed 0, dead 0"))
    }

    @Test func busyDatabaseWaitsThenReportsClearly() throws {
        let fixture = try CatalogueFixture("busy")
        _ = try BuiltBinary.run(["enqueue", "u00001", "--db", fixture.database])
        let blocker = try Connection(path: fixture.database)
        try blocker.execute("BEGIN IMMEDIATE")

        // Held for less than the busy timeout: the enqueue waits and succeeds.
        let waiting = try BuiltBinary.start(["enqueue", "u00002", "--db", fixture.database])
        usleep(400_000)
        try blocker.execute("COMMIT")
        let enqueued = waiting.wait()
        #expect(enqueued.status == 0, "\(enqueued.stderr)")

        // Held past the run's busy timeout: the run stops with a clear error and loses nothing.
        try blocker.execute("BEGIN IMMEDIATE")
        let blocked = try BuiltBinary.run(["run", "--busy-timeout", "200"] + fixture.commandOptions)
        try blocker.execute("COMMIT")
        #expect(blocked.status == 5, "\(blocked.stderr)")
        #expect(blocked.stderr.contains("busy") || blocked.stderr.contains("locked"))

        let run = try BuiltBinary.run(["run"] + fixture.commandOptions)
        #expect(run.status == 0, "\(run.stderr.suffix(300))")
        #expect(try SQLiteQueue(path: fixture.database).counts()[.done] == 2)
    }
}
