import Dispatch
import Foundation
import MMCore
import Synchronization

/// A timer that extends a run's leases while the run works.
///
/// It calls `heartbeat(owner:leaseSeconds:)` every `interval` seconds on its own
/// dispatch queue until `stop()` or deinit. A failed heartbeat is logged and retried at
/// the next tick: one miss leaves two thirds of a 60 s lease, so only repeated failures
/// (a database locked for a minute) let another run recover the jobs.
public final class LeaseHeartbeat: @unchecked Sendable {
    // `timer` is the only non-Sendable member. It is set once in init and afterwards
    // only cancelled, which libdispatch allows from any thread, and `stopped` makes sure
    // that happens once.
    private let timer: DispatchSourceTimer
    private let stopped = Atomic<Bool>(false)
    private let failures = FailureCount()

    /// Starts the timer; the first heartbeat is one `interval` from now.
    public init(
        queue: some JobQueue, owner: LeaseOwner, interval: Double = QueueDefaults.heartbeatSeconds,
        leaseSeconds: Double = QueueDefaults.leaseSeconds
    ) {
        precondition(interval > 0 && interval < leaseSeconds, "heartbeat interval \(interval) s must be in (0, lease \(leaseSeconds) s)")
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "mmbatch.lease-heartbeat"))
        self.timer = timer
        let failures = self.failures
        timer.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(100))
        timer.setEventHandler {
            do {
                _ = try queue.heartbeat(owner: owner, leaseSeconds: leaseSeconds, now: Date())
            } catch {
                // Repeats are rate-limited: the first three, then every tenth.
                let count = failures.value.add(1, ordering: .relaxed).newValue
                if count <= 3 || count % 10 == 0 {
                    Log.warning(
                        Message("queue.heartbeat.failed", ["run": "\(owner.runID)", "reason": "\(error)"]),
                        ["run": owner.runID, "failures": count])
                }
            }
        }
        timer.resume()
    }

    /// Heartbeats that failed so far.
    public var failureCount: Int { failures.value.load(ordering: .relaxed) }

    /// Stops the timer; a heartbeat already running finishes first. Later calls do nothing.
    public func stop() {
        guard !stopped.exchange(true, ordering: .relaxed) else { return }
        timer.cancel()
    }

    deinit {
        stop()
    }
}

/// The failure counter, in a class so the timer's handler can share it with the
/// heartbeat object.
private final class FailureCount: Sendable {
    let value = Atomic<Int>(0)
}
