import Foundation

/// Calendar fields of an instant in UTC, computed with `gmtime_r`, which is thread-safe
/// and needs no time zone database (unlike `DateFormatter` on Linux).
public struct UTCTime: Sendable, Equatable {
    public var year: Int
    public var month: Int
    public var day: Int
    public var hour: Int
    public var minute: Int
    public var second: Int
    public var millisecond: Int

    public init(_ date: Date) {
        let interval = date.timeIntervalSince1970
        var seconds = time_t(interval.rounded(.down))
        var fields = tm()
        gmtime_r(&seconds, &fields)
        year = Int(fields.tm_year) + 1900
        month = Int(fields.tm_mon) + 1
        day = Int(fields.tm_mday)
        hour = Int(fields.tm_hour)
        minute = Int(fields.tm_min)
        second = Int(fields.tm_sec)
        millisecond = min(999, Int(((interval - interval.rounded(.down)) * 1000).rounded(.down)))
    }

    /// ISO 8601 with milliseconds, as stored in the database and written to logs:
    /// `2026-12-04T19:50:45.123Z`.
    public var iso8601: String {
        String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", year, month, day, hour, minute, second,
            millisecond)
    }

    /// A compact form for run ids and file names: `20261204T195045Z`.
    public var compact: String {
        String(format: "%04d%02d%02dT%02d%02d%02dZ", year, month, day, hour, minute, second)
    }

    /// Parses the ISO 8601 forms mmbatch writes and accepts on the command line:
    /// `2026-12-04`, `2026-12-04T19:50`, `2026-12-04T19:50:45`, optionally with
    /// fractional seconds, and with `Z` or a `+hh:mm` / `-hh:mm` offset. A time without
    /// an offset is UTC. Returns nil for anything else.
    public static func parse(_ text: String) -> Date? {
        let pattern =
            #/^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/#
        guard let match = text.wholeMatch(of: pattern) else { return nil }
        var fields = tm()
        fields.tm_year = Int32(match.1)! - 1900
        fields.tm_mon = Int32(match.2)! - 1
        fields.tm_mday = Int32(match.3)!
        fields.tm_hour = Int32(match.4 ?? "0")!
        fields.tm_min = Int32(match.5 ?? "0")!
        fields.tm_sec = Int32(match.6 ?? "0")!
        guard (0..<12).contains(fields.tm_mon), (1...31).contains(fields.tm_mday),
            (0..<24).contains(fields.tm_hour), (0..<60).contains(fields.tm_min),
            (0...60).contains(fields.tm_sec)
        else { return nil }

        var seconds = Double(timegm(&fields))
        if let fraction = match.7 {
            seconds += Double("0." + fraction) ?? 0
        }
        if let zone = match.8, zone != "Z" {
            let digits = zone.dropFirst().replacingOccurrences(of: ":", with: "")
            let hours = Double(digits.prefix(2))!
            let minutes = Double(digits.suffix(2))!
            let offset = (hours * 3600 + minutes * 60) * (zone.first == "-" ? -1 : 1)
            seconds -= offset
        }
        return Date(timeIntervalSince1970: seconds)
    }
}
