import Foundation
import MMCore

/// The job queue in one SQLite database file.
///
/// Each instance owns one connection. Several threads may share an instance, because
/// `lock` serializes every use of the connection. Threads or processes that should
/// write in parallel open their own instances, and SQLite then orders their write
/// transactions: each begins with `BEGIN IMMEDIATE` and waits up to the busy timeout.
public final class SQLiteQueue: @unchecked Sendable {
    // `lock` protects `connection` and its cached statements, which SQLite opened
    // without its own mutex (SQLITE_OPEN_NOMUTEX).
    private let lock = NSLock()
    private let connection: Connection

    /// The database file.
    public let path: String
    public let retryPolicy: RetryPolicy
    /// The host name written into leases and compared by recovery.
    public let host: String
    private let randomUnit: @Sendable () -> Double

    /// Users per enqueue transaction: big enough that a million ids take a few seconds,
    /// small enough that a run waiting for the write lock waits milliseconds.
    static let enqueueBatchSize = 4096

    /// Opens the queue database at `path`, creating or upgrading its schema.
    ///
    /// - Parameters:
    ///   - retryPolicy: attempts and backoff for transient failures.
    ///   - host: the host name leases record (tests give another to simulate a host).
    ///   - randomUnit: the source of backoff jitter, uniform in [0, 1).
    public init(
        path: String, retryPolicy: RetryPolicy = .standard, host: String = SystemInfo.hostName,
        busyTimeoutMilliseconds: Int32 = QueueDefaults.busyTimeoutMilliseconds,
        randomUnit: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) throws {
        self.path = path
        self.retryPolicy = retryPolicy
        self.host = host
        self.randomUnit = randomUnit
        connection = try Connection(path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        try Schema.migrate(connection)
    }

    /// Runs `body` with exclusive use of the connection.
    func withConnection<T>(_ body: (Connection) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(connection)
    }
}

// MARK: - Enqueue

extension SQLiteQueue: JobQueue {
    @discardableResult
    public func enqueue(userIDs: some Sequence<String>, priority: Int, runAfter: Date?) throws -> EnqueueSummary {
        var summary = EnqueueSummary()
        var batch: [String] = []
        batch.reserveCapacity(Self.enqueueBatchSize)
        let notBefore = runAfter?.timeIntervalSince1970 ?? 0

        for userID in userIDs {
            guard !userID.isEmpty else {
                summary.skippedEmpty += 1
                continue
            }
            batch.append(userID)
            if batch.count == Self.enqueueBatchSize {
                try enqueueBatch(batch, priority: priority, runAfter: notBefore, into: &summary)
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty {
            try enqueueBatch(batch, priority: priority, runAfter: notBefore, into: &summary)
        }
        return summary
    }

    /// Upserts one batch in one transaction.
    ///
    /// The insert conflicts on `jobs_waiting_user` when the user has a waiting job, and
    /// the update then runs only when it raises the priority. RETURNING yields a row for
    /// an insert or an update and none when nothing changed. An id above the batch's
    /// starting maximum is an insert, because ids come from AUTOINCREMENT.
    private func enqueueBatch(_ userIDs: [String], priority: Int, runAfter: Double, into summary: inout EnqueueSummary) throws {
        let now = Date().timeIntervalSince1970
        try withConnection { connection in
            try connection.writeTransaction {
                let highest = try connection.cached(SQL.maxJobID).firstRow { $0.int64(0) } ?? 0
                let upsert = try connection.cached(SQL.enqueue)
                for userID in userIDs {
                    try upsert.reset(binding: userID, priority, runAfter, now)
                    if let id = try upsert.firstRow({ $0.int64(0) }) {
                        if id > highest {
                            summary.added += 1
                        } else {
                            summary.priorityRaised += 1
                        }
                    } else {
                        summary.alreadyWaiting += 1
                    }
                }
            }
        }
    }

    // MARK: - Claim

    public func claim(limit: Int, owner: LeaseOwner, leaseSeconds: Double, now: Date) throws -> [ClaimedJob] {
        precondition(limit > 0, "claim limit \(limit) must be positive")
        let time = now.timeIntervalSince1970
        var jobs = try withConnection { connection in
            try connection.writeTransaction {
                let statement = try connection.cached(SQL.claim)
                try statement.reset(binding: time, owner.host, owner.pid, owner.runID, time + leaseSeconds, limit)
                return try statement.rows { row in
                    ClaimedJob(id: row.int64(0), userID: row.string(1), attempts: row.int(2), priority: row.int(3))
                }
            }
        }
        // RETURNING gives rows in no promised order.
        jobs.sort { ($0.priority, $1.id) > ($1.priority, $0.id) }
        return jobs
    }

    // MARK: - Fail

    @discardableResult
    public func fail(jobID: Int64, owner: LeaseOwner, error: String, kind: FailureKind, now: Date) throws -> JobState? {
        let time = now.timeIntervalSince1970
        return try withConnection { connection in
            try connection.writeTransaction {
                let find = try connection.cached(SQL.findHeld)
                try find.reset(binding: jobID, owner.runID, owner.host, owner.pid)
                let held = try find.firstRow { row in (attempt: row.int(0), claimedAt: row.optionalDouble(1) ?? time) }
                guard let held else { return nil }

                let retry = kind == .transient && retryPolicy.allowsRetry(after: held.attempt)
                let state: JobState = retry ? .failed : .dead
                let runAfter = retry ? time + retryPolicy.delay(afterAttempt: held.attempt, unit: randomUnit()) : time
                try record(
                    in: connection, jobID: jobID, state: state, runAfter: runAfter, error: error,
                    attempt: held.attempt, runID: owner.runID, startedAt: held.claimedAt, endedAt: time,
                    outcome: state.rawValue)
                return state
            }
        }
    }

    /// Moves a running job to `failed` or `dead` and adds its attempt row.
    func record(
        in connection: Connection, jobID: Int64, state: JobState, runAfter: Double, error: String, attempt: Int,
        runID: Int64?, startedAt: Double, endedAt: Double, outcome: String
    ) throws {
        let update = try connection.cached(SQL.finishFailed)
        let finishedAt: Double? = state == .dead ? endedAt : nil
        try update.reset(binding: state.rawValue, runAfter, finishedAt, error, jobID)
        try update.run()
        let insertAttempt = try connection.cached(SQL.insertAttempt)
        try insertAttempt.reset(binding: jobID, attempt, runID, startedAt, endedAt, outcome, error)
        try insertAttempt.run()
    }

    // MARK: - Counts

    public func counts() throws -> [JobState: Int] {
        var counts = Dictionary(uniqueKeysWithValues: JobState.allCases.map { ($0, 0) })
        try withConnection { connection in
            try connection.cached(SQL.countByState).forEachRow { row in
                if let state = JobState(rawValue: row.string(0)) {
                    counts[state] = row.int(1)
                }
            }
        }
        return counts
    }
}
