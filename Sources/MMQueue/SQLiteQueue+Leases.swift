import Foundation
import MMCore

// MARK: - Leases and recovery

extension SQLiteQueue {
    @discardableResult
    public func heartbeat(owner: LeaseOwner, leaseSeconds: Double, now: Date) throws -> Int {
        let expires = now.timeIntervalSince1970 + leaseSeconds
        return try withConnection { connection in
            try connection.writeTransaction {
                let statement = try connection.cached(SQL.heartbeat)
                try statement.reset(binding: expires, owner.runID, owner.host, owner.pid)
                try statement.run()
                return connection.changes
            }
        }
    }

    /// Puts back abandoned jobs: running jobs whose lease expired, and running jobs whose
    /// owner is a process on this host that no longer exists. A job held by a live
    /// process with an unexpired lease is never taken.
    ///
    /// Each abandoned attempt counts as a transient failure. The job becomes `failed`
    /// with `run_after = now`, so the recovering run can claim it at once, because the
    /// crash was most likely not the job's fault. When its attempts are used up it
    /// becomes `dead` instead, so a job that crashes every worker stops doing so. Runs
    /// on this host still marked running whose process is gone are marked abandoned.
    @discardableResult
    public func recoverAbandoned(now: Date, isProcessAlive: (Int32) -> Bool) throws -> [RecoveredJob] {
        let time = now.timeIntervalSince1970
        let expiredReason = Message("queue.recover.leaseExpired").text()
        let goneReason = Message("queue.recover.ownerGone").text()

        return try withConnection { connection in
            try connection.writeTransaction {
                let running = try connection.cached(SQL.runningJobs).rows { row in
                    AbandonCandidate(
                        jobID: row.int64(0), attempt: row.int(1), claimedAt: row.optionalDouble(2) ?? time,
                        host: row.optionalString(3), pid: Int32(truncatingIfNeeded: row.int64(4)),
                        runID: row.optionalInt64(5), leaseExpires: row.optionalDouble(6), userID: row.string(7))
                }

                var recovered: [RecoveredJob] = []
                for job in running {
                    let reason: String
                    if (job.leaseExpires ?? 0) < time {
                        reason = expiredReason
                    } else if job.host == host && !isProcessAlive(job.pid) {
                        reason = goneReason
                    } else {
                        continue
                    }
                    let state: JobState = retryPolicy.allowsRetry(after: job.attempt) ? .failed : .dead
                    try record(
                        in: connection, jobID: job.jobID, state: state, runAfter: time, error: reason,
                        attempt: job.attempt, runID: job.runID, startedAt: job.claimedAt, endedAt: time,
                        outcome: "abandoned")
                    recovered.append(RecoveredJob(
                        id: job.jobID, userID: job.userID, previousRunID: job.runID, reason: reason, newState: state))
                }

                try markAbandonedRuns(connection, isProcessAlive: isProcessAlive)
                return recovered
            }
        }
    }

    private func markAbandonedRuns(_ connection: Connection, isProcessAlive: (Int32) -> Bool) throws {
        let find = try connection.cached("SELECT id, pid FROM runs WHERE status = 'running' AND host = ?")
        try find.reset(binding: host)
        let runs = try find.rows { (id: $0.int64(0), pid: Int32(truncatingIfNeeded: $0.int64(1))) }
        let mark = try connection.cached("UPDATE runs SET status = 'abandoned' WHERE id = ?")
        for run in runs where !isProcessAlive(run.pid) {
            try mark.reset(binding: run.id)
            try mark.run()
        }
    }
}

private struct AbandonCandidate {
    var jobID: Int64
    var attempt: Int
    var claimedAt: Double
    var host: String?
    var pid: Int32
    var runID: Int64?
    var leaseExpires: Double?
    var userID: String
}
