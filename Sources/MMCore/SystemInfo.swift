import Foundation

/// Facts about this program and machine that reports and logs record.
public enum SystemInfo {
    /// The mmbatch release, shown by `--version` and recorded in reports and model files.
    public static let version = "0.1.0"

    /// The cores this process may use (the affinity mask), the default worker count.
    public static var activeCores: Int {
        max(1, ProcessInfo.processInfo.activeProcessorCount)
    }

    public static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "unknown" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Peak resident set size of this process in bytes (`VmHWM` of /proc/self/status).
    public static var peakResidentBytes: Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kilobytes = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
            return kilobytes * 1024
        }
        return 0
    }
}
