import Foundation

// MARK: - Reading results

extension SQLiteQueue: ResultStore {
    public func forEachResult(runID: Int64, _ body: (StoredResult) throws -> Void) throws {
        try withConnection { connection in
            let statement = try connection.prepare(
                "SELECT \(SQL.resultColumns(table: "results")) FROM results WHERE run_id = ? ORDER BY user_id")
            try statement.reset(binding: runID)
            try statement.forEachRow { try body(Self.readResult($0)) }
        }
    }

    /// Streams each user's newest result (the highest run id), ordered by user id.
    ///
    /// The scan walks `results_user` in user order and keeps a row when its run is the
    /// user's highest, so rows stream without a sort. The whole read is one snapshot,
    /// so a run finishing meanwhile is either entirely in the export or entirely out.
    ///
    /// NOTE: `body` runs while this queue's lock is held, so it must not call back into
    /// the same `SQLiteQueue`.
    public func latestResults(_ body: (StoredResult) throws -> Void) throws {
        try withConnection { connection in
            try connection.readTransaction {
                let statement = try connection.prepare(SQL.latestResults)
                try statement.forEachRow { try body(Self.readResult($0)) }
            }
        }
    }

    public func genreDistribution(runID: Int64) throws -> [GenreCount] {
        try withConnection { connection in
            let statement = try connection.cached(
                """
                SELECT top_genre, count(*) AS users FROM results WHERE run_id = ?
                GROUP BY top_genre ORDER BY users DESC, top_genre
                """)
            try statement.reset(binding: runID)
            return try statement.rows { GenreCount(genre: $0.string(0), users: $0.int(1)) }
        }
    }

    public func compareWithPrevious(runID: Int64) throws -> RunComparison? {
        try withConnection { connection in
            try connection.readTransaction {
                let previous = try connection.cached("SELECT max(run_id) FROM results WHERE run_id < ?")
                try previous.reset(binding: runID)
                guard let previousID = try previous.firstRow({ $0.optionalInt64(0) }) ?? nil else {
                    return nil
                }
                return try compare(runID: runID, previousID: previousID, connection)
            }
        }
    }

    private func compare(runID: Int64, previousID: Int64, _ connection: Connection) throws -> RunComparison {
        let counts = try connection.cached(
            "SELECT top_genre, count(*) FROM results WHERE run_id = ? GROUP BY top_genre")
        var current: [String: Int] = [:]
        var earlier: [String: Int] = [:]
        try counts.reset(binding: runID)
        try counts.forEachRow { current[$0.string(0)] = $0.int(1) }
        try counts.reset(binding: previousID)
        try counts.forEachRow { earlier[$0.string(0)] = $0.int(1) }

        let changes = try connection.cached(
            """
            SELECT count(*), coalesce(sum(a.top_genre <> b.top_genre), 0)
            FROM results AS a JOIN results AS b ON b.run_id = ? AND b.user_id = a.user_id
            WHERE a.run_id = ?
            """)
        try changes.reset(binding: previousID, runID)
        let (common, changed) = try changes.firstRow { ($0.int(0), $0.int(1)) } ?? (0, 0)

        let genres = Set(current.keys).union(earlier.keys)
            .map { RunComparison.Row(genre: $0, current: current[$0] ?? 0, previous: earlier[$0] ?? 0) }
            .sorted { ($1.current, $0.genre) < ($0.current, $1.genre) }
        return RunComparison(
            runID: runID, previousRunID: previousID, genres: genres, commonUsers: common, changedTopGenre: changed)
    }

    /// Decodes a row of `SQL.resultColumns(table:)`: the ranking's names split at commas, paired
    /// with the little-endian float32 probabilities.
    private static func readResult(_ row: Statement) -> StoredResult {
        let names = row.string(3).split(separator: ",", omittingEmptySubsequences: false)
        let bytes = row.blob(4)
        var ranked: [(genre: String, probability: Float)] = []
        ranked.reserveCapacity(names.count)
        for (index, name) in names.enumerated() {
            let offset = index * 4
            var probability = Float.nan
            if offset + 4 <= bytes.count {
                let bits = UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8
                    | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
                probability = Float(bitPattern: bits)
            }
            ranked.append((genre: String(name), probability: probability))
        }
        return StoredResult(
            runID: row.int64(0), jobID: row.int64(1), userID: row.string(2), ranked: ranked,
            engagement: Float(row.double(5)), noTracks: row.int(6) != 0, missingTracks: row.int(7),
            createdAt: Date(timeIntervalSince1970: row.double(8)))
    }
}
