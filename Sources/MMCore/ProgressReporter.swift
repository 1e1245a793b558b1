import Foundation
import Synchronization

/// Progress of long work (import, training, a run). On a terminal it redraws one status
/// line in place; otherwise (cron, a pipe) it writes an INFO log line at most every
/// `interval` seconds, so log files show the job advancing without flooding.
public final class ProgressReporter: Sendable {
    struct State {
        var done = 0
        var lastReport = 0.0
        var finished = false
    }

    private let task: Message
    private let total: Int?
    private let unit: String
    private let interval: Double
    private let onTerminal: Bool
    private let start: Double
    private let state = Mutex(State())

    /// - Parameters:
    ///   - task: what is being done, shown before the counts.
    ///   - total: the count of items when known.
    ///   - unit: the item's name in key=value context (`users`, `rows`, `epochs`).
    ///   - interval: seconds between log lines when stderr is not a terminal.
    public init(
        _ task: Message, total: Int?, unit: String, interval: Double = 10,
        onTerminal: Bool = isatty(STDERR_FILENO) == 1
    ) {
        self.task = task
        self.total = total
        self.unit = unit
        self.interval = interval
        self.onTerminal = onTerminal
        self.start = monotonicSeconds()
    }

    /// Adds `count` finished items and reports when due.
    public func advance(by count: Int = 1, detail: String? = nil) {
        let now = monotonicSeconds()
        let snapshot: Int? = state.withLock { state in
            state.done += count
            let due = onTerminal ? now - state.lastReport >= 0.1 : now - state.lastReport >= interval
            guard due, !state.finished else { return nil }
            state.lastReport = now
            return state.done
        }
        if let snapshot {
            report(done: snapshot, elapsed: now - start, detail: detail)
        }
    }

    /// Reports the final count once and ends the terminal line.
    public func finish(detail: String? = nil) {
        let done: Int? = state.withLock { state in
            guard !state.finished else { return nil }
            state.finished = true
            return state.done
        }
        guard let done else { return }
        if onTerminal {
            report(done: done, elapsed: monotonicSeconds() - start, detail: detail)
            Log.endProgressLine()
        }
    }

    private func report(done: Int, elapsed: Double, detail: String?) {
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        if onTerminal {
            var text = task.text() + " " + AppLocale.current.formatInteger(done)
            if let total {
                text += "/" + AppLocale.current.formatInteger(total)
                if total > 0 {
                    text += " (" + AppLocale.current.formatPercent(Double(done) / Double(total)) + ")"
                }
            }
            text += " · " + AppLocale.current.formatDecimal(rate, decimals: 0) + " \(unit)/s"
            if let detail {
                text += " · " + detail
            }
            Log.drawProgressLine(text)
        } else {
            Log.info(task, ["done": done, "total": total.map(String.init) ?? "-", "\(unit)_per_s": rate])
        }
    }
}

/// Seconds from an arbitrary fixed point, unaffected by wall-clock changes.
public func monotonicSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}
