import CSQLite
import MMCore

/// An error returned by SQLite: its result code, its own message and the SQL that failed.
///
/// Bound values never appear in the text, because they can be user ids or other data
/// that does not belong in logs. The message names the database file and says what to do
/// for the codes a batch run meets in practice (busy past the timeout, full disk,
/// read-only file, corruption).
public struct SQLiteError: MMError {
    /// The primary result code (`SQLITE_BUSY`, `SQLITE_FULL`, ...).
    public let code: Int32
    /// The extended result code (`SQLITE_IOERR_WRITE`, ...), equal to `code` when SQLite
    /// gave none.
    public let extendedCode: Int32
    /// SQLite's own explanation, from `sqlite3_errmsg`.
    public let reason: String
    /// The statement that failed, with `?` where values were bound; nil for opening.
    public let sql: String?
    /// The database file.
    public let path: String

    public init(code: Int32, extendedCode: Int32? = nil, reason: String, sql: String?, path: String) {
        self.code = code & 0xFF
        self.extendedCode = extendedCode ?? code
        self.reason = reason
        self.sql = sql
        self.path = path
    }

    /// Whether retrying later can succeed: the write lock was held past the busy timeout,
    /// the disk was full, or the operating system reported an I/O error. A job that meets
    /// such an error is failed with backoff instead of dead.
    public var isTransient: Bool {
        switch code {
        case SQLITE_BUSY, SQLITE_LOCKED, SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM, SQLITE_PROTOCOL:
            return true
        default:
            return false
        }
    }

    /// The failure kind a job gets when this error stops it.
    public var failureKind: FailureKind { isTransient ? .transient : .permanent }

    /// The symbolic name of the code, as SQLite's documentation spells it.
    public var codeName: String {
        guard let text = sqlite3_errstr(extendedCode) else { return "SQLITE \(extendedCode)" }
        return String(cString: text)
    }

    public var exitCode: ExitCode {
        switch code {
        case SQLITE_FULL, SQLITE_IOERR, SQLITE_READONLY, SQLITE_CANTOPEN, SQLITE_PERM, SQLITE_BUSY,
            SQLITE_LOCKED:
            return .outputFailed
        case SQLITE_CORRUPT, SQLITE_NOTADB:
            return .badInput
        default:
            return .internalError
        }
    }

    public var message: Message {
        let key: String
        switch code {
        case SQLITE_BUSY, SQLITE_LOCKED: key = "queue.sqlite.busy"
        case SQLITE_FULL: key = "queue.sqlite.full"
        case SQLITE_IOERR: key = "queue.sqlite.ioError"
        case SQLITE_READONLY, SQLITE_PERM: key = "queue.sqlite.readOnly"
        case SQLITE_CANTOPEN: key = "queue.sqlite.cannotOpen"
        case SQLITE_CORRUPT, SQLITE_NOTADB: key = "queue.sqlite.corrupt"
        default: key = "queue.sqlite.failed"
        }
        return Message(key, [
            "path": path,
            "code": "\(extendedCode)",
            "name": codeName,
            "reason": reason,
            "sql": sql ?? "open",
            "timeout": "\(QueueDefaults.busyTimeoutMilliseconds)",
        ])
    }
}
