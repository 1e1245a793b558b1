/// The queue's default timings and retry policy.
public enum QueueDefaults {
    /// How long a claim stays valid without a heartbeat, in seconds.
    public static let leaseSeconds = 60.0
    /// How often a run extends the leases of the jobs it holds, in seconds.
    public static let heartbeatSeconds = 20.0
    /// Attempts before a transiently failing job is dead.
    public static let maxAttempts = 5
    /// The first retry's delay, doubled on each later attempt, in seconds.
    public static let backoffBaseSeconds = 30.0
    /// The longest retry delay, in seconds.
    public static let backoffCapSeconds = 3600.0
    /// How long a writer waits for SQLite's write lock before giving up, in milliseconds.
    public static let busyTimeoutMilliseconds: Int32 = 10_000
}
