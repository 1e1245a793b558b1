import Foundation
import Synchronization

/// The languages mmbatch speaks: English (the default) and Simplified Chinese.
public enum AppLocale: String, Sendable, CaseIterable {
    case english = "en"
    case chinese = "zh-CN"

    /// Parses a `--locale` value or a POSIX locale name such as `zh_CN.UTF-8`.
    /// Returns nil for a language mmbatch has no messages for.
    public init?(identifier: String) {
        let base = identifier.split(separator: ".").first.map(String.init) ?? identifier
        let normalized = base.replacingOccurrences(of: "_", with: "-").lowercased()
        if normalized == "zh" || normalized.hasPrefix("zh-") {
            self = .chinese
        } else if normalized == "en" || normalized.hasPrefix("en-") || normalized == "c"
            || normalized == "posix"
        {
            self = .english
        } else {
            return nil
        }
    }

    /// Chooses the locale from the `--locale` option, else `MMBATCH_LOCALE`, else the
    /// POSIX variables (`LC_ALL`, then `LANG`), else English.
    ///
    /// Foundation's `Locale.current` is not used because on Linux it ignores `LANG`.
    /// An unsupported `--locale` value throws; an unsupported environment value falls back
    /// to English, because cron environments often carry locales mmbatch has no text for.
    public static func resolve(
        option: String?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> AppLocale {
        if let option {
            guard let locale = AppLocale(identifier: option) else {
                throw UsageError(Message("core.locale.unknown", ["value": option]))
            }
            return locale
        }
        for name in ["MMBATCH_LOCALE", "LC_ALL", "LANG"] {
            if let value = environment[name], !value.isEmpty {
                return AppLocale(identifier: value) ?? .english
            }
        }
        return .english
    }

    private static let storage = Mutex(AppLocale.english)

    /// The process-wide locale for messages, set once by the command line at startup.
    public static var current: AppLocale {
        get { storage.withLock { $0 } }
        set { storage.withLock { $0 = newValue } }
    }
}

// MARK: - Formatting

extension AppLocale {
    /// Formats an integer with thousands separators (`12,345` in both languages, which is
    /// how Chinese technical text writes them too).
    public func formatInteger(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var grouped = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 {
                grouped.append(",")
            }
            grouped.append(character)
        }
        return value < 0 ? "-" + grouped : grouped
    }

    /// Formats a number with a fixed count of decimals and grouped integer digits.
    public func formatDecimal(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return "–" }
        let fixed = String(format: "%.\(decimals)f", abs(value))
        let parts = fixed.split(separator: ".", maxSplits: 1)
        let integer = formatInteger(Int(parts[0]) ?? 0)
        let sign = value < 0 && fixed.contains(where: { $0 != "0" && $0 != "." }) ? "-" : ""
        return parts.count == 2 ? "\(sign)\(integer).\(parts[1])" : sign + integer
    }

    /// Formats a fraction in [0, 1] as a percentage.
    public func formatPercent(_ fraction: Double, decimals: Int = 1) -> String {
        formatDecimal(fraction * 100, decimals: decimals) + "%"
    }

    /// Formats a UTC instant for people: `2026-12-04 19:50:45 UTC` in English,
    /// `2026年12月4日 19:50:45 UTC` in Chinese. Times are always shown in UTC because
    /// cron jobs often run without a time zone set.
    public func formatDate(_ date: Date) -> String {
        let parts = UTCTime(date)
        let clock = String(format: "%02d:%02d:%02d", parts.hour, parts.minute, parts.second)
        switch self {
        case .english:
            return String(format: "%04d-%02d-%02d ", parts.year, parts.month, parts.day) + clock + " UTC"
        case .chinese:
            return "\(parts.year)年\(parts.month)月\(parts.day)日 " + clock + " UTC"
        }
    }

    /// Formats a duration in seconds: `850 ms`, `12.3 s`, `4 min 05 s`, `1 h 02 min`
    /// (or the Chinese units).
    public func formatDuration(_ seconds: Double) -> String {
        let (ms, s, min, h) =
            self == .chinese ? ("毫秒", "秒", "分", "小时") : ("ms", "s", "min", "h")
        if seconds < 1 {
            return "\(Int((seconds * 1000).rounded())) \(ms)"
        }
        if seconds < 60 {
            return formatDecimal(seconds, decimals: 1) + " \(s)"
        }
        let total = Int(seconds.rounded())
        if total < 3600 {
            return "\(total / 60) \(min) " + String(format: "%02d", total % 60) + " \(s)"
        }
        return "\(total / 3600) \(h) " + String(format: "%02d", (total % 3600) / 60) + " \(min)"
    }
}
