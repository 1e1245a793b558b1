import MMCore

/// Errors of the job queue that are not SQLite's own.
public enum QueueError: MMError, Equatable {
    /// The database was written by a newer mmbatch.
    case schemaTooNew(path: String, found: Int, supported: Int)
    /// Another process holds the run lock. `pid` and `host` are nil when the holder
    /// had not yet written them.
    case runLocked(lockPath: String, pid: Int32?, host: String?, since: String?)
    /// A genre name contains a comma, which the stored ranking uses as its separator.
    case invalidGenreName(genre: String, userID: String)
    /// A result does not belong to the job it names (a bug in the caller).
    case resultForWrongUser(jobID: Int64, expected: String, found: String)
    /// A result has no genres or a different count of genres than the others.
    case invalidRanking(userID: String, count: Int, expected: Int)

    public var exitCode: ExitCode {
        switch self {
        case .schemaTooNew: .badInput
        case .runLocked: .locked
        case .invalidGenreName: .badInput
        case .resultForWrongUser, .invalidRanking: .internalError
        }
    }

    public var message: Message {
        switch self {
        case .schemaTooNew(let path, let found, let supported):
            return Message("queue.schema.tooNew", [
                "path": path, "found": "\(found)", "supported": "\(supported)",
            ])
        case .runLocked(let lockPath, let pid, let host, let since):
            guard let pid else {
                return Message("queue.lock.heldUnknown", ["path": lockPath])
            }
            return Message("queue.lock.held", [
                "path": lockPath, "pid": "\(pid)", "host": host ?? "?", "since": since ?? "?",
            ])
        case .invalidGenreName(let genre, let userID):
            return Message("queue.result.genreComma", ["genre": genre, "user": userID])
        case .resultForWrongUser(let jobID, let expected, let found):
            return Message("queue.result.wrongUser", [
                "job": "\(jobID)", "expected": expected, "found": found,
            ])
        case .invalidRanking(let userID, let count, let expected):
            return Message("queue.result.ranking", [
                "user": userID, "count": "\(count)", "expected": "\(expected)",
            ])
        }
    }
}
