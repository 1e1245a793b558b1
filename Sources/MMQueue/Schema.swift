import Foundation

/// The queue database's tables, versioned with `PRAGMA user_version`.
///
/// Times are REAL seconds since 1970-01-01 UTC (`Date.timeIntervalSince1970`), which
/// compare and index cheaply; `datetime(x, 'unixepoch')` shows them in the `sqlite3`
/// shell. Migration N brings a database from version N - 1 to N; a migration is never
/// edited once released, a change gets a new one.
enum Schema {
    static let migrations: [String] = [version1]

    static var currentVersion: Int { migrations.count }

    /// Creates or upgrades the schema of `connection`'s database.
    ///
    /// The version is read again inside the write transaction, so two processes opening
    /// a new database at once apply each migration exactly once.
    static func migrate(_ connection: Connection) throws {
        let found = try connection.userVersion()
        if found > currentVersion {
            throw QueueError.schemaTooNew(path: connection.path, found: found, supported: currentVersion)
        }
        guard found < currentVersion else { return }

        try connection.writeTransaction {
            let version = try connection.userVersion()
            guard version < currentVersion else { return }
            for index in version..<currentVersion {
                try connection.execute(migrations[index])
            }
            try connection.execute("PRAGMA user_version = \(currentVersion)")
        }
    }

    /// Version 1: runs, jobs, attempts and results.
    ///
    /// A job is waiting (pending, running or failed) exactly when `finished_at` is NULL,
    /// which a CHECK enforces. `jobs_waiting_user` tests `finished_at` rather than
    /// `state` because SQLite rewrites a partial index entry whenever a column named in
    /// its WHERE changes. A claim (pending to running) changes `state` but not
    /// `finished_at`, so it leaves that index alone, which doubled claim throughput
    /// (measured with the `sqlite3` shell on 100,000 jobs).
    ///
    /// Index notes:
    /// - `jobs_waiting_user` is the "one waiting job per user" rule that enqueue's
    ///   `ON CONFLICT` relies on.
    /// - `jobs_claimable` matches the claim's `WHERE state IN ('pending','failed')` and
    ///   `ORDER BY priority DESC, id`, so a claim reads the first rows of one index
    ///   instead of sorting the table. It includes `run_after`, so skipping jobs still
    ///   in backoff needs no table lookup.
    /// - `jobs_leased` contains only running jobs, for heartbeats and recovery. It leaves
    ///   out `lease_expires` so a heartbeat does not rewrite it.
    /// - Pruning scans `jobs` without an index: an index on `finished_at` would cost
    ///   every completion an index insert to speed up a command run once a day.
    static let version1 = """
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            started_at REAL NOT NULL,
            ended_at REAL,
            status TEXT NOT NULL DEFAULT 'running'
                CHECK (status IN ('running', 'succeeded', 'partial', 'failed', 'abandoned')),
            host TEXT NOT NULL,
            pid INTEGER NOT NULL,
            model_path TEXT NOT NULL DEFAULT '',
            model_fingerprint TEXT NOT NULL DEFAULT '',
            options TEXT NOT NULL DEFAULT '{}',
            version TEXT NOT NULL DEFAULT '',
            claimed INTEGER NOT NULL DEFAULT 0,
            done INTEGER NOT NULL DEFAULT 0,
            failed INTEGER NOT NULL DEFAULT 0,
            dead INTEGER NOT NULL DEFAULT 0,
            recovered INTEGER NOT NULL DEFAULT 0,
            summary TEXT NOT NULL DEFAULT '{}'
        );

        CREATE TABLE jobs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            user_id TEXT NOT NULL CHECK (user_id <> ''),
            state TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'running', 'done', 'failed', 'dead')),
            priority INTEGER NOT NULL DEFAULT 0,
            attempts INTEGER NOT NULL DEFAULT 0,
            run_after REAL NOT NULL DEFAULT 0,
            enqueued_at REAL NOT NULL,
            claimed_at REAL,
            finished_at REAL,
            lease_host TEXT,
            lease_pid INTEGER,
            lease_run_id INTEGER,
            lease_expires REAL,
            last_error TEXT,
            CHECK ((finished_at IS NULL) = (state IN ('pending', 'running', 'failed')))
        );
        CREATE UNIQUE INDEX jobs_waiting_user ON jobs(user_id) WHERE finished_at IS NULL;
        CREATE INDEX jobs_claimable ON jobs(priority DESC, id, run_after)
            WHERE state IN ('pending', 'failed');
        CREATE INDEX jobs_leased ON jobs(lease_run_id) WHERE state = 'running';
        CREATE INDEX jobs_user ON jobs(user_id);

        CREATE TABLE job_attempts (
            id INTEGER PRIMARY KEY,
            job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
            attempt INTEGER NOT NULL,
            run_id INTEGER,
            started_at REAL NOT NULL,
            ended_at REAL NOT NULL,
            outcome TEXT NOT NULL CHECK (outcome IN ('done', 'failed', 'dead', 'abandoned')),
            error TEXT
        );
        CREATE INDEX job_attempts_job ON job_attempts(job_id, attempt);

        CREATE TABLE results (
            run_id INTEGER NOT NULL REFERENCES runs(id),
            user_id TEXT NOT NULL,
            job_id INTEGER NOT NULL,
            top_genre TEXT NOT NULL,
            top_probability REAL NOT NULL,
            engagement REAL NOT NULL,
            ranking TEXT NOT NULL,
            probabilities BLOB NOT NULL,
            no_tracks INTEGER NOT NULL DEFAULT 0,
            missing_tracks INTEGER NOT NULL DEFAULT 0,
            created_at REAL NOT NULL,
            PRIMARY KEY (run_id, user_id)
        ) WITHOUT ROWID;
        CREATE INDEX results_user ON results(user_id, run_id);
        """
}
