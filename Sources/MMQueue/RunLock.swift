import Foundation
import MMCore
import Synchronization

/// The lock that lets one run at a time work on a database: an exclusive `flock` on
/// `<database>.lock`.
///
/// The kernel releases the lock when the holder's process dies (even by SIGKILL),
/// because the lock belongs to the open file description, so a crashed run never
/// blocks the next one. The file records the holder's pid, host and start time so a
/// second run can name it. The file is never deleted: deleting it while another
/// process waits to lock it would let two processes lock two different files.
public final class RunLock: Sendable {
    /// The lock file, `<database>.lock`.
    public let path: String
    /// The open lock file, -1 once released.
    private let descriptor: Mutex<Int32>

    /// Returns the lock file that guards `databasePath`.
    public static func lockPath(forDatabase databasePath: String) -> String {
        databasePath + ".lock"
    }

    /// Takes the run lock of `databasePath` without waiting.
    ///
    /// - Throws: `QueueError.runLocked` (exit code 4) naming the holder when another
    ///   process holds it; `SystemError` when the lock file cannot be opened or written.
    public static func acquire(databasePath: String, now: Date = Date()) throws -> RunLock {
        let path = lockPath(forDatabase: databasePath)
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw failure(path: path, errno: errno)
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            let holder = currentHolder(descriptor)
            close(descriptor)
            if code == EWOULDBLOCK {
                throw QueueError.runLocked(lockPath: path, pid: holder.pid, host: holder.host, since: holder.since)
            }
            throw failure(path: path, errno: code)
        }

        let lock = RunLock(path: path, descriptor: descriptor)
        let record = "pid=\(getpid())\nhost=\(SystemInfo.hostName)\nsince=\(UTCTime(now).iso8601)\n"
        let bytes = Array(record.utf8)
        let written = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        guard written == bytes.count, ftruncate(descriptor, off_t(bytes.count)) == 0 else {
            throw failure(path: path, errno: errno)
        }
        return lock
    }

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = Mutex(descriptor)
    }

    deinit {
        release()
    }

    /// Releases the lock; later calls do nothing. The holder record stays in the file,
    /// which is harmless because only the `flock` decides who holds the lock.
    public func release() {
        descriptor.withLock { descriptor in
            guard descriptor >= 0 else { return }
            flock(descriptor, LOCK_UN)
            close(descriptor)
            descriptor = -1
        }
    }

    /// Reads the holder record, again for up to 0.2 s while it still names a process of
    /// this host that is gone: a run that took the lock an instant ago may not have
    /// replaced the previous holder's record yet. Returns no pid when it never does.
    private static func currentHolder(_ descriptor: Int32) -> (pid: Int32?, host: String?, since: String?) {
        var holder = readHolder(descriptor)
        for _ in 0..<10 {
            guard let pid = holder.pid, holder.host == SystemInfo.hostName, !ProcessLiveness.isAlive(pid) else {
                return holder
            }
            usleep(20_000)
            holder = readHolder(descriptor)
        }
        return (nil, nil, nil)
    }

    /// Reads the holder record, `key=value` lines. Fields are nil when the holder has
    /// not written them yet.
    private static func readHolder(_ descriptor: Int32) -> (pid: Int32?, host: String?, since: String?) {
        var buffer = [UInt8](repeating: 0, count: 1024)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return (nil, nil, nil) }
        var fields: [String: String] = [:]
        for line in String(decoding: buffer.prefix(count), as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            if parts.count == 2 {
                fields[String(parts[0])] = String(parts[1])
            }
        }
        return (fields["pid"].flatMap { Int32($0) }, fields["host"], fields["since"])
    }

    private static func failure(path: String, errno code: Int32) -> SystemError {
        SystemError(
            Message("queue.lock.failed", ["path": path, "reason": String(cString: strerror(code))]),
            exitCode: .outputFailed)
    }
}
