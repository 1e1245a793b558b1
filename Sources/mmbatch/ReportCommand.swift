import Foundation
import MMCore
import MMPipeline

/// `mmbatch report RUN_ID`: writes a run's report files again from the database.
enum ReportCommand {
    static let command = Command(
        definition: CommandDefinition(
            path: ["report"], summary: "cli.report.summary", positionalUsage: "RUN_ID", positionalRange: 1...1,
            options: [CommonOptions.database, CommonOptions.reports, CommonOptions.topK, CommonOptions.noBOM]),
        execute: execute)

    static func execute(_ arguments: ParsedArguments) throws -> ExitCode {
        guard let runID = Int64(arguments.positionals[0]), runID > 0 else {
            throw UsageError(Message("cli.report.badRun", ["value": arguments.positionals[0]]))
        }
        let page = try RunReports(databasePath: arguments.databasePath, reportsDirectory: arguments.reportsDirectory)
            .regenerate(runID: runID, locale: AppLocale.current, topK: try arguments.topK(),
                        includeBOM: !arguments.flag("no-bom"))
        output(localized("cli.run.report", ["path": page.path]))
        return .success
    }
}
