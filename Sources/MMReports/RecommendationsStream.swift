import Foundation
import MMCore

/// A recommendations file written one row at a time, for producers that push rows (a
/// database cursor's callback) instead of offering a sequence. The bytes equal those of
/// `RecommendationsCSV.write` for the same rows.
public final class RecommendationsStream {
    private let writer: CSVWriter
    private let topK: Int
    public private(set) var rowsWritten = 0

    /// A stream into the file at `url`, which appears when `finish()` succeeds.
    public init(url: URL, topK: Int, options: CSVOptions = CSVOptions()) throws(OutputError) {
        precondition(topK > 0, "topK must be positive, got \(topK)")
        writer = try CSVWriter(url: url, options: options)
        self.topK = topK
        try writeHeader()
    }

    /// A stream that hands chunks of bytes to `sink`, such as standard output.
    public init(topK: Int, options: CSVOptions = CSVOptions(), sink: @escaping ([UInt8]) throws(OutputError) -> Void)
        throws(OutputError)
    {
        precondition(topK > 0, "topK must be positive, got \(topK)")
        writer = CSVWriter(options: options, sink: sink)
        self.topK = topK
        try writeHeader()
    }

    private func writeHeader() throws(OutputError) {
        for name in RecommendationsCSV.header {
            writer.text(name)
        }
        try writer.endRow()
    }

    /// Writes `row` when its rank is at most `topK`.
    public func append(_ row: RecommendationRow) throws(OutputError) {
        guard row.rank <= topK else { return }
        writer.text(row.userID)
        writer.integer(row.rank)
        writer.text(row.genre)
        writer.sixDecimals(row.probability)
        writer.sixDecimals(row.engagement)
        try writer.endRow()
        rowsWritten += 1
    }

    /// Writes what is buffered; a file stream then appears in place.
    public func finish() throws(OutputError) {
        try writer.finish()
    }
}
