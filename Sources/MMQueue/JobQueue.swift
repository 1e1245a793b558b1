import Foundation

/// The job queue as a run uses it: enqueue, claim, complete, fail, leases and the runs
/// table.
///
/// `SQLiteQueue` implements it on one SQLite file. The protocol keeps the pipeline free
/// of SQL, so a PostgreSQL backend (claims with `FOR UPDATE SKIP LOCKED`, for workers on
/// many machines) can be added without touching the pipeline. Every method commits
/// before it returns.
public protocol JobQueue: AnyObject, Sendable {
    /// Adds a pending job for each user who has no waiting (pending, running or failed)
    /// job. For a user who has one, it raises the priority to `priority` when that is
    /// higher and otherwise changes nothing. New jobs are not claimable before `runAfter`.
    ///
    /// Ids are written in transactions of a few thousand, so a run waiting to claim
    /// waits for one batch, not for the whole input. When a batch fails, the batches
    /// before it stay committed; enqueueing the same ids again is safe.
    func enqueue(userIDs: some Sequence<String>, priority: Int, runAfter: Date?) throws -> EnqueueSummary

    /// Atomically takes up to `limit` claimable jobs (pending, or failed with `run_after`
    /// passed) in `priority DESC, id` order for `owner`, with a lease of `leaseSeconds`,
    /// and returns them in that order.
    func claim(limit: Int, owner: LeaseOwner, leaseSeconds: Double, now: Date) throws -> [ClaimedJob]

    /// Writes each result and marks its job done, in one transaction, for the jobs that
    /// run `runID` still holds. Results of jobs whose lease was lost are not written.
    func complete(runID: Int64, results: [UserResult], now: Date) throws -> CompletionSummary

    /// Records a failed attempt of a job `owner` holds. A transient failure makes the
    /// job `failed` with backoff until its attempts run out, then `dead`; a permanent one
    /// makes it `dead` at once. Returns the new state, or nil when `owner` no longer
    /// holds the job.
    func fail(jobID: Int64, owner: LeaseOwner, error: String, kind: FailureKind, now: Date) throws -> JobState?

    /// Extends the lease of every job `owner` holds to `now + leaseSeconds` and returns
    /// how many jobs that is.
    func heartbeat(owner: LeaseOwner, leaseSeconds: Double, now: Date) throws -> Int

    /// Puts back running jobs whose lease expired, or whose owner on this host has no
    /// live process, counting each as a transient failure, and returns them.
    func recoverAbandoned(now: Date, isProcessAlive: (Int32) -> Bool) throws -> [RecoveredJob]

    /// Job counts per state, every state present.
    func counts() throws -> [JobState: Int]

    /// Records the start of a run and returns its id.
    func startRun(_ start: RunStart) throws -> Int64

    /// Records how a run ended.
    func finishRun(id: Int64, status: RunStatus, counts: RunCounts, endedAt: Date, summaryJSON: String) throws

    /// Returns the run with `id`, or nil.
    func run(id: Int64) throws -> RunRecord?

    /// Returns the newest `limit` runs, newest first.
    func runs(limit: Int) throws -> [RunRecord]
}

extension JobQueue {
    @discardableResult
    public func enqueue(userIDs: some Sequence<String>, priority: Int = 0) throws -> EnqueueSummary {
        try enqueue(userIDs: userIDs, priority: priority, runAfter: nil)
    }

    public func claim(limit: Int, owner: LeaseOwner, now: Date = Date()) throws -> [ClaimedJob] {
        try claim(limit: limit, owner: owner, leaseSeconds: QueueDefaults.leaseSeconds, now: now)
    }

    @discardableResult
    public func complete(runID: Int64, results: [UserResult]) throws -> CompletionSummary {
        try complete(runID: runID, results: results, now: Date())
    }

    @discardableResult
    public func fail(jobID: Int64, owner: LeaseOwner, error: String, kind: FailureKind) throws -> JobState? {
        try fail(jobID: jobID, owner: owner, error: error, kind: kind, now: Date())
    }

    @discardableResult
    public func heartbeat(owner: LeaseOwner, leaseSeconds: Double = QueueDefaults.leaseSeconds) throws -> Int {
        try heartbeat(owner: owner, leaseSeconds: leaseSeconds, now: Date())
    }

    @discardableResult
    public func recoverAbandoned(now: Date = Date()) throws -> [RecoveredJob] {
        try recoverAbandoned(now: now, isProcessAlive: ProcessLiveness.isAlive)
    }

    public func finishRun(id: Int64, status: RunStatus, counts: RunCounts, summaryJSON: String = "{}") throws {
        try finishRun(id: id, status: status, counts: counts, endedAt: Date(), summaryJSON: summaryJSON)
    }
}

/// Reading the results that runs wrote, for reports and `mmbatch export`.
public protocol ResultStore: AnyObject, Sendable {
    /// Calls `body` with each result of run `runID`, ordered by user id.
    func forEachResult(runID: Int64, _ body: (StoredResult) throws -> Void) throws

    /// Calls `body` with each user's newest result, whichever run wrote it, ordered by
    /// user id. Rows are read one at a time, so a million users need no array of them.
    func latestResults(_ body: (StoredResult) throws -> Void) throws

    /// Counts the users of run `runID` per top genre, most first.
    func genreDistribution(runID: Int64) throws -> [GenreCount]

    /// Compares the run's top genres with the newest earlier run that has results, or
    /// returns nil when no earlier run has any.
    func compareWithPrevious(runID: Int64) throws -> RunComparison?
}

extension ResultStore {
    /// Returns every result of run `runID`, ordered by user id.
    public func results(runID: Int64) throws -> [StoredResult] {
        var rows: [StoredResult] = []
        try forEachResult(runID: runID) { rows.append($0) }
        return rows
    }
}

/// Inspection and upkeep: listing jobs, retrying dead ones, pruning, checkpoints.
public protocol QueueMaintenance: AnyObject, Sendable {
    /// Jobs, newest first, optionally only those in `state` or of `userID`.
    func jobs(state: JobState?, userID: String?, limit: Int) throws -> [JobRecord]

    /// Puts every user's newest dead job back to pending (unless the user already has a
    /// waiting job) and returns how many.
    func retryDead(now: Date) throws -> Int

    /// Puts the newest dead or failed job of each user back to pending and returns how
    /// many.
    func retry(userIDs: some Sequence<String>, now: Date) throws -> Int

    /// Deletes done and dead jobs that finished before `days` ago with their attempts,
    /// and result rows written before then, except each user's newest result.
    func prune(olderThanDays days: Double, now: Date) throws -> PruneSummary

    /// Copies the write-ahead log into the database and truncates it.
    @discardableResult
    func checkpoint() throws -> Bool
}

/// Whether a process exists, for finding runs whose process is gone.
public enum ProcessLiveness {
    /// True when `pid` names a live process on this host: `kill(pid, 0)` succeeds, or
    /// fails with EPERM (the process exists but belongs to another user).
    public static func isAlive(_ pid: Int32) -> Bool {
        guard pid > 0 else { return false }
        if kill(pid, 0) == 0 {
            return true
        }
        return errno == EPERM
    }
}
