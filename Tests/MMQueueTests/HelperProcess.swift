import Foundation
import MMTestSupport
import Testing

@testable import MMQueue

/// A copy of this test executable started to play another process: it runs one helper
/// test, chosen by `MMQUEUE_HELPER_ROLE`, which is skipped in ordinary test runs.
///
/// Output goes to files in the test's folder, not pipes, so the child can never block
/// on a full pipe and a SIGKILLed child leaves nothing holding a pipe open.
final class HelperProcess {
    let process = Process()
    let outputURL: URL

    init(role: String, environment: [String: String], directory: TemporaryDirectory) throws {
        outputURL = directory.path("helper-\(role)-\(UUID().uuidString.prefix(6)).out")
        FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        let output = try FileHandle(forWritingTo: outputURL)

        process.executableURL = URL(fileURLWithPath: try Self.executablePath())
        process.arguments = ["--testing-library", "swift-testing", "--filter", "HelperRoles/\(role)"]
        var merged = ProcessInfo.processInfo.environment
        merged["MMQUEUE_HELPER_ROLE"] = role
        merged.merge(environment) { _, new in new }
        process.environment = merged
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try output.close()
    }

    var pid: Int32 { process.processIdentifier }

    /// Everything the child printed so far.
    var output: String {
        (try? String(contentsOf: outputURL, encoding: .utf8)) ?? ""
    }

    /// Waits until the child prints `marker`; false after `timeout` seconds or if the
    /// child exits first.
    func waitForOutput(_ marker: String, timeout: Double = 30) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if output.contains(marker) {
                return true
            }
            if !process.isRunning {
                return output.contains(marker)
            }
            usleep(20_000)
        }
        return false
    }

    /// Waits for the child to exit, killing it with SIGKILL after `timeout` seconds, and
    /// returns its exit status (or the signal number when it was killed).
    @discardableResult
    func wait(timeout: Double = 60) -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline {
            usleep(20_000)
        }
        if process.isRunning {
            kill(pid, SIGKILL)
        }
        process.waitUntilExit()
        return process.terminationStatus
    }

    func killHard() {
        kill(pid, SIGKILL)
    }

    private static func executablePath() throws -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        try #require(count > 0, "cannot read /proc/self/exe")
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// The helper processes' entry points. Each runs only inside a `HelperProcess`.
@Suite struct HelperRoles {
    static let environment = ProcessInfo.processInfo.environment

    static func isRole(_ role: String) -> Bool { environment["MMQUEUE_HELPER_ROLE"] == role }

    /// Takes the run lock of `MMQUEUE_HELPER_DB`, prints "locked", then sleeps until killed.
    @Test(.enabled(if: isRole("holdLock"))) func holdLock() throws {
        let database = try #require(Self.environment["MMQUEUE_HELPER_DB"])
        let lock = try RunLock.acquire(databasePath: database)
        FileHandle.standardOutput.write(Data("locked \(lock.path)\n".utf8))
        sleep(120)
    }

    /// Enqueues `MMQUEUE_HELPER_COUNT` users named `p<n>`, a few per call, into
    /// `MMQUEUE_HELPER_DB`, then prints "enqueued <added>".
    @Test(.enabled(if: isRole("enqueue"))) func enqueue() throws {
        let database = try #require(Self.environment["MMQUEUE_HELPER_DB"])
        let count = try #require(Int(Self.environment["MMQUEUE_HELPER_COUNT"] ?? ""))
        let queue = try SQLiteQueue(path: database)
        var added = 0
        for start in stride(from: 0, to: count, by: 25) {
            let ids = (start..<min(count, start + 25)).map { "p\($0)" }
            added += try queue.enqueue(userIDs: ids).added
        }
        FileHandle.standardOutput.write(Data("enqueued \(added)\n".utf8))
    }
}
