import MMCore

/// An invalid weight file, reference tensor file or training input.
///
/// Every case names the file (or the example) and the offending value, and the message
/// says what was expected. Bad input ends the command with exit code 3.
public struct ModelError: MMError {
    public var message: Message
    public var exitCode: ExitCode

    public init(_ key: String, _ arguments: [String: String] = [:], exitCode: ExitCode = .badInput) {
        self.message = Message(key, arguments)
        self.exitCode = exitCode
    }
}

/// Formats a shape as `[4, 10]` for messages.
func describeShape(_ shape: [Int]) -> String {
    "[" + shape.map(String.init).joined(separator: ", ") + "]"
}
