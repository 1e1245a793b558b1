import MMCore

/// A feature table that cannot be used: missing or unreadable, not UTF-8, a bad header,
/// a bad row under `strict`, or a column the caller needs that the table lacks.
/// Every case is bad input (exit code 3) and its message names the file.
public enum FeatureError: MMError, Equatable {
    /// The file cannot be opened, read or mapped; `reason` is the system's text.
    case unreadable(path: String, reason: String)
    case notRegularFile(path: String)
    /// No header line: the file is empty or holds only blank lines.
    case noHeader(path: String)
    /// A header line that libcsv cannot read (a malformed or unterminated quote).
    case badHeader(path: String, line: Int, reason: BadRowReason)
    /// A byte sequence that is not UTF-8 at `offset` (0-based, in the file).
    case invalidUTF8(path: String, offset: Int, line: Int, byte: UInt8)
    /// A UTF-16 byte order mark at the start of the file.
    case utf16(path: String)
    case missingIDColumn(path: String, column: String, columns: [String])
    case missingLabelColumn(path: String, column: String, columns: [String])
    /// Two header cells with the same name; positions are 1-based.
    case duplicateColumn(path: String, column: String, first: Int, second: Int)
    case noFeatureColumns(path: String, columns: [String])
    /// Columns requested by name (`selectingColumns`) that the store lacks.
    case missingColumns(path: String, missing: [String], available: [String])
    /// A skipped row, fatal because `strict` is set.
    case badRow(BadRowExample)
    /// A problem in genres.csv, which is always fatal because a skipped genre would
    /// shift every later class index.
    case invalidGenres(path: String, line: Int, detail: Message)
    /// A catalogue folder that does not exist.
    case missingCatalogue(path: String)

    public var exitCode: ExitCode { .badInput }

    public var message: Message {
        switch self {
        case .unreadable(let path, let reason):
            return Message("features.file.unreadable", ["path": path, "reason": reason])
        case .notRegularFile(let path):
            return Message("features.file.notRegular", ["path": path])
        case .noHeader(let path):
            return Message("features.file.noHeader", ["path": path])
        case .badHeader(let path, let line, let reason):
            return Message("features.header.unreadable", [
                "path": path, "line": String(line),
                "problem": Message("features.reason." + reason.rawValue, ["column": "", "value": ""]).text(),
            ])
        case .invalidUTF8(let path, let offset, let line, let byte):
            let hex = String(byte, radix: 16, uppercase: true)
            return Message("features.encoding.invalidUTF8", [
                "path": path, "offset": String(offset), "line": String(line),
                "byte": "0x" + (hex.count < 2 ? "0" + hex : hex),
            ])
        case .utf16(let path):
            return Message("features.encoding.utf16", ["path": path])
        case .missingIDColumn(let path, let column, let columns):
            return Message("features.header.missingIDColumn", [
                "path": path, "column": column, "columns": columns.joined(separator: ", "),
            ])
        case .missingLabelColumn(let path, let column, let columns):
            return Message("features.header.missingLabelColumn", [
                "path": path, "column": column, "columns": columns.joined(separator: ", "),
            ])
        case .duplicateColumn(let path, let column, let first, let second):
            return Message("features.header.duplicateColumn", [
                "path": path, "column": column, "first": String(first), "second": String(second),
            ])
        case .noFeatureColumns(let path, let columns):
            return Message("features.header.noFeatureColumns", [
                "path": path, "columns": columns.joined(separator: ", "),
            ])
        case .missingColumns(let path, let missing, let available):
            return Message("features.columns.missing", [
                "path": path, "missing": missing.joined(separator: ", "),
                "available": FeatureError.abbreviated(available),
            ])
        case .badRow(let example):
            return Message(example.column.isEmpty ? "features.row.fatalWhole" : "features.row.fatal", [
                "path": example.file, "line": String(example.line), "column": example.column,
                "value": example.value, "problem": example.problem.text(),
            ])
        case .invalidGenres(let path, let line, let detail):
            return Message("features.genres.invalid", [
                "path": path, "line": String(line), "detail": detail.text(),
            ])
        case .missingCatalogue(let path):
            return Message("features.catalogue.missing", ["path": path])
        }
    }

    /// Lists at most 12 names, then how many more there are.
    static func abbreviated(_ names: [String]) -> String {
        guard names.count > 12 else { return names.joined(separator: ", ") }
        return names.prefix(12).joined(separator: ", ") + ", … (+\(names.count - 12))"
    }
}
