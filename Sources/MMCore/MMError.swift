import Foundation

/// A user-facing error: it carries the message catalogue entry that explains it and the
/// exit code that the command ends with.
///
/// Every module's error type conforms, so the command line renders any error in the
/// user's locale and maps it to an exit code without knowing the module.
public protocol MMError: Error, CustomStringConvertible {
    var message: Message { get }
    var exitCode: ExitCode { get }
}

extension MMError {
    public var description: String { message.text() }
}

/// A message catalogue key with the values for its `{placeholders}`.
public struct Message: Sendable, Equatable, CustomStringConvertible {
    public var key: String
    public var arguments: [String: String]

    public init(_ key: String, _ arguments: [String: String] = [:]) {
        self.key = key
        self.arguments = arguments
    }

    /// Renders the message in `locale`, or in the process-wide locale when nil.
    public func text(in locale: AppLocale? = nil) -> String {
        Messages.shared.render(self, in: locale ?? AppLocale.current)
    }

    public var description: String { text() }
}

/// An error from a file or the operating system that the module could not classify,
/// kept with the message it came with.
public struct SystemError: MMError {
    public var message: Message
    public var exitCode: ExitCode

    public init(_ message: Message, exitCode: ExitCode = .internalError) {
        self.message = message
        self.exitCode = exitCode
    }

    /// Builds an error from `errno` right after the failing call, naming the operation
    /// and path.
    public static func posix(
        _ operation: String, path: String, errno code: Int32, exitCode: ExitCode = .internalError
    ) -> SystemError {
        SystemError(
            Message("core.system.failed", [
                "operation": operation, "path": path, "reason": String(cString: strerror(code)),
            ]),
            exitCode: exitCode)
    }
}
