import CSQLite
import Foundation

/// One SQLite connection, closed when released, with a cache of prepared statements.
///
/// A connection is used by one thread at a time (it is opened with
/// `SQLITE_OPEN_NOMUTEX` and its statements are not `Sendable`); open one per thread.
/// Every connection runs in WAL mode with `synchronous = NORMAL`, foreign keys on and a
/// busy timeout, so a writer that finds the write lock taken waits instead of failing.
/// NORMAL can lose the last commits on a power loss but never corrupts the file or
/// splits a transaction, and a lost completion only makes a job run again.
final class Connection {
    let handle: OpaquePointer
    let path: String
    private var cache: [String: Statement] = [:]

    /// Opens (creating when absent) the database at `path`.
    init(path: String, busyTimeoutMilliseconds: Int32 = QueueDefaults.busyTimeoutMilliseconds) throws {
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let code = sqlite3_open_v2(path, &handle, flags, nil)
        guard code == SQLITE_OK, let handle else {
            let reason = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_close_v2(handle)
            throw SQLiteError(code: code, reason: reason, sql: nil, path: path)
        }
        self.handle = handle
        self.path = path
        sqlite3_extended_result_codes(handle, 1)
        sqlite3_busy_timeout(handle, busyTimeoutMilliseconds)

        // Setting WAL needs a moment of exclusive access, which the busy handler waits for.
        let mode = try Statement(database: handle, path: path, sql: "PRAGMA journal_mode = WAL", persistent: false)
        let journalMode = try mode.firstRow { $0.string(0) }
        guard journalMode?.lowercased() == "wal" else {
            throw SQLiteError(
                code: SQLITE_CANTOPEN, reason: "journal_mode is \(journalMode ?? "unknown"), not wal",
                sql: mode.sql, path: path)
        }
        try execute("PRAGMA synchronous = NORMAL")
        try execute("PRAGMA foreign_keys = ON")
        // Auto-checkpoints reuse the -wal file without shrinking it; this bounds what stays
        // on disk between explicit checkpoints, in bytes.
        try execute("PRAGMA journal_size_limit = 67108864")
    }

    deinit {
        cache.removeAll()
        // close_v2 defers the close until statements held elsewhere are finalized.
        sqlite3_close_v2(handle)
    }

    /// Returns the cached prepared statement for `sql`, preparing it on first use.
    func cached(_ sql: String) throws(SQLiteError) -> Statement {
        if let statement = cache[sql] {
            return statement
        }
        let statement = try Statement(database: handle, path: path, sql: sql, persistent: true)
        cache[sql] = statement
        return statement
    }

    /// Prepares a statement that is not cached.
    func prepare(_ sql: String) throws(SQLiteError) -> Statement {
        try Statement(database: handle, path: path, sql: sql, persistent: false)
    }

    /// Runs SQL text of one or more statements that bind nothing, discarding any rows.
    func execute(_ sql: String) throws(SQLiteError) {
        let code = sqlite3_exec(handle, sql, nil, nil, nil)
        guard code == SQLITE_OK else { throw lastError(code, sql: sql) }
    }

    /// Runs `body` in a write transaction started with `BEGIN IMMEDIATE`, so the write
    /// lock is taken (waiting up to the busy timeout) before anything is read. A deferred
    /// transaction that upgrades to a write fails at once with `SQLITE_BUSY` when another
    /// connection wrote meanwhile, ignoring the timeout. Rolls back when `body` throws.
    func writeTransaction<T>(_ body: () throws -> T) throws -> T {
        precondition(sqlite3_get_autocommit(handle) != 0, "nested transaction on \(path)")
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            if sqlite3_get_autocommit(handle) == 0 {
                try? execute("ROLLBACK")
            }
            throw error
        }
    }

    /// Runs `body` in a read transaction, so several statements see one snapshot.
    func readTransaction<T>(_ body: () throws -> T) throws -> T {
        precondition(sqlite3_get_autocommit(handle) != 0, "nested transaction on \(path)")
        try execute("BEGIN DEFERRED")
        defer { try? execute("COMMIT") }
        return try body()
    }

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    var changes: Int { Int(sqlite3_changes(handle)) }

    /// `PRAGMA user_version`, the schema version.
    func userVersion() throws -> Int {
        try prepare("PRAGMA user_version").firstRow { $0.int(0) } ?? 0
    }

    func lastError(_ code: Int32, sql: String?) -> SQLiteError {
        SQLiteError(
            code: code, extendedCode: sqlite3_extended_errcode(handle),
            reason: String(cString: sqlite3_errmsg(handle)), sql: sql, path: path)
    }
}
