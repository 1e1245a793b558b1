/// Process exit codes, the same for every command, so cron and wrapper scripts can react
/// to the kind of failure without parsing messages.
public enum ExitCode: Int32, Sendable, CaseIterable {
    /// Everything requested was done.
    case success = 0
    /// Some users failed or died; the rest succeeded.
    case partial = 1
    /// The command line was invalid.
    case usage = 2
    /// An input file was unreadable or invalid, or a bad row was found under `--strict`.
    case badInput = 3
    /// Another run holds the database's run lock.
    case locked = 4
    /// An output file could not be written (full or read-only disk).
    case outputFailed = 5
    /// A bug or an unexpected failure of a library or the operating system.
    case internalError = 6
}
