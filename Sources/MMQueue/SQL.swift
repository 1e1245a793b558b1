/// The queue's statements, kept together so the indexes they need are easy to check
/// against `Schema`. Parameters are positional (`?`) or numbered (`?1`) as noted.
enum SQL {
    static let maxJobID = "SELECT max(id) FROM jobs"

    /// 1 user id, 2 priority, 3 run_after, 4 enqueued_at.
    static let enqueue = """
        INSERT INTO jobs (user_id, priority, run_after, enqueued_at) VALUES (?, ?, ?, ?)
        ON CONFLICT (user_id) WHERE state IN ('pending', 'running', 'failed')
        DO UPDATE SET priority = excluded.priority WHERE excluded.priority > jobs.priority
        RETURNING id
        """

    /// The claim, one statement: ?1 now, ?2 host, ?3 pid, ?4 run id, ?5 lease expiry,
    /// ?6 limit. The subquery's WHERE repeats the `jobs_claimable` index's condition
    /// word for word, which is what lets SQLite use a partial index.
    static let claim = """
        UPDATE jobs
        SET state = 'running', attempts = attempts + 1, claimed_at = ?1,
            lease_host = ?2, lease_pid = ?3, lease_run_id = ?4, lease_expires = ?5
        WHERE id IN (
            SELECT id FROM jobs
            WHERE state IN ('pending', 'failed') AND run_after <= ?1
            ORDER BY priority DESC, id
            LIMIT ?6)
        RETURNING id, user_id, attempts, priority
        """

    /// 1 now, 2 job id, 3 run id. The lease columns stay as the record of the last owner.
    static let finishDone = """
        UPDATE jobs SET state = 'done', finished_at = ?1, lease_expires = NULL, last_error = NULL
        WHERE id = ?2 AND state = 'running' AND lease_run_id = ?3
        RETURNING user_id, attempts, claimed_at
        """

    /// 1 job id, 2 run id, 3 host, 4 pid.
    static let findHeld = """
        SELECT attempts, claimed_at FROM jobs
        WHERE id = ? AND state = 'running' AND lease_run_id = ? AND lease_host = ? AND lease_pid = ?
        """

    /// 1 state, 2 run_after, 3 finished_at, 4 error, 5 job id.
    static let finishFailed = """
        UPDATE jobs SET state = ?, run_after = ?, finished_at = ?, last_error = ?, lease_expires = NULL
        WHERE id = ?
        """

    /// 1 run id, 2 user id, 3 job id, 4 top genre, 5 top probability, 6 engagement,
    /// 7 ranking, 8 probabilities, 9 no_tracks, 10 missing_tracks, 11 created_at.
    static let upsertResult = """
        INSERT INTO results (run_id, user_id, job_id, top_genre, top_probability, engagement,
                             ranking, probabilities, no_tracks, missing_tracks, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (run_id, user_id) DO UPDATE SET
            job_id = excluded.job_id, top_genre = excluded.top_genre,
            top_probability = excluded.top_probability, engagement = excluded.engagement,
            ranking = excluded.ranking, probabilities = excluded.probabilities,
            no_tracks = excluded.no_tracks, missing_tracks = excluded.missing_tracks,
            created_at = excluded.created_at
        """

    /// 1 job id, 2 attempt, 3 run id, 4 started, 5 ended, 6 outcome, 7 error.
    static let insertAttempt = """
        INSERT INTO job_attempts (job_id, attempt, run_id, started_at, ended_at, outcome, error)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        """

    static let countByState = "SELECT state, count(*) FROM jobs GROUP BY state"

    /// 1 lease expiry, 2 run id, 3 host, 4 pid.
    static let heartbeat = """
        UPDATE jobs SET lease_expires = ?
        WHERE state = 'running' AND lease_run_id = ? AND lease_host = ? AND lease_pid = ?
        """

    static let runningJobs = """
        SELECT id, attempts, claimed_at, lease_host, lease_pid, lease_run_id, lease_expires
        FROM jobs WHERE state = 'running'
        """
}
