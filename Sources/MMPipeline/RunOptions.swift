import Foundation
import MMCore
import MMFeatures
import MMQueue

/// Everything `mmbatch run` needs to know.
public struct RunOptions: Sendable {
    public var dataDirectory = URL(fileURLWithPath: Defaults.dataDirectory)
    public var databasePath = Defaults.database
    public var modelPath = URL(fileURLWithPath: Defaults.model)
    public var reportsDirectory = URL(fileURLWithPath: Defaults.reportsDirectory)
    /// Threads scoring batches in parallel; OpenBLAS runs one thread inside each.
    public var workers = SystemInfo.activeCores
    public var topK = Defaults.topK
    /// Users per inference batch, fixed so results do not depend on `workers`.
    public var batchSize = Defaults.batchSize
    public var maxTracks = Defaults.maxTracks
    /// Stop after claiming this many users (nil: until the queue is empty).
    public var userLimit: Int?
    public var strict = false
    public var rebuildCache = false
    public var encoding: TextEncoding = .utf8
    public var includeBOM = true
    public var locale: AppLocale = .english
    public var retryPolicy = RetryPolicy.standard
    public var busyTimeoutMilliseconds = QueueDefaults.busyTimeoutMilliseconds
    public var leaseSeconds = QueueDefaults.leaseSeconds
    public var heartbeatSeconds = QueueDefaults.heartbeatSeconds

    public init() {}

    /// The options as a JSON object, recorded with the run.
    var json: String {
        let object: [String: String] = [
            "data": dataDirectory.path, "db": databasePath, "model": modelPath.path,
            "reports": reportsDirectory.path, "workers": "\(workers)", "top_k": "\(topK)",
            "batch_size": "\(batchSize)", "max_tracks": "\(maxTracks)", "strict": "\(strict)",
            "encoding": encoding.rawValue, "max_attempts": "\(retryPolicy.maxAttempts)",
            "user_limit": userLimit.map(String.init) ?? "none",
        ]
        return QueueJSON.encode(object)
    }
}

/// How a run ended, for the command line.
public struct RunOutcome: Sendable {
    public var runID: Int64
    public var status: MMQueue.RunStatus
    public var counts: MMQueue.RunCounts
    public var reportURL: URL?
    public var usersPerSecond: Double
    /// The run's own error that stopped it early, if any.
    public var stopError: String?
    public var exitCode: ExitCode
}
