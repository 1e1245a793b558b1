import Foundation
import MMCore

/// One `mmbatch` command: its syntax and the function that carries it out.
struct Command: Sendable {
    let definition: CommandDefinition
    let execute: @Sendable (ParsedArguments) throws -> ExitCode
}

/// Dispatches `mmbatch <command> [options]`, prints help, and turns errors into one
/// line on stderr plus the exit code of their kind.
enum CommandLineInterface {
    static let commands: [Command] = [
        DemoCommand.command,
        QueueCommands.enqueue, RunCommand.command, QueueCommands.status, QueueCommands.jobs,
        QueueCommands.retry, QueueCommands.prune, QueueCommands.export,
        TrainCommand.command, EvaluateCommand.command, ReportCommand.command, FeaturesCommand.check, ModelCommand.verify,
        BenchCommand.command,
    ]

    static func main(_ arguments: [String]) -> ExitCode {
        do {
            try configureLocaleAndLogging(arguments)
        } catch {
            return report(error)
        }

        guard let first = arguments.first, first != "-h", first != "--help", first != "help" else {
            print(overview(), terminator: "")
            return arguments.isEmpty ? .usage : .success
        }
        if first == "--version" || first == "version" {
            print("mmbatch \(SystemInfo.version)")
            return .success
        }

        // Of the command paths that prefix the arguments, the longest wins (`features check`).
        let match = commands
            .filter { arguments.starts(with: $0.definition.path) }
            .max { $0.definition.path.count < $1.definition.path.count }
        guard let command = match else {
            let group = commands.filter { $0.definition.path.first == first }
            if !group.isEmpty {
                let names = group.map { $0.definition.name }.joined(separator: ", ")
                return report(UsageError(Message("cli.usage.subcommand", ["command": "mmbatch \(first)", "choices": names])))
            }
            return report(UsageError(Message("cli.usage.unknownCommand", ["command": first])))
        }

        do {
            let definition = command.definition.withGlobalOptions()
            let parsed = try definition.parse(Array(arguments.dropFirst(command.definition.path.count)))
            if parsed.flag("help") {
                print(definition.helpText(), terminator: "")
                return .success
            }
            return try command.execute(parsed)
        } catch {
            return report(error)
        }
    }

    /// Reads `--locale` and `--log-level` wherever they appear, before parsing, so even
    /// a usage error is reported in the user's language.
    static func configureLocaleAndLogging(_ arguments: [String]) throws {
        func value(of option: String) -> String? {
            for (index, argument) in arguments.enumerated() {
                if argument == "--" { break }
                if argument == option, index + 1 < arguments.count {
                    return arguments[index + 1]
                }
                if argument.hasPrefix(option + "=") {
                    return String(argument.dropFirst(option.count + 1))
                }
            }
            return nil
        }
        AppLocale.current = try AppLocale.resolve(option: value(of: "--locale"))
        if let levelName = value(of: "--log-level") {
            guard let level = LogLevel(name: levelName) else {
                throw UsageError(Message("core.usage.invalidChoice", [
                    "option": "--log-level", "value": levelName, "command": "mmbatch",
                    "choices": "debug, info, warning, error",
                ]))
            }
            Log.level = level
        }
    }

    /// Prints an error as one line on stderr and returns its exit code.
    static func report(_ error: any Error) -> ExitCode {
        let (text, code): (String, ExitCode)
        if let known = error as? any MMError {
            (text, code) = (known.message.text(), known.exitCode)
        } else {
            (text, code) = (localized("cli.error.internal", ["error": String(describing: error)]), .internalError)
        }
        let line = "mmbatch: " + localized("cli.error.prefix") + " " + text.replacingOccurrences(of: "\n", with: " ") + "\n"
        FileHandle.standardError.write(Data(line.utf8))
        return code
    }

    /// Renders the top-level help: every command with its summary, and the exit codes.
    static func overview() -> String {
        var lines = [localized("cli.overview.title", ["version": SystemInfo.version]), ""]
        lines.append(localized("core.help.usage") + " mmbatch <command> [" + localized("core.help.options") + "]")
        lines.append("")
        lines.append(localized("cli.overview.commands"))
        let width = (commands.map { $0.definition.path.joined(separator: " ").count }.max() ?? 0) + 4
        for command in commands {
            let name = command.definition.path.joined(separator: " ")
            lines.append("  " + name + String(repeating: " ", count: width - name.count) + localized(command.definition.summary))
        }
        lines.append("")
        lines.append(localized("cli.overview.exitCodes"))
        for code in ExitCode.allCases {
            lines.append("  \(code.rawValue)  " + localized("cli.exit.\(code)"))
        }
        lines.append("")
        lines.append(localized("cli.overview.more"))
        return lines.joined(separator: "\n") + "\n"
    }
}

extension CommandDefinition {
    /// Returns the definition with the options that every command accepts appended.
    func withGlobalOptions() -> CommandDefinition {
        CommandDefinition(
            path: path, summary: summary, positionalUsage: positionalUsage, positionalRange: positionalRange,
            options: options + [
                .value("log-level", "LEVEL", help: "cli.option.logLevel"),
                .value("locale", "LOCALE", help: "cli.option.locale"),
            ])
    }
}

/// Writes a line to stdout.
func output(_ text: String) {
    print(text)
}
