import Foundation
import Synchronization

/// Log levels in increasing severity.
public enum LogLevel: Int, Sendable, Comparable, CaseIterable {
    case debug, info, warning, error

    public init?(name: String) {
        switch name.lowercased() {
        case "debug": self = .debug
        case "info": self = .info
        case "warning", "warn": self = .warning
        case "error": self = .error
        default: return nil
        }
    }

    /// The untranslated name written in log lines, so log files stay parseable.
    public var name: String {
        switch self {
        case .debug: "DEBUG"
        case .info: "INFO"
        case .warning: "WARN"
        case .error: "ERROR"
        }
    }

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The process logger: one line per event on stderr, with a UTC timestamp, the level,
/// the message in the user's locale and key=value context that is never translated:
///
///     2026-12-04T02:00:01.532Z INFO run finished run=20261204T020001Z users=2000 failed=0
///
/// Lines are written whole under a lock, so lines from worker threads never interleave.
public enum Log {
    struct State {
        var level = LogLevel.info
        var sink: @Sendable (String) -> Void = { line in
            FileHandle.standardError.write(Data(line.utf8))
        }
        var progressLineShown = false
    }

    static let state = Mutex(State())

    /// The minimum level written; the command line sets it from `--log-level`.
    public static var level: LogLevel {
        get { state.withLock { $0.level } }
        set { state.withLock { $0.level = newValue } }
    }

    /// Replaces where lines go (stderr by default); tests use it to capture lines.
    public static func setSink(_ sink: @escaping @Sendable (String) -> Void) {
        state.withLock { $0.sink = sink }
    }

    public static func debug(_ message: Message, _ context: KeyValuePairs<String, Any> = [:]) {
        write(.debug, message, context)
    }

    public static func info(_ message: Message, _ context: KeyValuePairs<String, Any> = [:]) {
        write(.info, message, context)
    }

    public static func warning(_ message: Message, _ context: KeyValuePairs<String, Any> = [:]) {
        write(.warning, message, context)
    }

    public static func error(_ message: Message, _ context: KeyValuePairs<String, Any> = [:]) {
        write(.error, message, context)
    }

    /// Writes one line if `level` is enabled.
    public static func write(
        _ level: LogLevel, _ message: Message, _ context: KeyValuePairs<String, Any> = [:]
    ) {
        guard level >= Log.level else { return }
        var line = UTCTime(Date()).iso8601 + " " + level.name + " " + message.text()
        for (key, value) in context {
            line += " " + key + "=" + formatValue(value)
        }
        line += "\n"
        emit(line)
    }

    /// Writes a line as is, first ending a progress line that is on screen.
    static func emit(_ line: String) {
        state.withLock { state in
            if state.progressLineShown {
                state.sink("\n")
                state.progressLineShown = false
            }
            state.sink(line)
        }
    }

    /// Redraws the progress line of a terminal in place.
    static func drawProgressLine(_ text: String) {
        state.withLock { state in
            state.sink("\r\u{1B}[2K" + text)
            state.progressLineShown = true
        }
    }

    /// Ends the progress line so the next output starts on a new line.
    static func endProgressLine() {
        state.withLock { state in
            if state.progressLineShown {
                state.sink("\n")
                state.progressLineShown = false
            }
        }
    }

    /// Formats a context value: numbers plainly, strings quoted when they contain spaces,
    /// quotes, `=` or control characters, so `key=value` pairs stay splittable.
    static func formatValue(_ value: Any) -> String {
        let text: String
        switch value {
        case let double as Double:
            text = double.isFinite ? String(format: "%.6g", double) : "\(double)"
        case let float as Float:
            text = float.isFinite ? String(format: "%.6g", Double(float)) : "\(float)"
        default:
            text = "\(value)"
        }
        let needsQuotes =
            text.isEmpty
            || text.unicodeScalars.contains { $0 == " " || $0 == "\"" || $0 == "=" || $0.value < 0x20 }
        guard needsQuotes else { return text }
        var escaped = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\t": escaped += "\\t"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped + "\""
    }
}
