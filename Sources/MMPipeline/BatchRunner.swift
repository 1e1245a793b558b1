import Foundation
import MMCore
import MMFeatures
import MMModel
import MMQueue

/// `mmbatch run`: claims waiting users in batches, scores them in a worker pool and
/// writes their ranked genres, then the run's reports.
///
/// The order of work: take the run lock, recover jobs of dead runs, load the model and
/// the catalogue, then loop: claim a chunk of jobs, score its fixed-size batches on the
/// workers, write each batch's results in one transaction. Batches are slices of the
/// claim order of `batchSize` users whatever `workers` is, and OpenBLAS runs one thread,
/// so every user's scores are the same for any worker count.
public final class BatchRunner {
    let options: RunOptions
    var statistics = RunStatistics()
    /// The result writer's counts, set when the claim loop ends.
    var tally: ResultTally?

    public init(options: RunOptions) {
        self.options = options
    }

    /// Runs the batch and writes its reports.
    ///
    /// - Throws: `QueueError.runLocked` (exit 4) when another run holds the lock, bad
    ///   input (exit 3) for an unusable model or catalogue, and `OutputError` (exit 5)
    ///   when reports cannot be written. A run that fails some users returns exit code 1.
    public func run() throws -> RunOutcome {
        try requireDatabase(options.databasePath)
        let lock = try RunLock.acquire(databasePath: options.databasePath)
        defer { lock.release() }

        let queue = try SQLiteQueue(
            path: options.databasePath, retryPolicy: options.retryPolicy,
            busyTimeoutMilliseconds: options.busyTimeoutMilliseconds)
        let recovered = try queue.recoverAbandoned(now: Date(), isProcessAlive: ProcessLiveness.isAlive)
        statistics.counts.recovered = recovered.count
        logRecovered(recovered)

        let model = try loadModel()
        let runID = try queue.startRun(RunStart(
            modelPath: options.modelPath.path, modelFingerprint: model.fingerprint, optionsJSON: options.json))
        let owner = LeaseOwner.current(runID: runID)
        Log.info(Message("pipeline.run.started"), [
            "run": runID, "db": options.databasePath, "data": options.dataDirectory.path,
            "model": options.modelPath.path, "workers": options.workers, "batch_size": options.batchSize,
        ])

        // The heartbeat writes through a connection of its own, so extending the leases
        // never waits for this thread's transactions.
        let heartbeat = LeaseHeartbeat(
            queue: try SQLiteQueue(path: options.databasePath, busyTimeoutMilliseconds: options.busyTimeoutMilliseconds),
            owner: owner, interval: options.heartbeatSeconds, leaseSeconds: options.leaseSeconds)
        defer { heartbeat.stop() }

        var stopError: (any Error)?
        do {
            try work(queue: queue, model: model, owner: owner)
        } catch {
            stopError = error
            Log.error(Message("pipeline.run.stopped"), ["run": runID, "error": describe(error)])
        }
        heartbeat.stop()
        return try finish(runID: runID, queue: queue, model: model, stopError: stopError)
    }

    // MARK: - Claim and score

    private func work(queue: SQLiteQueue, model: LoadedModel, owner: LeaseOwner) throws {
        let loadStart = monotonicSeconds()
        let prepared = try PreparedInputs.prepare(model: model, options: options)
        statistics.addPhase("loadFeatures", seconds: monotonicSeconds() - loadStart)
        statistics.stores = prepared.storeDescriptions
        statistics.chineseGenreNames = prepared.chineseGenreNames
        if case .unusable(let problem) = prepared.state {
            statistics.inputProblem = problem.message
        }

        BLAS.setThreadCount(1)
        var lanes: [WorkerLane] = []
        if case .ready(let catalogue, let inputs) = prepared.state {
            lanes = (0..<max(1, options.workers)).map { _ in
                WorkerLane(model: model.model, inputs: inputs, catalogue: catalogue, maxTracks: options.maxTracks)
            }
        }
        let chunkSize = options.batchSize * max(1, options.workers) * 2
        // Jobs claimable now, an upper bound on what this run scores (enqueues during the
        // run and backoffs not yet passed make the real count differ).
        let waiting = try queue.counts()
        let claimable = (waiting[.pending] ?? 0) + (waiting[.failed] ?? 0)
        let progress = ProgressReporter(
            Message("pipeline.run.progress"), total: min(claimable, options.userLimit ?? Int.max), unit: "users")
        defer { progress.finish() }
        let writer = ResultWriter(queue: queue, owner: owner, genres: model.model.genres)
        do {
            try claimAndScore(
                queue: queue, owner: owner, prepared: prepared, lanes: lanes, writer: writer, chunkSize: chunkSize,
                progress: progress)
            tally = try writer.finish()
        } catch {
            tally = writer.drain()
            throw error
        }
    }

    private func claimAndScore(
        queue: SQLiteQueue, owner: LeaseOwner, prepared: PreparedInputs, lanes: [WorkerLane], writer: ResultWriter,
        chunkSize: Int, progress: ProgressReporter
    ) throws {
        var remaining = options.userLimit ?? Int.max
        while remaining > 0 {
            let claimStart = monotonicSeconds()
            let jobs = try queue.claim(
                limit: min(chunkSize, remaining), owner: owner, leaseSeconds: options.leaseSeconds, now: Date())
            statistics.addPhase("claim", seconds: monotonicSeconds() - claimStart)
            if jobs.isEmpty {
                break
            }
            remaining -= jobs.count
            statistics.counts.claimed += jobs.count

            switch prepared.state {
            case .ready:
                // The writer writes this chunk while the loop claims and scores the next.
                try writer.submit(score(jobs, lanes: lanes))
            case .unusable(let problem):
                // Every user meets the same catalogue problem: record it on each job, as a
                // transient failure (retried with backoff) or a permanent one (dead).
                try writer.submit(jobs.map { UserFailure(job: $0, reason: problem.reason, kind: problem.kind) })
            }
            progress.advance(by: jobs.count)
        }
    }

    /// Scores `jobs` in batches of `batchSize`, batch i on worker i mod workers.
    private func score(_ jobs: [ClaimedJob], lanes: [WorkerLane]) -> [BatchOutcome] {
        let start = monotonicSeconds()
        let batchCount = (jobs.count + options.batchSize - 1) / options.batchSize
        let slots = IndexedResults<BatchOutcome>(count: batchCount)
        let batchSize = options.batchSize
        DispatchQueue.concurrentPerform(iterations: lanes.count) { laneIndex in
            var batchIndex = laneIndex
            while batchIndex < batchCount {
                let first = batchIndex * batchSize
                let slice = jobs[first..<min(jobs.count, first + batchSize)]
                slots.store(lanes[laneIndex].score(slice), at: batchIndex)
                batchIndex += lanes.count
            }
        }
        let outcomes = slots.collect()

        // Workers overlap, so the wall time is split between the phases in proportion to
        // the time the workers spent in each.
        let wall = monotonicSeconds() - start
        let assemble = outcomes.reduce(0) { $0 + $1.assembleSeconds }
        let inference = outcomes.reduce(0) { $0 + $1.inferenceSeconds }
        let busy = max(assemble + inference, 1e-12)
        statistics.addPhase("assemble", seconds: wall * assemble / busy)
        statistics.addPhase("inference", seconds: wall * inference / busy)
        return outcomes
    }
}

extension BatchRunner {
    /// Logs the jobs taken back from dead runs: each of the first few by user, then a count.
    func logRecovered(_ jobs: [RecoveredJob]) {
        guard !jobs.isEmpty else { return }
        let listed = 20
        for job in jobs.prefix(listed) {
            Log.warning(Message("pipeline.run.recoveredJob"), [
                "user": job.userID, "job": job.id, "previous_run": job.previousRunID.map(String.init) ?? "-",
                "state": job.newState.rawValue, "reason": job.reason,
            ])
        }
        Log.warning(Message("pipeline.run.recovered"), [
            "jobs": jobs.count, "listed": min(listed, jobs.count), "db": options.databasePath,
        ])
    }
}

/// Renders any error in English for the database and logs.
func describe(_ error: any Error) -> String {
    if let known = error as? any MMError {
        return known.message.text(in: .english)
    }
    return String(describing: error)
}
