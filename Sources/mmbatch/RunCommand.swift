import Foundation
import MMCore
import MMFeatures
import MMPipeline
import MMQueue

/// `mmbatch run` and `mmbatch demo`.
enum RunCommand {
    static let runOptions: [OptionDefinition] = [
        CommonOptions.data, CommonOptions.database, CommonOptions.model, CommonOptions.reports,
        CommonOptions.workers, CommonOptions.topK,
        .value("batch-size", "N", help: "cli.run.batchSize"),
        .value("max-tracks", "N", help: "cli.run.maxTracks"),
        .value("limit", "N", help: "cli.run.limit"),
        .value("max-attempts", "N", help: "cli.run.maxAttempts"),
        .value("backoff", "SECONDS", help: "cli.run.backoff"),
        .value("busy-timeout", "MS", help: "cli.run.busyTimeout"),
        CommonOptions.strict, CommonOptions.encoding, CommonOptions.rebuildCache, CommonOptions.noBOM,
    ]

    static let command = Command(
        definition: CommandDefinition(path: ["run"], summary: "cli.run.summary", options: runOptions),
        execute: execute)

    static func execute(_ arguments: ParsedArguments) throws -> ExitCode {
        let outcome = try BatchRunner(options: try runOptions(from: arguments)).run()
        printOutcome(outcome)
        return outcome.exitCode
    }

    /// Builds run options from the command line.
    static func runOptions(from arguments: ParsedArguments) throws -> RunOptions {
        var options = RunOptions()
        options.dataDirectory = arguments.dataDirectory
        options.databasePath = arguments.databasePath
        options.modelPath = arguments.modelPath
        options.reportsDirectory = arguments.reportsDirectory
        options.workers = try arguments.workerCount()
        options.topK = try arguments.topK()
        options.batchSize = try arguments.integer("batch-size", default: Defaults.batchSize, range: 1...65_536)
        options.maxTracks = try arguments.integer("max-tracks", default: Defaults.maxTracks, range: 0...10_000)
        options.userLimit = try arguments.integer("limit", range: 1...Int.max)
        options.retryPolicy.maxAttempts = try arguments.integer(
            "max-attempts", default: QueueDefaults.maxAttempts, range: 1...1000)
        options.retryPolicy.baseSeconds = try arguments.number(
            "backoff", default: QueueDefaults.backoffBaseSeconds, range: 0...86_400)
        options.busyTimeoutMilliseconds = Int32(try arguments.integer(
            "busy-timeout", default: Int(QueueDefaults.busyTimeoutMilliseconds), range: 0...3_600_000))
        options.strict = arguments.flag("strict")
        options.rebuildCache = arguments.flag("rebuild-cache")
        options.includeBOM = !arguments.flag("no-bom")
        options.encoding = try arguments.encoding()
        options.locale = AppLocale.current
        return options
    }

    static func printOutcome(_ outcome: RunOutcome) {
        output(localized("cli.run.result", [
            "run": "\(outcome.runID)", "status": localized("cli.run.status." + outcome.status.rawValue),
            "done": "\(outcome.counts.done)",
            "failed": "\(outcome.counts.failed)", "dead": "\(outcome.counts.dead)",
            "rate": AppLocale.current.formatDecimal(outcome.usersPerSecond, decimals: 0),
        ]))
        if let report = outcome.reportURL {
            output(localized("cli.run.report", ["path": report.path]))
        }
        if outcome.exitCode != .success && outcome.exitCode != .partial, let reason = outcome.stopError {
            _ = CommandLineInterface.report(SystemError(Message("pipeline.run.failed", ["reason": reason]), exitCode: outcome.exitCode))
        }
    }
}

extension ParsedArguments {
    func encoding() throws(UsageError) -> TextEncoding {
        let name = try choice("encoding", default: "utf8", choices: TextEncoding.allCases.map(\.rawValue))
        return TextEncoding(rawValue: name) ?? .utf8
    }
}

enum DemoCommand {
    static let command = Command(
        definition: CommandDefinition(
            path: ["demo"], summary: "cli.demo.summary",
            options: [
                CommonOptions.data, CommonOptions.database, CommonOptions.model, CommonOptions.reports,
                CommonOptions.workers, .value("variant", "NAME", help: "cli.demo.variant"),
            ]),
        execute: execute)

    static func execute(_ arguments: ParsedArguments) throws -> ExitCode {
        var demo = Demo()
        demo.run = try RunCommand.runOptions(from: arguments)
        demo.variant = try arguments.variant()

        let outcome = try demo.execute()
        if outcome.generatedCatalogue {
            output(localized("cli.demo.generated", ["path": demo.run.dataDirectory.path]))
        }
        if let training = outcome.training {
            output(localized("cli.demo.trained", [
                "path": demo.run.modelPath.path, "users": "\(training.trainingUsers)",
                "epochs": "\(training.result.epochsRun)",
            ]))
            if let heldOut = training.heldOut {
                output(localized("cli.demo.accuracy", [
                    "users": "\(training.heldOutUsers)",
                    "accuracy": AppLocale.current.formatPercent(heldOut.accuracy),
                    "baseline": AppLocale.current.formatPercent(training.majorityAccuracy),
                    "genre": training.majorityGenre,
                ]))
            }
        }
        output(localized("cli.demo.enqueued", ["users": "\(outcome.enqueued)"]))
        RunCommand.printOutcome(outcome.run)
        return outcome.run.exitCode
    }
}
