import Foundation
import MMTestSupport
import Testing

@testable import MMQueue

@Suite struct BenchmarkTests {
    @Test func benchmarkProcessesEveryJob() throws {
        let directory = TemporaryDirectory("bench")
        let result = try QueueBenchmark.run(jobs: 3000, batchSize: 512, genres: 10, directory: directory.url)
        #expect(result.jobs == 3000)
        #expect(result.enqueuePerSecond > 0)
        #expect(result.claimCompletePerSecond > 0)
        // The temporary database is gone afterwards.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path).isEmpty)
    }

    /// Prints the rates at the default size; run with `MMQUEUE_BENCHMARK=1`.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["MMQUEUE_BENCHMARK"] == "1"))
    func benchmarkDefaultSize() throws {
        let result = try QueueBenchmark.run()
        print(
            "queue benchmark: jobs=\(result.jobs) enqueue=\(Int(result.enqueuePerSecond))/s",
            "claim+complete=\(Int(result.claimCompletePerSecond))/s batch=\(result.batchSize)",
            "per CPU second: enqueue=\(Int(result.enqueuePerCPUSecond)) claim+complete=\(Int(result.claimCompletePerCPUSecond))")
    }
}
