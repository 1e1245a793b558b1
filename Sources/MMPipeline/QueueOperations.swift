import Foundation
import MMCore
import MMQueue

/// The queue commands (`enqueue`, `status`, `jobs`, `retry`, `prune`) on one database.
public struct QueueOperations: Sendable {
    public let databasePath: String

    public init(databasePath: String) {
        self.databasePath = databasePath
    }

    /// Opens the database, which must exist: only `enqueue` creates one, so a mistyped
    /// `--db` is reported instead of showing an empty queue.
    func open() throws -> SQLiteQueue {
        try requireDatabase(databasePath)
        return try SQLiteQueue(path: databasePath)
    }

    /// Enqueues `userIDs` and logs the summary, creating the database if needed.
    public func enqueue(userIDs: [String], priority: Int, runAfter: Date?) throws -> EnqueueSummary {
        let queue = try SQLiteQueue(path: databasePath)
        let summary = try queue.enqueue(userIDs: userIDs, priority: priority, runAfter: runAfter)
        Log.info(Message("pipeline.enqueue.done"), [
            "added": summary.added, "already_waiting": summary.alreadyWaiting,
            "priority_raised": summary.priorityRaised, "skipped_empty": summary.skippedEmpty,
            "db": databasePath,
        ])
        return summary
    }

    /// The counts per state and the newest runs.
    public func status(runLimit: Int) throws -> (counts: [JobState: Int], runs: [RunRecord]) {
        let queue = try open()
        return (try queue.counts(), try queue.runs(limit: runLimit))
    }

    public func jobs(state: JobState?, userID: String?, limit: Int) throws -> [JobRecord] {
        try open().jobs(state: state, userID: userID, limit: limit)
    }

    public func retryDead() throws -> Int {
        try open().retryDead(now: Date())
    }

    public func retry(userIDs: [String]) throws -> Int {
        try open().retry(userIDs: userIDs, now: Date())
    }

    public func prune(olderThanDays days: Double) throws -> PruneSummary {
        let queue = try open()
        let summary = try queue.prune(olderThanDays: days, now: Date())
        try queue.checkpoint()
        return summary
    }
}

/// Throws `PipelineError.databaseMissing` unless `path` names an existing file.
func requireDatabase(_ path: String) throws {
    guard FileManager.default.fileExists(atPath: path) else {
        throw PipelineError.databaseMissing(path: path)
    }
}

/// Reads user ids, one per line, from a file or from stdin when `path` is `-`.
///
/// Surrounding spaces and a trailing CR are trimmed; blank lines and lines starting with
/// `#` are skipped. A UTF-8 byte order mark at the start is ignored.
public func readUserIDList(path: String) throws -> [String] {
    let data: Data
    if path == "-" {
        data = FileHandle.standardInput.readDataToEndOfFile()
    } else {
        guard let contents = FileManager.default.contents(atPath: path) else {
            throw PipelineError.unreadableFile(path: path, reason: String(cString: strerror(errno)))
        }
        data = contents
    }
    var bytes = [UInt8](data)
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
        bytes.removeFirst(3)
    }
    guard let text = String(validating: bytes, as: UTF8.self) else {
        throw PipelineError.notUTF8(path: path == "-" ? "stdin" : path)
    }
    var ids: [String] = []
    for line in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
        let id = line.trimmingCharacters(in: .whitespacesAndNewlines)
        if id.isEmpty || id.hasPrefix("#") {
            continue
        }
        ids.append(id)
    }
    return ids
}
