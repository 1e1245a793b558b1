import Foundation
import MMCore

/// The life cycle of a job.
///
/// `pending`, `running` and `failed` are the waiting states: a user has at most one job
/// in them. `failed` waits for a retry at its `run_after`; `done` and `dead` are final.
public enum JobState: String, Sendable, CaseIterable, Codable, Comparable {
    case pending, running, done, failed, dead

    /// Whether the job still counts as the user's one waiting job.
    public var isWaiting: Bool { self == .pending || self == .running || self == .failed }

    public static func < (lhs: JobState, rhs: JobState) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// Whether a failure can go away by itself.
public enum FailureKind: String, Sendable, Codable {
    /// Retried with backoff: an I/O error reading features, SQLite busy past the
    /// timeout, a full disk while writing results, a lost worker.
    case transient
    /// Dead at once: the user's own input is unusable (no history row, dimensions that
    /// do not match the model, no usable input).
    case permanent
}

/// The process that owns a claim.
public struct LeaseOwner: Sendable, Hashable, Codable {
    public var host: String
    public var pid: Int32
    public var runID: Int64

    public init(host: String, pid: Int32, runID: Int64) {
        self.host = host
        self.pid = pid
        self.runID = runID
    }

    /// This process on this host, working for `runID`.
    public static func current(runID: Int64) -> LeaseOwner {
        LeaseOwner(host: SystemInfo.hostName, pid: getpid(), runID: runID)
    }
}

/// A job handed to a worker by `claim`.
public struct ClaimedJob: Sendable, Hashable {
    public var id: Int64
    public var userID: String
    /// The number of this attempt, 1 for the first.
    public var attempts: Int
    public var priority: Int

    public init(id: Int64, userID: String, attempts: Int, priority: Int) {
        self.id = id
        self.userID = userID
        self.attempts = attempts
        self.priority = priority
    }
}

/// Counts of what `enqueue` did with its ids.
public struct EnqueueSummary: Sendable, Equatable, Codable {
    /// Users who got a new pending job.
    public var added = 0
    /// Users who already had a waiting job, left unchanged.
    public var alreadyWaiting = 0
    /// Users who already had a waiting job whose priority was raised.
    public var priorityRaised = 0
    /// Empty ids, which were skipped.
    public var skippedEmpty = 0

    public init(added: Int = 0, alreadyWaiting: Int = 0, priorityRaised: Int = 0, skippedEmpty: Int = 0) {
        self.added = added
        self.alreadyWaiting = alreadyWaiting
        self.priorityRaised = priorityRaised
        self.skippedEmpty = skippedEmpty
    }

    public var total: Int { added + alreadyWaiting + priorityRaised + skippedEmpty }
}

/// One user's output from a run, written by `complete`.
public struct UserResult: Sendable {
    public var jobID: Int64
    public var userID: String
    /// All G genres with their probabilities, highest first.
    public var ranked: [(genre: String, probability: Float)]
    public var engagement: Float
    /// The user had no usable tracks, so only the history was used.
    public var noTracks: Bool
    /// Played tracks dropped because their cover or clip row is missing.
    public var missingTracks: Int

    public init(
        jobID: Int64, userID: String, ranked: [(genre: String, probability: Float)], engagement: Float,
        noTracks: Bool = false, missingTracks: Int = 0
    ) {
        self.jobID = jobID
        self.userID = userID
        self.ranked = ranked
        self.engagement = engagement
        self.noTracks = noTracks
        self.missingTracks = missingTracks
    }
}

/// The outcome of `complete`.
public struct CompletionSummary: Sendable, Equatable {
    /// Jobs marked done with their results written.
    public var completed: Int
    /// Jobs no longer held by the run (their lease expired and they were recovered):
    /// their results were not written, because another attempt owns them now.
    public var leaseLost: [Int64]
}

/// The outcome of `prune`.
public struct PruneSummary: Sendable, Equatable, Codable {
    public var jobs = 0
    public var attempts = 0
    public var results = 0
}

/// A job taken back from a run that died or stopped extending its lease.
public struct RecoveredJob: Sendable, Equatable {
    public var id: Int64
    public var userID: String
    /// The run that held it, when the lease recorded one.
    public var previousRunID: Int64?
    /// The reason it was taken back (lease expired, or owner process gone), in the user's
    /// language.
    public var reason: String
    /// `failed` (claimable again at once) or `dead` (no attempts left).
    public var newState: JobState
}
