import CSQLite
import Foundation

/// SQLite's `SQLITE_TRANSIENT` destructor, which makes `sqlite3_bind_*` copy the bytes
/// before returning. The C macro is a cast of -1 that Swift does not import, and passing
/// nil (`SQLITE_STATIC`) would bind Swift's temporary buffers after they are freed.
let SQLITE_TRANSIENT = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A value that can be bound to a statement parameter.
protocol SQLiteBindable {
    func bind(to statement: OpaquePointer, at index: Int32) -> Int32
}

extension Int64: SQLiteBindable {
    func bind(to statement: OpaquePointer, at index: Int32) -> Int32 {
        sqlite3_bind_int64(statement, index, self)
    }
}

extension Int: SQLiteBindable {
    func bind(to statement: OpaquePointer, at index: Int32) -> Int32 {
        sqlite3_bind_int64(statement, index, Int64(self))
    }
}

extension Int32: SQLiteBindable {
    func bind(to statement: OpaquePointer, at index: Int32) -> Int32 {
        sqlite3_bind_int64(statement, index, Int64(self))
    }
}

extension Bool: SQLiteBindable {
    func bind(to statement: OpaquePointer, at index: Int32) -> Int32 {
        sqlite3_bind_int64(statement, index, self ? 1 : 0)
    }
}

extension Double: SQLiteBindable {
    func bind(to statement: OpaquePointer, at index: Int32) -> Int32 {
        sqlite3_bind_double(statement, index, self)
    }
}

extension String: SQLiteBindable {
    func bind(to statement: OpaquePointer, at index: Int32) -> Int32 {
        var text = self
        return text.withUTF8 { bytes in
            sqlite3_bind_text(
                statement, index, UnsafeRawPointer(bytes.baseAddress)?.assumingMemoryBound(to: CChar.self),
                Int32(bytes.count), SQLITE_TRANSIENT)
        }
    }
}

/// Bytes bound as a BLOB (a plain `[UInt8]` would be ambiguous with text in a variadic list).
struct SQLiteBlob: SQLiteBindable {
    var bytes: [UInt8]

    func bind(to statement: OpaquePointer, at index: Int32) -> Int32 {
        bytes.withUnsafeBytes { raw in
            // A zero-length blob still needs a non-null pointer, or SQLite stores NULL.
            sqlite3_bind_blob(statement, index, raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(raw.count), SQLITE_TRANSIENT)
        }
    }
}

/// A prepared statement, finalized when released.
///
/// A statement belongs to the thread that uses its connection: it is deliberately not
/// `Sendable`. Every run of it starts with `reset(binding:)` or `clear()`, and the row
/// helpers reset it when they finish, so a statement left in the cache never keeps a
/// read snapshot open.
final class Statement {
    let handle: OpaquePointer
    let sql: String
    private let database: OpaquePointer
    private let path: String

    init(database: OpaquePointer, path: String, sql: String, persistent: Bool) throws(SQLiteError) {
        var handle: OpaquePointer?
        let flags = persistent ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0
        let code = sqlite3_prepare_v3(database, sql, -1, flags, &handle, nil)
        guard code == SQLITE_OK, let handle else {
            throw SQLiteError(
                code: code, extendedCode: sqlite3_extended_errcode(database),
                reason: String(cString: sqlite3_errmsg(database)), sql: sql, path: path)
        }
        self.handle = handle
        self.sql = sql
        self.database = database
        self.path = path
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// Resets the statement and binds `values` to its parameters in order; nil binds NULL.
    func reset(binding values: (any SQLiteBindable)?...) throws(SQLiteError) {
        clear()
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let code = value?.bind(to: handle, at: index) ?? sqlite3_bind_null(handle, index)
            guard code == SQLITE_OK else { throw error(code) }
        }
    }

    /// Resets the statement and sets every parameter to NULL, before `bind(_:at:)` calls.
    func clear() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// Binds `value` to the parameter at `index` (1-based).
    func bind(_ value: some SQLiteBindable, at index: Int32) throws(SQLiteError) {
        let code = value.bind(to: handle, at: index)
        guard code == SQLITE_OK else { throw error(code) }
    }

    /// Advances to the next row: true for a row, false when the statement is done.
    func step() throws(SQLiteError) -> Bool {
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW:
            return true
        case SQLITE_DONE:
            sqlite3_reset(handle)
            return false
        default:
            let failure = error(code)
            sqlite3_reset(handle)
            throw failure
        }
    }

    /// Runs the statement to completion, ignoring rows.
    func run() throws(SQLiteError) {
        while try step() {}
    }

    /// Runs the statement and returns the first row mapped by `read`, or nil when there
    /// is none. The statement is reset afterwards.
    func firstRow<T>(_ read: (Statement) throws -> T) throws -> T? {
        defer { sqlite3_reset(handle) }
        guard try step() else { return nil }
        return try read(self)
    }

    /// Runs the statement and calls `body` for every row.
    func forEachRow(_ body: (Statement) throws -> Void) throws {
        defer { sqlite3_reset(handle) }
        while try step() {
            try body(self)
        }
    }

    /// Runs the statement and returns every row mapped by `read`.
    func rows<T>(_ read: (Statement) throws -> T) throws -> [T] {
        var result: [T] = []
        try forEachRow { result.append(try read($0)) }
        return result
    }

    // MARK: - Columns (0-based)

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(handle, column)) }

    func double(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    func optionalInt64(_ column: Int32) -> Int64? { isNull(column) ? nil : int64(column) }

    func optionalDouble(_ column: Int32) -> Double? { isNull(column) ? nil : double(column) }

    func string(_ column: Int32) -> String {
        guard let text = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    func optionalString(_ column: Int32) -> String? { isNull(column) ? nil : string(column) }

    func blob(_ column: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(handle, column))
        guard count > 0, let bytes = sqlite3_column_blob(handle, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: bytes, count: count))
    }

    private func error(_ code: Int32) -> SQLiteError {
        SQLiteError(
            code: code, extendedCode: sqlite3_extended_errcode(database),
            reason: String(cString: sqlite3_errmsg(database)), sql: sql, path: path)
    }
}
