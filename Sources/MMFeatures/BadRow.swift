import MMCore

/// The reason a data row of a table was skipped. Each reason has a catalogue entry
/// `features.reason.<rawValue>` that states what was expected.
public enum BadRowReason: String, Sendable, CaseIterable, Codable, Comparable {
    /// Fewer fields than the header has columns.
    case tooFewFields
    /// More fields than the header has columns.
    case tooManyFields
    /// A numeric cell with nothing in it.
    case emptyCell
    /// A numeric cell that is not a decimal number (letters, hex floats, two dots).
    case notANumber
    /// A decimal comma such as `0,5` (only possible in a quoted field or with another
    /// delimiter); the reader never guesses a locale.
    case decimalComma
    /// NaN or an infinity, in any spelling or case (`nan`, `-Infinity`, `1.#INF`).
    case notFinite
    /// A finite decimal number whose magnitude is beyond the float range (`1e999`,
    /// `3.5e38`).
    case outOfRange
    /// A number outside the bounds the table allows (engagement outside [0, 1]).
    case outOfBounds
    /// An empty id cell.
    case emptyID
    /// An id with control characters or a byte order mark inside.
    case invalidID
    /// An id seen on an earlier row; the first row is kept.
    case duplicateID
    /// A field longer than `CSVLimits.maximumFieldBytes`.
    case fieldTooLong
    /// A quote inside an unquoted field or a quoted field followed by other text.
    case malformedQuotes
    /// A quoted field that is still open at the end of the file.
    case unterminatedQuote
    /// A play count that is not a positive integer.
    case invalidPlays
    /// A label that is not one of the allowed names (a genre missing from genres.csv).
    case unknownLabel

    public static func < (lhs: BadRowReason, rhs: BadRowReason) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// One skipped row, kept as an example in a store's quality record.
public struct BadRowExample: Sendable, Codable, Equatable {
    /// The file as given to the reader.
    public var file: String
    /// 1-based line where the row starts (CR, LF and CRLF each end a line).
    public var line: Int
    /// Header name of the column at fault, or empty when the row as a whole is at fault.
    public var column: String
    /// The offending value as read, cut to `BadRowExample.maximumValueLength` characters.
    public var value: String
    public var reason: BadRowReason
    /// Values for the reason's message, such as `expected` and `found` field counts or
    /// the line of the first row with a duplicate id.
    public var details: [String: String]

    /// Maximum length of `value` in characters. Longer values are cut and end in "…".
    public static let maximumValueLength = 60

    public init(
        file: String, line: Int, column: String, value: String, reason: BadRowReason,
        details: [String: String] = [:]
    ) {
        self.file = file
        self.line = line
        self.column = column
        self.value = value
        self.reason = reason
        self.details = details
    }

    /// The message that states what was expected.
    public var problem: Message {
        Message("features.reason." + reason.rawValue, details.merging(["column": column, "value": value]) { a, _ in a })
    }

    /// The warning logged for a skipped row.
    public var warning: Message {
        Message(column.isEmpty ? "features.row.skippedWhole" : "features.row.skipped", [
            "path": file, "line": String(line), "column": column, "value": value, "problem": problem.text(),
        ])
    }

    /// Cuts a raw cell to a printable example value.
    static func displayValue(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        let text = String(decoding: bytes.prefix(maximumValueLength * 4), as: UTF8.self)
        guard text.count > maximumValueLength else { return text }
        return String(text.prefix(maximumValueLength)) + "…"
    }
}

/// The data quality of one table: rows read and kept, skipped rows by reason with the
/// first examples, and notes on values that were accepted but are unusual.
public struct StoreQuality: Sendable, Codable, Equatable {
    public var file: String
    /// Data records read after the header, blank lines not counted.
    public var rowsRead = 0
    public var rowsKept = 0
    /// Skipped rows by reason; duplicate ids count under `.duplicateID`.
    public var skipped: [BadRowReason: Int] = [:]
    /// The first `examplesPerReason` skipped rows of each reason, in line order.
    public var examples: [BadRowExample] = []
    /// Accepted values that are subnormal floats (|x| < 1.18e-38, kept with reduced
    /// precision rather than flushed to zero).
    public var subnormalValues = 0
    /// Accepted nonzero numbers too small for a float (|x| < 1.4e-45), stored as zero.
    public var underflowedValues = 0

    public static let examplesPerReason = 3

    public init(file: String) {
        self.file = file
    }

    public var skippedRows: Int { skipped.values.reduce(0, +) }
    public var duplicateIDs: Int { skipped[.duplicateID] ?? 0 }

    /// The skipped row that comes first in the file.
    public var firstExample: BadRowExample? {
        examples.min { $0.line < $1.line }
    }

    mutating func record(_ example: BadRowExample) {
        skipped[example.reason, default: 0] += 1
        let kept = examples.lazy.filter { $0.reason == example.reason }.count
        if kept < Self.examplesPerReason {
            examples.append(example)
        } else if let latest = examples.indices.filter({ examples[$0].reason == example.reason })
            .max(by: { examples[$0].line < examples[$1].line }), examples[latest].line > example.line
        {
            // Chunks finish in any order, so a later example may come from an earlier line.
            examples[latest] = example
        }
    }

    /// Adds the counts and examples of a part of the same file.
    mutating func merge(_ other: StoreQuality) {
        rowsRead += other.rowsRead
        rowsKept += other.rowsKept
        subnormalValues += other.subnormalValues
        underflowedValues += other.underflowedValues
        for example in other.examples {
            record(example)
        }
        for (reason, count) in other.skipped {
            let examplesTaken = other.examples.lazy.filter { $0.reason == reason }.count
            skipped[reason, default: 0] += count - examplesTaken
        }
        examples.sort { ($0.line, $0.reason) < ($1.line, $1.reason) }
    }
}
