import Foundation
import MMCore

/// A finished child process: its exit status, wall time and peak memory.
struct ChildProcessResult {
    var status: Int32
    var seconds: Double
    /// Peak resident set size of the child (`ru_maxrss` from `wait4`), in bytes.
    var peakResidentBytes: Int
}

/// Runs a program to completion with `posix_spawn`, its output appended to `logFile`,
/// and returns its exit status, wall time and peak memory. Used by the benchmark to
/// measure whole runs in fresh processes, as cron starts them.
func runChildProcess(_ executable: String, arguments: [String], logFile: URL) throws -> ChildProcessResult {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, logFile.path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)

    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    let start = monotonicSeconds()
    let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
    guard spawned == 0 else {
        throw SystemError.posix("posix_spawn", path: executable, errno: spawned)
    }

    var status: Int32 = 0
    var usage = rusage()
    while wait4(pid, &status, 0, &usage) < 0 {
        guard errno == EINTR else {
            throw SystemError.posix("wait4", path: executable, errno: errno)
        }
    }
    let exited = (status & 0x7F) == 0
    return ChildProcessResult(
        status: exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F), seconds: monotonicSeconds() - start,
        peakResidentBytes: Int(usage.ru_maxrss) * 1024)
}

/// The path of the running executable.
func currentExecutablePath() -> String {
    (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
}
