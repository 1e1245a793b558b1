import Foundation

// MARK: - Complete

extension SQLiteQueue {
    /// Results per multi-row INSERT: 64 rows × 11 parameters stays far below SQLite's
    /// parameter limit (32,766 since SQLite 3.32), and one statement per row measured
    /// about twice as slow, because each statement has its own setup cost.
    static let resultRowsPerStatement = 64

    /// Writes the results of the jobs run `runID` still holds and marks those jobs done,
    /// in one transaction.
    ///
    /// The batch takes a fixed number of statements whatever its size: one UPDATE ...
    /// RETURNING marks the held jobs done and names them, one INSERT ... SELECT records
    /// the final attempt of jobs that had failed before, and multi-row INSERTs write the
    /// results. With `QueueBenchmark` (100,000 jobs, batches of 512, on a 2-core machine
    /// shared with other builds) per-row statements reached about 40,000 jobs/s per CPU
    /// second and this form 60,000 to 85,000.
    ///
    /// A job done at its first attempt gets no `job_attempts` row: its job row (claim and
    /// finish times, run) and its result row already describe that attempt, and skipping
    /// the insert saved about 15 % of the CPU time of a batch in the same benchmark.
    @discardableResult
    public func complete(runID: Int64, results: [UserResult], now: Date) throws -> CompletionSummary {
        guard !results.isEmpty else { return CompletionSummary(completed: 0, leaseLost: []) }
        let rows = try results.map(EncodedResult.init)
        let expectedCount = rows[0].genreCount
        for (row, result) in zip(rows, results) where row.genreCount != expectedCount {
            throw QueueError.invalidRanking(userID: result.userID, count: row.genreCount, expected: expectedCount)
        }
        let time = now.timeIntervalSince1970
        let requested = Self.jsonArray(results.map(\.jobID))

        return try withConnection { connection in
            try connection.writeTransaction {
                let finish = try connection.cached(SQL.finishDoneBatch)
                try finish.reset(binding: time, requested, runID)
                var heldUsers: [Int64: String] = [:]
                var retried = false
                try finish.forEachRow { row in
                    heldUsers[row.int64(0)] = row.string(1)
                    retried = retried || row.int(2) > 1
                }

                var summary = CompletionSummary(completed: 0, leaseLost: [])
                var held: [Int] = []
                held.reserveCapacity(results.count)
                for (index, result) in results.enumerated() {
                    // Removing the entry also makes a second result for the same job a
                    // lost lease instead of a second row.
                    guard let userID = heldUsers.removeValue(forKey: result.jobID) else {
                        summary.leaseLost.append(result.jobID)
                        continue
                    }
                    // Throwing rolls back the whole batch, the done marks included.
                    guard userID == result.userID else {
                        throw QueueError.resultForWrongUser(jobID: result.jobID, expected: userID, found: result.userID)
                    }
                    held.append(index)
                }
                guard !held.isEmpty else { return summary }

                if retried {
                    let attempts = try connection.cached(SQL.insertRetriedDoneAttempts)
                    try attempts.reset(binding: Self.jsonArray(held.map { results[$0].jobID }), runID, time)
                    try attempts.run()
                }
                try insertResults(held.map { (results[$0], rows[$0]) }, runID: runID, time: time, connection)
                summary.completed = held.count
                return summary
            }
        }
    }

    /// Inserts results in statements of `resultRowsPerStatement` rows, the remainder one
    /// row per statement.
    private func insertResults(
        _ entries: [(result: UserResult, row: EncodedResult)], runID: Int64, time: Double, _ connection: Connection
    ) throws {
        let chunk = Self.resultRowsPerStatement
        let wide = try connection.cached(SQL.upsertResults(rows: chunk))
        let single = try connection.cached(SQL.upsertResults(rows: 1))
        var start = 0
        while start < entries.count {
            let statement = entries.count - start >= chunk ? wide : single
            let count = statement === wide ? chunk : 1
            statement.clear()
            for offset in 0..<count {
                let (result, row) = entries[start + offset]
                let base = Int32(offset * SQL.resultColumnCount)
                try statement.bind(runID, at: base + 1)
                try statement.bind(result.userID, at: base + 2)
                try statement.bind(result.jobID, at: base + 3)
                try statement.bind(row.topGenre, at: base + 4)
                try statement.bind(Double(row.topProbability), at: base + 5)
                try statement.bind(Double(result.engagement), at: base + 6)
                try statement.bind(row.ranking, at: base + 7)
                try statement.bind(SQLiteBlob(bytes: row.probabilities), at: base + 8)
                try statement.bind(result.noTracks, at: base + 9)
                try statement.bind(result.missingTracks, at: base + 10)
                try statement.bind(time, at: base + 11)
            }
            try statement.run()
            start += count
        }
    }

    /// `[1,2,3]`, for binding a list of ids to `json_each(?)`.
    static func jsonArray(_ ids: [Int64]) -> String {
        var text = "["
        text.reserveCapacity(ids.count * 8 + 2)
        for (index, id) in ids.enumerated() {
            if index > 0 {
                text += ","
            }
            text += String(id)
        }
        return text + "]"
    }
}

/// A result in the form it is stored: ranking text and little-endian float32 bytes.
struct EncodedResult {
    var topGenre: String
    var topProbability: Float
    /// Genre names in rank order, comma-separated.
    var ranking: String
    /// G little-endian float32 values in rank order.
    var probabilities: [UInt8]
    var genreCount: Int

    init(_ result: UserResult) throws {
        guard let top = result.ranked.first else {
            throw QueueError.invalidRanking(userID: result.userID, count: 0, expected: 1)
        }
        let comma = UInt8(ascii: ",")
        var ranking: [UInt8] = []
        ranking.reserveCapacity(result.ranked.count * 12)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(result.ranked.count * 4)
        for (index, entry) in result.ranked.enumerated() {
            let start = ranking.count
            if index > 0 {
                ranking.append(comma)
            }
            ranking.append(contentsOf: entry.genre.utf8)
            let nameBytes = ranking[(index > 0 ? start + 1 : start)...]
            if nameBytes.isEmpty || nameBytes.contains(comma) {
                throw QueueError.invalidGenreName(genre: entry.genre, userID: result.userID)
            }
            let bits = entry.probability.bitPattern
            bytes.append(UInt8(truncatingIfNeeded: bits))
            bytes.append(UInt8(truncatingIfNeeded: bits >> 8))
            bytes.append(UInt8(truncatingIfNeeded: bits >> 16))
            bytes.append(UInt8(truncatingIfNeeded: bits >> 24))
        }
        topGenre = top.genre
        topProbability = top.probability
        self.ranking = String(decoding: ranking, as: UTF8.self)
        probabilities = bytes
        genreCount = result.ranked.count
    }
}
