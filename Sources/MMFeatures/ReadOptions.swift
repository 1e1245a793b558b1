import Foundation
import MMCore

/// The text encoding of a CSV file. Files are UTF-8 unless the options name another
/// encoding, and Latin-1 and Windows-1252 files are converted to UTF-8 before parsing.
public enum TextEncoding: String, Sendable, CaseIterable, Codable {
    case utf8
    /// ISO-8859-1: every byte is the code point of the same value.
    case latin1
    /// Windows-1252: Latin-1 except that 0x80–0x9F are typographic characters (€, ‘, ’,
    /// “, ”, –, …). The five bytes it leaves undefined map to the C1 controls of the
    /// same value, as the WHATWG encoding standard does.
    case cp1252

    /// Parses an `--encoding` value: `utf8`, `latin1` or `cp1252`, with the usual
    /// aliases (`utf-8`, `latin-1`, `iso-8859-1`, `windows-1252`). Returns nil otherwise.
    public init?(name: String) {
        switch name.lowercased() {
        case "utf8", "utf-8": self = .utf8
        case "latin1", "latin-1", "iso-8859-1", "iso8859-1", "l1": self = .latin1
        case "cp1252", "windows-1252", "win1252": self = .cp1252
        default: return nil
        }
    }
}

/// The tokenizer that parses the rows. Both give identical results on every input, and
/// the choice exists so tests can compare them.
public enum CSVParserChoice: String, Sendable, Codable {
    /// The hand-written tokenizer when the data has no quote character, else libcsv.
    case automatic
    /// libcsv for every file.
    case libcsv
}

/// How to read one feature table.
public struct FeatureReadOptions: Sendable {
    /// The column that contains the row ids. Nil means the table has no id column: each
    /// row's id is then its data row number (`1` for the first row after the header,
    /// counting skipped rows, not counting blank lines).
    public var idColumn: String?
    /// Columns to leave out of the vectors, matched by header name.
    public var ignoredColumns: [String] = []
    /// A column of text labels kept per row (GTZAN's `label`), left out of the vectors.
    public var labelColumn: String?
    /// When set, the vectors hold exactly these columns in this order and every other
    /// column is ignored; a missing one is an error. Nil keeps every column that is not
    /// the id, the label or ignored, in file order.
    public var featureColumns: [String]?
    /// The field delimiter. Nil means a tab for `.dat` and `.tsv` files and a comma
    /// otherwise.
    public var delimiter: UInt8?
    public var encoding: TextEncoding = .utf8
    /// Makes any skipped row (or duplicate id) fatal, with the row's file, line, column
    /// and value in the error.
    public var strict = false
    /// Reuses (and writes) the memory-mapped binary copy in the cache folder.
    public var useCache = true
    /// Parses the CSV again and replaces the binary copy even when it is current.
    public var rebuildCache = false
    /// The cache folder; nil means `.mmcache` beside the file.
    public var cacheDirectory: URL?
    public var parser: CSVParserChoice = .automatic
    /// Threads for parsing; nil means every core this process may use.
    public var workers: Int?
    /// Closed bounds a column's values must lie in, by column name; a value outside
    /// skips the row with `.outOfBounds`.
    public var valueBounds: [String: ClosedRange<Float>] = [:]
    /// The labels the label column may hold; another label skips the row with
    /// `.unknownLabel`. Nil allows any non-empty label.
    public var allowedLabels: Set<String>?
    /// Logs each skipped row (the first few) and a summary as warnings.
    public var logsWarnings = true

    public init(
        idColumn: String? = nil, ignoredColumns: [String] = [], labelColumn: String? = nil,
        delimiter: UInt8? = nil, encoding: TextEncoding = .utf8, strict: Bool = false,
        useCache: Bool = true, rebuildCache: Bool = false
    ) {
        self.idColumn = idColumn
        self.ignoredColumns = ignoredColumns
        self.labelColumn = labelColumn
        self.delimiter = delimiter
        self.encoding = encoding
        self.strict = strict
        self.useCache = useCache
        self.rebuildCache = rebuildCache
    }

    /// Returns the delimiter for `url`: the one given, else a tab for `.dat`/`.tsv`, else
    /// a comma.
    func resolvedDelimiter(for url: URL) -> UInt8 {
        if let delimiter {
            return delimiter
        }
        let suffix = url.pathExtension.lowercased()
        return suffix == "dat" || suffix == "tsv" ? UInt8(ascii: "\t") : UInt8(ascii: ",")
    }

    var resolvedWorkers: Int {
        max(1, workers ?? SystemInfo.activeCores)
    }

    /// Hashes every option that changes what a parse produces, so a cached binary copy
    /// is used only with the options it was built with. `strict`, the cache switches and
    /// the worker count change nothing in the result and are left out.
    func resultHash(kind: String, for url: URL) -> UInt64 {
        var parts = ["mmbatch-store", kind]
        parts.append("id=" + (idColumn.map { "+" + $0 } ?? "-"))
        parts.append("ignore=" + ignoredColumns.sorted().joined(separator: "\u{1F}"))
        parts.append("label=" + (labelColumn.map { "+" + $0 } ?? "-"))
        parts.append("features=" + (featureColumns.map { "+" + $0.joined(separator: "\u{1F}") } ?? "-"))
        parts.append("delimiter=\(resolvedDelimiter(for: url))")
        parts.append("encoding=" + encoding.rawValue)
        let bounds = valueBounds.sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.value.lowerBound.bitPattern):\($0.value.upperBound.bitPattern)" }
        parts.append("bounds=" + bounds.joined(separator: "\u{1F}"))
        parts.append("allowed=" + (allowedLabels.map { "+" + $0.sorted().joined(separator: "\u{1F}") } ?? "-"))
        var hash = Hash64()
        hash.update(parts.joined(separator: "\u{1E}"))
        return hash.finalize()
    }
}

/// Limits of the CSV reader.
public enum CSVLimits {
    /// Maximum field length in bytes: 1 MiB. A longer field skips its row with
    /// `.fieldTooLong`. Lines have no limit of their own, so a row of 100,000 columns
    /// reads like any other.
    public static let maximumFieldBytes = 1 << 20
}
