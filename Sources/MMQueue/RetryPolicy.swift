import Foundation

/// When a transiently failed job may run again, and how often it may try.
///
/// The delay after attempt n (1-based) is `min(cap, base · 2^(n−1))`, then scaled by a
/// random factor in `1 ± jitter` so that jobs that failed together (a full disk, a busy
/// database) do not all come back at the same instant. After `maxAttempts` attempts a
/// job is dead.
public struct RetryPolicy: Sendable, Equatable {
    public var maxAttempts: Int
    public var baseSeconds: Double
    public var capSeconds: Double
    /// The relative spread of the delay, 0.2 for ±20 %.
    public var jitter: Double

    public init(
        maxAttempts: Int = QueueDefaults.maxAttempts, baseSeconds: Double = QueueDefaults.backoffBaseSeconds,
        capSeconds: Double = QueueDefaults.backoffCapSeconds, jitter: Double = 0.2
    ) {
        precondition(maxAttempts >= 1, "maxAttempts \(maxAttempts) must be at least 1")
        precondition(jitter >= 0 && jitter < 1, "jitter \(jitter) must be in [0, 1)")
        self.maxAttempts = maxAttempts
        self.baseSeconds = baseSeconds
        self.capSeconds = capSeconds
        self.jitter = jitter
    }

    public static let standard = RetryPolicy()

    /// Returns the delay in seconds before the attempt after `attempt`. `unit` is a
    /// uniform random number in [0, 1) that picks the jitter; 0.5 gives the exact backoff.
    public func delay(afterAttempt attempt: Int, unit: Double) -> Double {
        let exponent = Double(max(0, attempt - 1))
        // 2^exponent overflows to infinity for huge attempt counts, which min() caps.
        let backoff = min(capSeconds, baseSeconds * pow(2, exponent))
        return backoff * (1 + jitter * (2 * unit - 1))
    }

    /// Returns whether a job that has made `attempts` attempts may make another.
    public func allowsRetry(after attempts: Int) -> Bool { attempts < maxAttempts }
}
