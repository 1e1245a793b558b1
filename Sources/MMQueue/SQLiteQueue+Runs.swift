import Foundation

// MARK: - Runs

extension SQLiteQueue {
    public func startRun(_ start: RunStart) throws -> Int64 {
        try withConnection { connection in
            try connection.writeTransaction {
                let statement = try connection.cached(
                    """
                    INSERT INTO runs (started_at, host, pid, model_path, model_fingerprint, options, version)
                    VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id
                    """)
                try statement.reset(
                    binding: start.startedAt.timeIntervalSince1970, start.host, start.pid, start.modelPath,
                    start.modelFingerprint, start.optionsJSON, start.version)
                guard let id = try statement.firstRow({ $0.int64(0) }) else {
                    preconditionFailure("INSERT ... RETURNING id returned no row")
                }
                return id
            }
        }
    }

    public func finishRun(id: Int64, status: RunStatus, counts: RunCounts, endedAt: Date, summaryJSON: String) throws {
        try withConnection { connection in
            try connection.writeTransaction {
                let statement = try connection.cached(
                    """
                    UPDATE runs SET status = ?, ended_at = ?, claimed = ?, done = ?, failed = ?, dead = ?,
                        recovered = ?, summary = ?
                    WHERE id = ?
                    """)
                try statement.reset(
                    binding: status.rawValue, endedAt.timeIntervalSince1970, counts.claimed, counts.done,
                    counts.failed, counts.dead, counts.recovered, summaryJSON, id)
                try statement.run()
            }
        }
    }

    public func run(id: Int64) throws -> RunRecord? {
        try withConnection { connection in
            let statement = try connection.cached("SELECT \(Self.runColumns) FROM runs WHERE id = ?")
            try statement.reset(binding: id)
            return try statement.firstRow(Self.readRun)
        }
    }

    public func runs(limit: Int) throws -> [RunRecord] {
        try withConnection { connection in
            let statement = try connection.cached("SELECT \(Self.runColumns) FROM runs ORDER BY id DESC LIMIT ?")
            try statement.reset(binding: limit)
            return try statement.rows(Self.readRun)
        }
    }

    private static let runColumns = """
        id, started_at, ended_at, status, host, pid, model_path, model_fingerprint, options, version,
        claimed, done, failed, dead, recovered, summary
        """

    private static func readRun(_ row: Statement) -> RunRecord {
        RunRecord(
            id: row.int64(0),
            startedAt: Date(timeIntervalSince1970: row.double(1)),
            endedAt: row.optionalDouble(2).map(Date.init(timeIntervalSince1970:)),
            status: RunStatus(rawValue: row.string(3)) ?? .failed,
            host: row.string(4),
            pid: Int32(truncatingIfNeeded: row.int64(5)),
            modelPath: row.string(6),
            modelFingerprint: row.string(7),
            optionsJSON: row.string(8),
            version: row.string(9),
            counts: RunCounts(
                claimed: row.int(10), done: row.int(11), failed: row.int(12), dead: row.int(13),
                recovered: row.int(14)),
            summaryJSON: row.string(15))
    }
}
