import Foundation
import MMCore
import MMQueue
import MMReports

/// Counts gathered while a run's results are written: outcomes per user, data quality
/// and the figures of the report's charts. The report then needs no second pass over
/// the database.
struct ResultTally {
    var done = 0
    var failed = 0
    var dead = 0
    var failures: [FailureRecord] = []
    var usersWithMissingTracks = 0
    var tracksMissing = 0
    var usersWithoutTracks = 0
    var seconds = 0.0
    let genreIndex: [String: Int]
    var topGenreCounts: [Int]
    var topProbabilitySums: [Double]
    var topProbabilities: [Float] = []
    var engagements: [Float] = []

    init(genres: [String]) {
        genreIndex = Dictionary(genres.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        topGenreCounts = [Int](repeating: 0, count: genres.count)
        topProbabilitySums = [Double](repeating: 0, count: genres.count)
    }

    mutating func noteWritten(_ result: UserResult) {
        done += 1
        if result.missingTracks > 0 {
            usersWithMissingTracks += 1
            tracksMissing += result.missingTracks
        }
        if result.noTracks {
            usersWithoutTracks += 1
        }
        guard let top = result.ranked.first else { return }
        if let index = genreIndex[top.genre] {
            topGenreCounts[index] += 1
            topProbabilitySums[index] += Double(top.probability)
        }
        topProbabilities.append(top.probability)
        engagements.append(result.engagement)
    }

    mutating func noteFailure(userID: String, state: JobState, reason: String, attempts: Int) {
        switch state {
        case .dead:
            dead += 1
            failures.append(FailureRecord(userID: userID, state: .dead, reason: reason, attempts: attempts))
        case .failed:
            failed += 1
            failures.append(FailureRecord(userID: userID, state: .failed, reason: reason, attempts: attempts))
        default:
            break
        }
    }
}

/// Writes a run's scored batches on a thread of its own, so the workers score the next
/// chunk while the previous one is written. One chunk at most is in flight, which bounds
/// the memory held by results waiting to be written.
final class ResultWriter: @unchecked Sendable {
    // `tally` and `error` are used only by blocks on `thread`. The runner reads them
    // through `thread.sync` after waiting for `pending`, so no read races a write.
    private let queue: SQLiteQueue
    private let owner: LeaseOwner
    private let thread = DispatchQueue(label: "mmbatch.result-writer")
    private let pending = DispatchGroup()
    private var tally: ResultTally
    private var error: (any Error)?

    init(queue: SQLiteQueue, owner: LeaseOwner, genres: [String]) {
        self.queue = queue
        self.owner = owner
        tally = ResultTally(genres: genres)
    }

    /// Queues a chunk's outcomes for writing, after the previous chunk is written.
    /// Throws the error that stopped the previous chunk, if any.
    func submit(_ outcomes: [BatchOutcome]) throws {
        try waitUntilIdle()
        pending.enter()
        thread.async {
            defer { self.pending.leave() }
            do {
                try self.write(outcomes)
            } catch {
                self.error = error
            }
        }
    }

    /// Records failures of users that were never scored, after pending writes.
    func submit(_ failures: [UserFailure]) throws {
        try waitUntilIdle()
        try thread.sync {
            try recordFailures(failures)
        }
    }

    /// Waits for every queued chunk and returns the counts, or throws a write error.
    func finish() throws -> ResultTally {
        try waitUntilIdle()
        return thread.sync { tally }
    }

    /// Waits for every queued chunk and returns the counts so far, even after an error;
    /// for a run that stops early.
    func drain() -> ResultTally {
        pending.wait()
        return thread.sync { tally }
    }

    private func waitUntilIdle() throws {
        pending.wait()
        if let error = thread.sync(execute: { self.error }) {
            throw error
        }
    }

    /// Writes each batch's results in one transaction, then records its failures.
    private func write(_ outcomes: [BatchOutcome]) throws {
        let start = monotonicSeconds()
        defer { tally.seconds += monotonicSeconds() - start }
        for outcome in outcomes {
            do {
                let summary = try queue.complete(runID: owner.runID, results: outcome.results, now: Date())
                let lost = Set(summary.leaseLost)
                for result in outcome.results where !lost.contains(result.jobID) {
                    tally.noteWritten(result)
                }
                if !lost.isEmpty {
                    Log.warning(Message("pipeline.run.leaseLost"), ["jobs": lost.count, "run": owner.runID])
                }
            } catch let error as SQLiteError where error.isTransient {
                // The results could not be written (database busy past the timeout, disk
                // full): record a transient failure so the jobs are retried with backoff.
                let reason = error.message.text(in: .english)
                Log.error(Message("pipeline.run.writeFailed"), ["users": outcome.results.count, "error": reason])
                try recordFailures(outcome.resultJobs.map { UserFailure(job: $0, reason: reason, kind: .transient) })
            }
            try recordFailures(outcome.failures)
        }
    }

    private func recordFailures(_ failures: [UserFailure]) throws {
        for failure in failures {
            let state: JobState?
            do {
                state = try queue.fail(jobID: failure.job.id, owner: owner, error: failure.reason, kind: failure.kind, now: Date())
            } catch let error as SQLiteError where error.isTransient {
                // The lease expires and the next run recovers the job as abandoned.
                Log.error(Message("pipeline.run.failRecordFailed"), ["user": failure.job.userID, "error": describe(error)])
                continue
            }
            guard let state else { continue }
            tally.noteFailure(userID: failure.job.userID, state: state, reason: failure.reason, attempts: failure.job.attempts)
            Log.warning(Message("pipeline.run.userFailed"), [
                "user": failure.job.userID, "state": state.rawValue, "kind": failure.kind.rawValue, "reason": failure.reason,
            ])
        }
    }
}
