import Foundation

/// An invalid command line: unknown option, missing or malformed value.
public struct UsageError: MMError {
    public var message: Message
    public var exitCode: ExitCode { .usage }

    public init(_ message: Message) {
        self.message = message
    }
}

/// One `--name [VALUE]` option of a command.
public struct OptionDefinition: Sendable {
    public let name: String
    /// The placeholder shown in help (`DIR`, `N`), or nil for a flag.
    public let valueName: String?
    /// Catalogue key of the help text.
    public let help: String
    public let repeatable: Bool

    /// Makes an option that takes a value.
    public static func value(_ name: String, _ valueName: String, help: String, repeatable: Bool = false)
        -> OptionDefinition
    {
        OptionDefinition(name: name, valueName: valueName, help: help, repeatable: repeatable)
    }

    /// Makes an option without a value.
    public static func flag(_ name: String, help: String) -> OptionDefinition {
        OptionDefinition(name: name, valueName: nil, help: help, repeatable: false)
    }
}

/// The syntax of one command: its words, options and positional arguments.
public struct CommandDefinition: Sendable {
    /// The words after `mmbatch`, such as `["features", "check"]`.
    public let path: [String]
    /// Catalogue key of the one-line summary.
    public let summary: String
    /// Positional arguments as shown in the usage line (`USER_ID...`), or empty for none.
    public let positionalUsage: String
    public let positionalRange: ClosedRange<Int>
    public let options: [OptionDefinition]

    public init(
        path: [String], summary: String, positionalUsage: String = "",
        positionalRange: ClosedRange<Int> = 0...0, options: [OptionDefinition]
    ) {
        self.path = path
        self.summary = summary
        self.positionalUsage = positionalUsage
        self.positionalRange = positionalRange
        self.options = options
    }

    public var name: String { (["mmbatch"] + path).joined(separator: " ") }

    /// Parses the arguments that follow the command's words.
    ///
    /// Accepts `--name VALUE`, `--name=VALUE`, a lone `-` as a positional (stdin) and `--`
    /// before positionals that start with a dash. `-h` and `--help` set the `help` flag.
    public func parse(_ arguments: [String]) throws(UsageError) -> ParsedArguments {
        var parsed = ParsedArguments()
        var index = 0
        var onlyPositionals = false

        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if onlyPositionals || argument == "-" || !argument.hasPrefix("-") {
                parsed.positionals.append(argument)
                continue
            }
            if argument == "--" {
                onlyPositionals = true
                continue
            }
            if argument == "-h" || argument == "--help" {
                parsed.flags.insert("help")
                continue
            }

            var name = String(argument.drop(while: { $0 == "-" }))
            var inlineValue: String?
            if let equals = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            guard argument.hasPrefix("--"), let option = options.first(where: { $0.name == name }) else {
                throw UsageError(Message("core.usage.unknownOption", ["option": argument, "command": self.name]))
            }

            if option.valueName == nil {
                if inlineValue != nil {
                    throw UsageError(Message("core.usage.flagWithValue", ["option": "--" + name, "command": self.name]))
                }
                parsed.flags.insert(name)
                continue
            }
            let value: String
            if let inlineValue {
                value = inlineValue
            } else if index < arguments.count {
                value = arguments[index]
                index += 1
            } else {
                throw UsageError(Message("core.usage.missingValue", [
                    "option": "--" + name, "value": option.valueName ?? "", "command": self.name,
                ]))
            }
            if !option.repeatable && parsed.values[name] != nil {
                throw UsageError(Message("core.usage.repeated", ["option": "--" + name, "command": self.name]))
            }
            parsed.values[name, default: []].append(value)
        }

        if !parsed.flag("help") && !positionalRange.contains(parsed.positionals.count) {
            let key = parsed.positionals.count < positionalRange.lowerBound
                ? "core.usage.missingArgument" : "core.usage.extraArgument"
            throw UsageError(Message(key, [
                "command": self.name, "usage": positionalUsage,
                "argument": parsed.positionals.last ?? "",
            ]))
        }
        parsed.commandName = self.name
        return parsed
    }

    /// Renders the `--help` text in the process-wide locale.
    public func helpText() -> String {
        var lines = [localized(summary), ""]
        var usage = localized("core.help.usage") + " " + name
        if !options.isEmpty {
            usage += " [" + localized("core.help.options") + "]"
        }
        if !positionalUsage.isEmpty {
            usage += " " + positionalUsage
        }
        lines.append(usage)
        if !options.isEmpty {
            lines.append("")
            lines.append(localized("core.help.optionsHeading"))
            let labels = options.map { option in
                "  --" + option.name + (option.valueName.map { " " + $0 } ?? "")
            }
            let width = min(32, (labels.map(\.count).max() ?? 0) + 2)
            for (label, option) in zip(labels, options) {
                let padding = label.count < width ? String(repeating: " ", count: width - label.count) : "\n" + String(repeating: " ", count: width)
                lines.append(label + padding + localized(option.help))
            }
            let helpLabel = "  -h, --help"
            lines.append(helpLabel + String(repeating: " ", count: max(2, width - helpLabel.count)) + localized("core.help.help"))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// The options and positionals of one parsed command line.
public struct ParsedArguments: Sendable {
    public var values: [String: [String]] = [:]
    public var flags: Set<String> = []
    public var positionals: [String] = []
    public var commandName = "mmbatch"

    public init() {}

    public func flag(_ name: String) -> Bool { flags.contains(name) }

    public func value(_ name: String) -> String? { values[name]?.last }

    /// Returns all values of a repeatable option, with comma-separated lists split:
    /// `--ignore a,b --ignore c` gives `["a", "b", "c"]`.
    public func list(_ name: String) -> [String] {
        (values[name] ?? []).flatMap { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
            .filter { !$0.isEmpty }
    }

    /// Returns an integer option, checked against `range`.
    public func integer(_ name: String, default defaultValue: Int, range: ClosedRange<Int> = Int.min...Int.max)
        throws(UsageError) -> Int
    {
        guard let text = value(name) else { return defaultValue }
        guard let number = Int(text), range.contains(number) else {
            throw UsageError(Message("core.usage.invalidInteger", [
                "option": "--" + name, "value": text, "command": commandName,
                "min": String(range.lowerBound), "max": String(range.upperBound),
            ]))
        }
        return number
    }

    /// Returns an optional integer option, checked against `range`.
    public func integer(_ name: String, range: ClosedRange<Int> = Int.min...Int.max) throws(UsageError) -> Int? {
        guard value(name) != nil else { return nil }
        return try integer(name, default: 0, range: range)
    }

    /// Returns a floating-point option, checked against `range`.
    public func number(_ name: String, default defaultValue: Double, range: ClosedRange<Double>)
        throws(UsageError) -> Double
    {
        guard let text = value(name) else { return defaultValue }
        guard let number = Double(text), number.isFinite, range.contains(number) else {
            throw UsageError(Message("core.usage.invalidNumber", [
                "option": "--" + name, "value": text, "command": commandName,
                "min": "\(range.lowerBound)", "max": "\(range.upperBound)",
            ]))
        }
        return number
    }

    /// A value that must be one of `choices`.
    public func choice(_ name: String, default defaultValue: String, choices: [String]) throws(UsageError) -> String {
        guard let text = value(name) else { return defaultValue }
        guard choices.contains(text) else {
            throw UsageError(Message("core.usage.invalidChoice", [
                "option": "--" + name, "value": text, "command": commandName,
                "choices": choices.joined(separator: ", "),
            ]))
        }
        return text
    }

    /// Returns a path option as a file URL, relative paths taken from the working directory.
    public func path(_ name: String) -> URL? {
        value(name).map { URL(fileURLWithPath: $0) }
    }

    /// Returns a required option's value, or throws a usage error when it is missing.
    public func required(_ name: String) throws(UsageError) -> String {
        guard let text = value(name) else {
            throw UsageError(Message("core.usage.missingOption", ["option": "--" + name, "command": commandName]))
        }
        return text
    }
}
