import Foundation
import MMCore
import MMPipeline
import MMQueue

/// `enqueue`, `status`, `jobs`, `retry`, `prune` and `export`.
enum QueueCommands {
    static let enqueue = Command(
        definition: CommandDefinition(
            path: ["enqueue"], summary: "cli.enqueue.summary", positionalUsage: "[USER_ID...]",
            positionalRange: 0...Int.max,
            options: [
                .flag("all", help: "cli.enqueue.all"),
                .value("from", "FILE", help: "cli.enqueue.from"),
                .value("priority", "N", help: "cli.enqueue.priority"),
                .value("run-after", "TIME", help: "cli.enqueue.runAfter"),
                CommonOptions.data, CommonOptions.database,
            ]),
        execute: runEnqueue)

    static func runEnqueue(_ arguments: ParsedArguments) throws -> ExitCode {
        var userIDs = arguments.positionals
        if let path = arguments.value("from") {
            userIDs += try readUserIDList(path: path)
        }
        if arguments.flag("all") {
            userIDs += try catalogueUserIDs(dataDirectory: arguments.dataDirectory)
        }
        guard !userIDs.isEmpty || arguments.flag("all") || arguments.value("from") != nil else {
            throw UsageError(Message("cli.enqueue.nothing"))
        }
        let priority = try arguments.integer("priority", default: 0, range: -1_000_000...1_000_000)
        var runAfter: Date?
        if let text = arguments.value("run-after") {
            guard let date = UTCTime.parse(text) else {
                throw UsageError(Message("cli.enqueue.badTime", ["value": text]))
            }
            runAfter = date
        }

        let summary = try QueueOperations(databasePath: arguments.databasePath)
            .enqueue(userIDs: userIDs, priority: priority, runAfter: runAfter)
        output(localized("cli.enqueue.result", [
            "added": "\(summary.added)", "waiting": "\(summary.alreadyWaiting)",
            "raised": "\(summary.priorityRaised)", "db": arguments.databasePath,
        ]))
        return .success
    }

    static let status = Command(
        definition: CommandDefinition(
            path: ["status"], summary: "cli.status.summary",
            options: [
                CommonOptions.database, CommonOptions.json,
                .value("runs", "N", help: "cli.status.runs"),
            ]),
        execute: runStatus)

    static func runStatus(_ arguments: ParsedArguments) throws -> ExitCode {
        let runLimit = try arguments.integer("runs", default: 5, range: 0...1000)
        let (counts, runs) = try QueueOperations(databasePath: arguments.databasePath).status(runLimit: runLimit)
        if arguments.flag("json") {
            output(QueueJSON.counts(counts))
            return .success
        }
        var rows = [[localized("cli.status.state"), localized("cli.status.jobs")]]
        for state in JobState.allCases {
            rows.append([state.rawValue, AppLocale.current.formatInteger(counts[state] ?? 0)])
        }
        output(formatTable(rows))
        guard !runs.isEmpty else {
            output("\n" + localized("cli.status.noRuns"))
            return .success
        }
        output("\n" + localized("cli.status.lastRuns"))
        var runRows = [[
            localized("cli.runs.id"), localized("cli.runs.started"), localized("cli.runs.status"),
            localized("cli.runs.claimed"), localized("cli.runs.done"), localized("cli.runs.failed"),
            localized("cli.runs.dead"), localized("cli.runs.duration"),
        ]]
        for run in runs {
            let duration = run.endedAt.map { AppLocale.current.formatDuration($0.timeIntervalSince(run.startedAt)) } ?? "-"
            runRows.append([
                "\(run.id)", AppLocale.current.formatDate(run.startedAt), localized("cli.run.status." + run.status.rawValue),
                "\(run.counts.claimed)", "\(run.counts.done)", "\(run.counts.failed)", "\(run.counts.dead)", duration,
            ])
        }
        output(formatTable(runRows))
        return .success
    }

    static let jobs = Command(
        definition: CommandDefinition(
            path: ["jobs"], summary: "cli.jobs.summary",
            options: [
                .value("state", "STATE", help: "cli.jobs.state"),
                .value("user", "ID", help: "cli.jobs.user"),
                .value("limit", "N", help: "cli.jobs.limit"),
                CommonOptions.database, CommonOptions.json,
            ]),
        execute: runJobs)

    static func runJobs(_ arguments: ParsedArguments) throws -> ExitCode {
        var state: JobState?
        if arguments.value("state") != nil {
            let name = try arguments.choice("state", default: "", choices: JobState.allCases.map(\.rawValue))
            state = JobState(rawValue: name)
        }
        let limit = try arguments.integer("limit", default: 50, range: 1...10_000_000)
        let jobs = try QueueOperations(databasePath: arguments.databasePath)
            .jobs(state: state, userID: arguments.value("user"), limit: limit)
        if arguments.flag("json") {
            for job in jobs {
                output(QueueJSON.encode(job))
            }
            return .success
        }
        guard !jobs.isEmpty else {
            output(localized("cli.jobs.none"))
            return .success
        }
        var rows = [[
            localized("cli.jobs.id"), localized("cli.jobs.userColumn"), localized("cli.jobs.stateColumn"),
            localized("cli.jobs.priority"), localized("cli.jobs.attempts"), localized("cli.jobs.updated"),
            localized("cli.jobs.lastError"),
        ]]
        for job in jobs {
            let updated = job.finishedAt ?? job.claimedAt ?? job.enqueuedAt
            var error = job.lastError ?? ""
            if error.count > 80 {
                error = String(error.prefix(77)) + "..."
            }
            rows.append([
                "\(job.id)", job.userID, job.state.rawValue, "\(job.priority)", "\(job.attempts)",
                AppLocale.current.formatDate(updated), error,
            ])
        }
        output(formatTable(rows))
        return .success
    }

    static let retry = Command(
        definition: CommandDefinition(
            path: ["retry"], summary: "cli.retry.summary", positionalUsage: "[USER_ID...]",
            positionalRange: 0...Int.max,
            options: [.flag("dead", help: "cli.retry.dead"), CommonOptions.database]),
        execute: runRetry)

    static func runRetry(_ arguments: ParsedArguments) throws -> ExitCode {
        let operations = QueueOperations(databasePath: arguments.databasePath)
        var count = 0
        if arguments.flag("dead") {
            count += try operations.retryDead()
        }
        if !arguments.positionals.isEmpty {
            count += try operations.retry(userIDs: arguments.positionals)
        }
        if !arguments.flag("dead") && arguments.positionals.isEmpty {
            throw UsageError(Message("cli.retry.nothing"))
        }
        output(localized("cli.retry.result", ["count": "\(count)"]))
        if count == 0 {
            Log.warning(Message("cli.retry.none"))
        }
        return .success
    }

    static let prune = Command(
        definition: CommandDefinition(
            path: ["prune"], summary: "cli.prune.summary",
            options: [.value("older-than", "DAYS", help: "cli.prune.olderThan"), CommonOptions.database]),
        execute: runPrune)

    static func runPrune(_ arguments: ParsedArguments) throws -> ExitCode {
        _ = try arguments.required("older-than")
        let days = try arguments.number("older-than", default: 0, range: 0...100_000)
        let summary = try QueueOperations(databasePath: arguments.databasePath).prune(olderThanDays: days)
        output(localized("cli.prune.result", [
            "jobs": "\(summary.jobs)", "attempts": "\(summary.attempts)", "results": "\(summary.results)",
        ]))
        return .success
    }

    static let export = Command(
        definition: CommandDefinition(
            path: ["export"], summary: "cli.export.summary",
            options: [
                .value("out", "FILE", help: "cli.export.out"), CommonOptions.topK, CommonOptions.noBOM,
                CommonOptions.database,
            ]),
        execute: runExport)

    static func runExport(_ arguments: ParsedArguments) throws -> ExitCode {
        let destination = arguments.value("out") ?? "-"
        let rows = try ResultExport(databasePath: arguments.databasePath)
            .export(to: destination == "-" ? nil : URL(fileURLWithPath: destination),
                    topK: try arguments.topK(), includeBOM: !arguments.flag("no-bom"))
        if destination != "-" {
            output(localized("cli.export.result", ["users": "\(rows)", "path": destination]))
        }
        return .success
    }
}
