import Foundation
import MMCore

/// Options of the CSV files reports write.
public struct CSVOptions: Sendable, Equatable {
    /// Starts the file with a UTF-8 byte order mark, so spreadsheet programs read
    /// Chinese text as UTF-8 instead of the system code page.
    public var includeBOM: Bool
    /// Prefixes `'` to text cells that a spreadsheet would run as a formula (those that
    /// start with `=`, `+`, `-`, `@`, a tab or a carriage return), as OWASP's
    /// "CSV Injection" page recommends. Numeric columns are never changed.
    ///
    /// NOTE: a program that reads the file gets the id with the `'` in front. Turn this
    /// off for machine-only consumers whose ids may start with those characters.
    public var neutralizeFormulas: Bool

    public init(includeBOM: Bool = true, neutralizeFormulas: Bool = true) {
        self.includeBOM = includeBOM
        self.neutralizeFormulas = neutralizeFormulas
    }
}

/// Writes RFC 4180 CSV row by row, to a file through an `AtomicFileWriter` (so the file
/// appears complete or not at all) or to any byte sink. Rows are streamed in chunks, so
/// large outputs never sit in memory whole.
///
/// Lines end with CRLF as RFC 4180 specifies. A text field is quoted when it contains a
/// comma, a double quote, CR or LF, or when it is neutralised as a formula. Quotes
/// inside a quoted field are doubled.
final class CSVWriter {
    private let sink: ([UInt8]) throws(OutputError) -> Void
    private let file: AtomicFileWriter?
    private let options: CSVOptions
    private var pending: [UInt8] = []
    private var fieldsInLine = 0

    /// Bytes gathered before handing them to the sink; this keeps the per-call overhead
    /// off every row.
    private static let chunkSize = 64 * 1024

    /// Creates a writer of the file at `url`, which appears when `finish()` succeeds.
    convenience init(url: URL, options: CSVOptions) throws(OutputError) {
        let file = try AtomicFileWriter(url: url)
        self.init(file: file, options: options) { (bytes) throws(OutputError) in
            try file.write(bytes: bytes)
        }
    }

    /// Creates a writer that hands chunks of bytes to `sink`, such as standard output.
    convenience init(options: CSVOptions, sink: @escaping ([UInt8]) throws(OutputError) -> Void) {
        self.init(file: nil, options: options, sink: sink)
    }

    private init(
        file: AtomicFileWriter?, options: CSVOptions,
        sink: @escaping ([UInt8]) throws(OutputError) -> Void
    ) {
        self.file = file
        self.sink = sink
        self.options = options
        pending.reserveCapacity(Self.chunkSize + 1024)
        if options.includeBOM {
            pending.append(contentsOf: [0xEF, 0xBB, 0xBF])
        }
    }

    /// Appends a text cell, quoted and neutralised as needed.
    func text(_ value: String) {
        separate()
        var value = value
        value.withUTF8 { CSVField.appendText($0, neutralize: options.neutralizeFormulas, to: &pending) }
    }

    /// Appends an integer cell.
    func integer(_ value: Int) {
        separate()
        pending.append(contentsOf: String(value).utf8)
    }

    /// Appends a number as `%.6f`.
    func sixDecimals(_ value: Float) {
        separate()
        FixedDecimal.appendSixDecimals(value, to: &pending)
    }

    /// Ends the current row.
    func endRow() throws(OutputError) {
        pending.append(UInt8(ascii: "\r"))
        pending.append(UInt8(ascii: "\n"))
        fieldsInLine = 0
        if pending.count >= Self.chunkSize {
            try sink(pending)
            pending.removeAll(keepingCapacity: true)
        }
    }

    /// Writes the rest; a file writer then fsyncs the file and renames it into place.
    func finish() throws(OutputError) {
        precondition(fieldsInLine == 0, "CSV row left open with \(fieldsInLine) fields")
        if !pending.isEmpty {
            try sink(pending)
            pending.removeAll()
        }
        try file?.commit()
    }

    private func separate() {
        if fieldsInLine > 0 {
            pending.append(UInt8(ascii: ","))
        }
        fieldsInLine += 1
    }
}

/// Encoding of one CSV text field.
enum CSVField {
    /// Appends `bytes` (UTF-8) as a CSV field.
    static func appendText(_ bytes: UnsafeBufferPointer<UInt8>, neutralize: Bool, to output: inout [UInt8]) {
        let formula = neutralize && startsLikeFormula(bytes)
        var needsQuotes = formula
        if !needsQuotes {
            for byte in bytes where byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\"")
                || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n")
            {
                needsQuotes = true
                break
            }
        }
        guard needsQuotes else {
            output.append(contentsOf: bytes)
            return
        }

        output.append(UInt8(ascii: "\""))
        if formula {
            output.append(UInt8(ascii: "'"))
        }
        for byte in bytes {
            if byte == UInt8(ascii: "\"") {
                output.append(byte)
            }
            output.append(byte)
        }
        output.append(UInt8(ascii: "\""))
    }

    /// Returns the text of one field as `appendText` writes it.
    static func encode(_ text: String, neutralize: Bool = true) -> String {
        var output: [UInt8] = []
        var text = text
        text.withUTF8 { appendText($0, neutralize: neutralize, to: &output) }
        return String(decoding: output, as: UTF8.self)
    }

    /// Returns whether a spreadsheet would treat a cell starting with `bytes` as a formula.
    static func startsLikeFormula(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = bytes.first else { return false }
        switch first {
        case UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"),
            UInt8(ascii: "\t"), UInt8(ascii: "\r"):
            return true
        default:
            return false
        }
    }
}
