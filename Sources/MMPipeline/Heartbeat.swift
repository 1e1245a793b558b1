import Foundation
import MMCore
import MMQueue

/// Extends the leases of a run's jobs every `interval` seconds on a timer thread, with
/// a database connection of its own, so a long batch never looks abandoned.
final class Heartbeat: @unchecked Sendable {
    // `timer` is created in init and only cancelled through `stop`, which DispatchSource
    // makes safe to call from any thread.
    private let timer: DispatchSourceTimer
    private let queue: SQLiteQueue

    init(databasePath: String, owner: LeaseOwner, leaseSeconds: Double, interval: Double) throws {
        queue = try SQLiteQueue(path: databasePath)
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "mmbatch.heartbeat"))
        timer.schedule(deadline: .now() + interval, repeating: interval)
        timer.setEventHandler { [queue] in
            do {
                let extended = try queue.heartbeat(owner: owner, leaseSeconds: leaseSeconds, now: Date())
                Log.debug(Message("pipeline.heartbeat.extended"), ["run": owner.runID, "jobs": extended])
            } catch {
                Log.warning(Message("pipeline.heartbeat.failed"), ["run": owner.runID, "error": describe(error)])
            }
        }
        timer.resume()
    }

    func stop() {
        timer.cancel()
    }
}
