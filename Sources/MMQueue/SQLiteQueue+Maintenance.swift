import Foundation

// MARK: - Inspection and upkeep

extension SQLiteQueue: QueueMaintenance {
    public func jobs(state: JobState? = nil, userID: String? = nil, limit: Int = 100) throws -> [JobRecord] {
        var conditions: [String] = []
        if state != nil {
            conditions.append("state = ?")
        }
        if userID != nil {
            conditions.append("user_id = ?")
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let sql = """
            SELECT id, user_id, state, priority, attempts, run_after, enqueued_at, claimed_at, finished_at,
                lease_host, lease_pid, lease_run_id, lease_expires, last_error
            FROM jobs \(filter) ORDER BY id DESC LIMIT ?
            """
        return try withConnection { connection in
            let statement = try connection.cached(sql)
            switch (state, userID) {
            case let (state?, userID?): try statement.reset(binding: state.rawValue, userID, limit)
            case let (state?, nil): try statement.reset(binding: state.rawValue, limit)
            case let (nil, userID?): try statement.reset(binding: userID, limit)
            case (nil, nil): try statement.reset(binding: limit)
            }
            return try statement.rows(Self.readJob)
        }
    }

    private static func readJob(_ row: Statement) -> JobRecord {
        let state = JobState(rawValue: row.string(2)) ?? .dead
        let runAfter = row.double(5)
        let owner = row.optionalString(9).map { host in
            LeaseOwner(host: host, pid: Int32(truncatingIfNeeded: row.int64(10)), runID: row.int64(11))
        }
        return JobRecord(
            id: row.int64(0), userID: row.string(1), state: state, priority: row.int(3), attempts: row.int(4),
            runAfter: runAfter > 0 && (state == .pending || state == .failed) ? Date(timeIntervalSince1970: runAfter) : nil,
            enqueuedAt: Date(timeIntervalSince1970: row.double(6)),
            claimedAt: row.optionalDouble(7).map(Date.init(timeIntervalSince1970:)),
            finishedAt: row.optionalDouble(8).map(Date.init(timeIntervalSince1970:)),
            owner: owner,
            leaseExpires: row.optionalDouble(12).map(Date.init(timeIntervalSince1970:)),
            lastError: row.optionalString(13))
    }

    /// Puts each user's newest dead job back to pending, skipping users who already
    /// have a waiting job. Attempts restart at zero, so the job gets the full retry
    /// policy again; the earlier attempts stay in `job_attempts`.
    @discardableResult
    public func retryDead(now: Date = Date()) throws -> Int {
        try withConnection { connection in
            try connection.writeTransaction {
                // UPDATE collects its rows before changing any, so NOT EXISTS tests the
                // table as it was, and at most one job per user (the newest dead) moves.
                try connection.cached(
                    """
                    UPDATE jobs SET state = 'pending', attempts = 0, run_after = 0, finished_at = NULL,
                        lease_expires = NULL
                    WHERE state = 'dead'
                      AND id = (SELECT max(id) FROM jobs AS dead WHERE dead.user_id = jobs.user_id AND dead.state = 'dead')
                      AND NOT EXISTS (SELECT 1 FROM jobs AS waiting WHERE waiting.user_id = jobs.user_id
                                      AND waiting.finished_at IS NULL)
                    """
                ).run()
                return connection.changes
            }
        }
    }

    /// Puts the newest job of each user back to pending when it is dead or failed (a
    /// failed job then skips the rest of its backoff). Attempts restart at zero, as in
    /// `retryDead`. Users whose newest job is pending, running or done are left alone.
    @discardableResult
    public func retry(userIDs: some Sequence<String>, now: Date = Date()) throws -> Int {
        var retried = 0
        var batch: [String] = []
        func flush() throws {
            retried += try retryBatch(batch)
            batch.removeAll(keepingCapacity: true)
        }
        for userID in userIDs {
            batch.append(userID)
            if batch.count == Self.enqueueBatchSize {
                try flush()
            }
        }
        if !batch.isEmpty {
            try flush()
        }
        return retried
    }

    private func retryBatch(_ userIDs: [String]) throws -> Int {
        try withConnection { connection in
            try connection.writeTransaction {
                let statement = try connection.cached(
                    """
                    UPDATE jobs SET state = 'pending', attempts = 0, run_after = 0, finished_at = NULL,
                        lease_expires = NULL
                    WHERE id = (SELECT max(id) FROM jobs WHERE user_id = ?1)
                      AND state IN ('dead', 'failed')
                    """)
                var retried = 0
                for userID in userIDs {
                    try statement.reset(binding: userID)
                    try statement.run()
                    retried += connection.changes
                }
                return retried
            }
        }
    }

    @discardableResult
    public func prune(olderThanDays days: Double, now: Date = Date()) throws -> PruneSummary {
        precondition(days >= 0, "prune age \(days) days must not be negative")
        let cutoff = now.timeIntervalSince1970 - days * 86_400
        return try withConnection { connection in
            try connection.writeTransaction {
                var summary = PruneSummary()
                let attempts = try connection.cached(
                    """
                    DELETE FROM job_attempts WHERE job_id IN
                        (SELECT id FROM jobs WHERE finished_at < ?)
                    """)
                try attempts.reset(binding: cutoff)
                try attempts.run()
                summary.attempts = connection.changes

                let jobs = try connection.cached("DELETE FROM jobs WHERE finished_at < ?")
                try jobs.reset(binding: cutoff)
                try jobs.run()
                summary.jobs = connection.changes

                // A user's newest result survives whatever its age: it is what export shows.
                let results = try connection.cached(
                    """
                    DELETE FROM results WHERE created_at < ?
                      AND run_id < (SELECT max(newer.run_id) FROM results AS newer WHERE newer.user_id = results.user_id)
                    """)
                try results.reset(binding: cutoff)
                try results.run()
                summary.results = connection.changes
                return summary
            }
        }
    }

    /// Runs `PRAGMA wal_checkpoint(TRUNCATE)`: copies the write-ahead log into the
    /// database and truncates the -wal file to zero bytes. Returns false when a reader
    /// kept part of the log from being copied (a later checkpoint finishes it).
    @discardableResult
    public func checkpoint() throws -> Bool {
        try withConnection { connection in
            let statement = try connection.prepare("PRAGMA wal_checkpoint(TRUNCATE)")
            let busy = try statement.firstRow { $0.int(0) } ?? 1
            return busy == 0
        }
    }
}
