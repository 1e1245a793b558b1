import Foundation
import MMCore

/// Measured queue throughput, for `mmbatch bench`.
public struct QueueBenchmarkResult: Sendable, Codable, Equatable {
    public var jobs: Int
    public var batchSize: Int
    public var genres: Int
    public var enqueueSeconds: Double
    public var claimCompleteSeconds: Double
    /// CPU time of the calling thread during enqueue and during claim-and-complete, in
    /// seconds. On a machine shared with other work, rates from CPU time vary less than
    /// rates from wall time.
    public var enqueueCPUSeconds: Double
    public var claimCompleteCPUSeconds: Double

    /// Users enqueued per second (one transaction per `SQLiteQueue.enqueueBatchSize`).
    public var enqueuePerSecond: Double { Double(jobs) / max(enqueueSeconds, 1e-9) }
    /// Jobs claimed and completed (results written, jobs marked done) per second, in
    /// batches of `batchSize`: one claim transaction and one complete transaction each.
    public var claimCompletePerSecond: Double { Double(jobs) / max(claimCompleteSeconds, 1e-9) }
    /// Claim-and-complete rate per CPU second of the calling thread.
    public var claimCompletePerCPUSecond: Double { Double(jobs) / max(claimCompleteCPUSeconds, 1e-9) }
    public var enqueuePerCPUSecond: Double { Double(jobs) / max(enqueueCPUSeconds, 1e-9) }
}

/// Measures the queue on a temporary database: enqueue rate, then claim-and-complete
/// rate, the way a run uses it but with no model work in between.
public enum QueueBenchmark {
    /// Runs the benchmark in a new folder inside `directory` (the system's temporary
    /// folder by default) and removes it afterwards.
    ///
    /// - Parameters:
    ///   - jobs: users to enqueue and process.
    ///   - batchSize: jobs per claim and per complete, as a run's batches.
    ///   - genres: genres per result (G).
    public static func run(
        jobs: Int = 100_000, batchSize: Int = 512, genres: Int = 10, directory: URL? = nil
    ) throws -> QueueBenchmarkResult {
        precondition(jobs > 0 && batchSize > 0 && genres > 0, "jobs \(jobs), batchSize \(batchSize), genres \(genres) must be positive")
        let base = directory ?? URL(fileURLWithPath: NSTemporaryDirectory())
        let folder = base.appendingPathComponent("mmbatch-queue-bench-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }

        let queue = try SQLiteQueue(path: folder.appendingPathComponent("bench.sqlite").path)
        let userIDs = (0..<jobs).map { "user\($0)" }

        var clock = ContinuousClock.now
        var cpu = threadCPUSeconds()
        try queue.enqueue(userIDs: userIDs)
        let enqueueSeconds = seconds(since: clock)
        let enqueueCPUSeconds = threadCPUSeconds() - cpu

        let runID = try queue.startRun(RunStart(modelPath: "benchmark", modelFingerprint: "benchmark"))
        let owner = LeaseOwner.current(runID: runID)
        let ranked = (0..<genres).map { (genre: "genre\($0)", probability: Float(genres - $0) / Float(genres * 2)) }

        clock = ContinuousClock.now
        cpu = threadCPUSeconds()
        var processed = 0
        while true {
            let claimed = try queue.claim(limit: batchSize, owner: owner)
            if claimed.isEmpty {
                break
            }
            let results = claimed.map { job in
                UserResult(jobID: job.id, userID: job.userID, ranked: ranked, engagement: 0.5)
            }
            processed += try queue.complete(runID: runID, results: results).completed
        }
        let claimCompleteSeconds = seconds(since: clock)
        let claimCompleteCPUSeconds = threadCPUSeconds() - cpu
        precondition(processed == jobs, "benchmark completed \(processed) of \(jobs) jobs")

        return QueueBenchmarkResult(
            jobs: jobs, batchSize: batchSize, genres: genres, enqueueSeconds: enqueueSeconds,
            claimCompleteSeconds: claimCompleteSeconds, enqueueCPUSeconds: enqueueCPUSeconds,
            claimCompleteCPUSeconds: claimCompleteCPUSeconds)
    }

    private static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    private static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }
}
