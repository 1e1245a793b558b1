import Foundation
import MMTestSupport

@testable import MMQueue

/// A queue on a fresh database file in its own temporary folder. The folder lives as
/// long as the value.
struct TestQueue {
    let directory: TemporaryDirectory
    let queue: SQLiteQueue

    var path: String { queue.path }

    init(
        _ label: String = "queue", retryPolicy: RetryPolicy = RetryPolicy(jitter: 0), host: String = "test-host"
    ) throws {
        directory = TemporaryDirectory(label)
        queue = try SQLiteQueue(
            path: directory.path("queue.sqlite").path, retryPolicy: retryPolicy, host: host,
            randomUnit: { 0.5 })
    }

    /// Another connection to the same database, as another thread or process would have.
    func reopen(host: String = "test-host") throws -> SQLiteQueue {
        try SQLiteQueue(path: path, retryPolicy: queue.retryPolicy, host: host, randomUnit: { 0.5 })
    }

    /// Starts a run and returns an owner for it on this process.
    func startRun(host: String = "test-host", pid: Int32 = getpid(), at date: Date = Date()) throws -> LeaseOwner {
        let id = try queue.startRun(
            RunStart(startedAt: date, host: host, pid: pid, modelPath: "model.safetensors", modelFingerprint: "f1"))
        return LeaseOwner(host: host, pid: pid, runID: id)
    }

    /// Runs one SQL query returning one integer, for checks the API does not expose.
    func scalar(_ sql: String) throws -> Int {
        try queue.withConnection { try $0.prepare(sql).firstRow { $0.int(0) } ?? 0 }
    }
}

/// The genres of the test results, in index order.
let testGenres = ["rock", "jazz", "pop", "folk"]

/// A result ranking `top` first; probabilities fall by halves and the rest go to the others.
func result(for job: ClaimedJob, top: String = "jazz", engagement: Float = 0.5) -> UserResult {
    var names = testGenres.filter { $0 != top }
    names.insert(top, at: 0)
    let probabilities: [Float] = [0.625, 0.25, 0.125, 0]
    return UserResult(
        jobID: job.id, userID: job.userID, ranked: Array(zip(names, probabilities)).map { (genre: $0.0, probability: $0.1) },
        engagement: engagement)
}

func userIDs(_ count: Int, prefix: String = "u") -> [String] {
    (0..<count).map { index in
        let digits = String(index)
        return prefix + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }
}
