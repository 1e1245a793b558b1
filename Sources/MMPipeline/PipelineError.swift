import Foundation
import MMCore

/// Errors of the pipeline's own: files it reads directly, a model that does not fit the
/// catalogue, a run that cannot start.
public enum PipelineError: MMError, Equatable {
    case unreadableFile(path: String, reason: String)
    case notUTF8(path: String)
    case modelMissing(path: String)
    case catalogueLacks(file: String, data: String)
    case unknownRun(id: Int64)
    case noUsers(data: String)
    case runFailed(reason: String)
    case tableNeedsLabel(path: String)
    case allRowsRejected(path: String, rows: Int)
    case databaseMissing(path: String)
    case resultsPruned(run: Int64, stored: Int, scored: Int)
    case tableRowWithoutLabel(path: String, row: Int, column: String)

    public var exitCode: ExitCode {
        switch self {
        case .unknownRun: .usage
        case .runFailed: .internalError
        default: .badInput
        }
    }

    public var message: Message {
        switch self {
        case .unreadableFile(let path, let reason):
            Message("pipeline.file.unreadable", ["path": path, "reason": reason])
        case .notUTF8(let path):
            Message("pipeline.file.notUTF8", ["path": path])
        case .modelMissing(let path):
            Message("pipeline.model.missing", ["path": path])
        case .catalogueLacks(let file, let data):
            Message("pipeline.catalogue.lacks", ["file": file, "data": data])
        case .unknownRun(let id):
            Message("pipeline.run.unknown", ["run": "\(id)"])
        case .noUsers(let data):
            Message("pipeline.catalogue.noUsers", ["data": data])
        case .runFailed(let reason):
            Message("pipeline.run.failed", ["reason": reason])
        case .allRowsRejected(let path, let rows):
            Message("pipeline.file.allRowsRejected", ["path": path, "rows": "\(rows)"])
        case .databaseMissing(let path):
            Message("pipeline.database.missing", ["path": path])
        case .resultsPruned(let run, let stored, let scored):
            Message("pipeline.report.pruned", ["run": "\(run)", "stored": "\(stored)", "scored": "\(scored)"])
        case .tableNeedsLabel(let path):
            Message("pipeline.table.needsLabel", ["path": path])
        case .tableRowWithoutLabel(let path, let row, let column):
            Message("pipeline.table.rowWithoutLabel", ["path": path, "row": "\(row)", "column": column])
        }
    }
}
