/// The queue's statements, kept together so the indexes they need are easy to check
/// against `Schema`. Parameters are positional (`?`) or numbered (`?1`) as noted.
enum SQL {
    static let maxJobID = "SELECT max(id) FROM jobs"

    /// 1 user id, 2 priority, 3 run_after, 4 enqueued_at.
    static let enqueue = """
        INSERT INTO jobs (user_id, priority, run_after, enqueued_at) VALUES (?, ?, ?, ?)
        ON CONFLICT (user_id) WHERE finished_at IS NULL
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

    /// Marks done, at ?1, the jobs among the ids in the JSON array ?2 that run ?3 still
    /// holds, and returns their id, user id and attempt count. The lease columns stay
    /// as the record of the last owner.
    static let finishDoneBatch = """
        UPDATE jobs SET state = 'done', finished_at = ?1, lease_expires = NULL, last_error = NULL
        WHERE id IN (SELECT value FROM json_each(?2)) AND state = 'running' AND lease_run_id = ?3
        RETURNING id, user_id, attempts
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

    static let resultColumnCount = 11

    /// Inserts `rows` results with one statement, each row's parameters in this order:
    /// run id, user id, job id, top genre, top probability, engagement, ranking,
    /// probabilities, no_tracks, missing_tracks, created_at. A repeat of a (run, user)
    /// replaces that row.
    static func upsertResults(rows: Int) -> String {
        let row = "(" + Array(repeating: "?", count: resultColumnCount).joined(separator: ", ") + ")"
        return """
            INSERT INTO results (run_id, user_id, job_id, top_genre, top_probability, engagement,
                                 ranking, probabilities, no_tracks, missing_tracks, created_at)
            VALUES \(Array(repeating: row, count: rows).joined(separator: ", "))
            ON CONFLICT (run_id, user_id) DO UPDATE SET
                job_id = excluded.job_id, top_genre = excluded.top_genre,
                top_probability = excluded.top_probability, engagement = excluded.engagement,
                ranking = excluded.ranking, probabilities = excluded.probabilities,
                no_tracks = excluded.no_tracks, missing_tracks = excluded.missing_tracks,
                created_at = excluded.created_at
            """
    }

    /// 1 job id, 2 attempt, 3 run id, 4 started, 5 ended, 6 outcome, 7 error.
    static let insertAttempt = """
        INSERT INTO job_attempts (job_id, attempt, run_id, started_at, ended_at, outcome, error)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        """

    /// Records the successful attempt of each job in the JSON array ?1 that had failed
    /// before (attempts > 1), for run ?2, ended at ?3.
    static let insertRetriedDoneAttempts = """
        INSERT INTO job_attempts (job_id, attempt, run_id, started_at, ended_at, outcome)
        SELECT id, attempts, ?2, coalesce(claimed_at, ?3), ?3, 'done' FROM jobs
        WHERE id IN (SELECT value FROM json_each(?1)) AND attempts > 1
        """

    static let countByState = "SELECT state, count(*) FROM jobs GROUP BY state"

    /// 1 lease expiry, 2 run id, 3 host, 4 pid.
    static let heartbeat = """
        UPDATE jobs SET lease_expires = ?
        WHERE state = 'running' AND lease_run_id = ? AND lease_host = ? AND lease_pid = ?
        """

    static let runningJobs = """
        SELECT id, attempts, claimed_at, lease_host, lease_pid, lease_run_id, lease_expires, user_id
        FROM jobs WHERE state = 'running'
        """

    /// Lists the result columns that `SQLiteQueue.readResult` decodes, qualified by `table`.
    static func resultColumns(table: String) -> String {
        ["run_id", "job_id", "user_id", "ranking", "probabilities", "engagement", "no_tracks", "missing_tracks", "created_at"]
            .map { table + "." + $0 }.joined(separator: ", ")
    }

    /// Each user's newest result, by user id. The scan walks `results_user` in user order
    /// and keeps a row when its run is the user's highest, so rows stream without a sort.
    static let latestResults = """
        SELECT \(resultColumns(table: "r")) FROM results AS r
        WHERE r.run_id = (SELECT max(newer.run_id) FROM results AS newer WHERE newer.user_id = r.user_id)
        ORDER BY r.user_id
        """
}
