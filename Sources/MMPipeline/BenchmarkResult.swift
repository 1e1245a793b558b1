import Foundation
import MMCore
import MMQueue

/// The figures of one `mmbatch bench`, with the JSON keys other programs read.
public struct BenchmarkResult: Codable, Sendable {
    public var users = 0
    public var tracks = 0
    public var workers: Int
    public var batchSize: Int
    public var cores = 0
    /// The CPU kernel OpenBLAS chose, such as `Haswell`.
    public var blasCore = ""
    /// Forward-pass FLOPs per user in the sgemm layers (3.42 M at the reference sizes).
    public var flopsPerUser = 0.0
    public var sgemmPeakGFLOPS = 0.0
    public var inferenceGFLOPS = 0.0
    public var inferenceUsersPerSecond = 0.0
    public var assembleUsersPerSecond = 0.0
    public var csvBytes = 0
    public var csvParseMegabytesPerSecond = 0.0
    public var warmLoadSeconds = 0.0
    public var enqueueJobsPerSecond = 0.0
    public var claimCompleteJobsPerSecond = 0.0
    /// Enqueueing every user of the catalogue before a whole run.
    public var enqueueAllSeconds = 0.0
    public var coldSeconds = 0.0
    public var coldUsersPerSecond = 0.0
    public var coldPeakResidentBytes = 0
    public var warmSeconds = 0.0
    public var warmUsersPerSecond = 0.0
    /// Peak resident memory of the warm run.
    public var peakResidentBytes = 0
    /// Binary size of the feature data a run reads (the cached stores).
    public var dataBytes = 0

    public init(workers: Int, batchSize: Int) {
        self.workers = workers
        self.batchSize = batchSize
    }

    /// Forward-pass rate over the sgemm rate at the same shapes and threads.
    public var inferenceToPeak: Double { inferenceGFLOPS / max(sgemmPeakGFLOPS, 1e-12) }
    /// The memory target: 1.5 × the feature data plus 100 MB for the runtime.
    public var memoryLimitBytes: Int { dataBytes * 3 / 2 + 100_000_000 }

    enum CodingKeys: String, CodingKey {
        case users, tracks, workers, cores
        case batchSize = "batch_size"
        case blasCore = "blas_core"
        case flopsPerUser = "flops_per_user"
        case sgemmPeakGFLOPS = "sgemm_peak_gflops"
        case inferenceGFLOPS = "inference_gflops"
        case inferenceUsersPerSecond = "inference_users_per_s"
        case assembleUsersPerSecond = "assemble_users_per_s"
        case csvBytes = "csv_bytes"
        case csvParseMegabytesPerSecond = "csv_parse_mb_per_s"
        case warmLoadSeconds = "warm_load_s"
        case enqueueJobsPerSecond = "enqueue_jobs_per_s"
        case claimCompleteJobsPerSecond = "claim_complete_jobs_per_s"
        case enqueueAllSeconds = "enqueue_all_s"
        case coldSeconds = "cold_s"
        case coldUsersPerSecond = "cold_users_per_s"
        case coldPeakResidentBytes = "cold_peak_rss_bytes"
        case warmSeconds = "warm_s"
        case warmUsersPerSecond = "warm_users_per_s"
        case peakResidentBytes = "peak_rss_bytes"
        case dataBytes = "data_bytes"
    }

    /// Encodes every figure and the derived ratios as one JSON object with sorted keys.
    public func json() -> String {
        var object = (try? JSONSerialization.jsonObject(with: JSONEncoder().encode(self))) as? [String: Any] ?? [:]
        object["inference_to_peak"] = inferenceToPeak
        object["memory_limit_bytes"] = memoryLimitBytes
        object["claim_complete_to_inference"] = claimCompleteJobsPerSecond / max(inferenceUsersPerSecond, 1e-12)
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
