import Foundation
import MMCore

/// The recommendations file (`recommendations.csv` of a run and `mmbatch export`) and
/// the failures file of a run.
///
/// Both commands call the same functions, so the same rows give byte-identical files.
public enum RecommendationsCSV {
    /// The columns every consumer may rely on; columns added later go after them.
    public static let header = ["user_id", "rank", "genre", "probability", "engagement"]

    /// The columns of failures.csv.
    public static let failureHeader = ["user_id", "state", "attempts", "reason"]

    /// Writes the rows whose rank is at most `topK`, in the order given, to `url`.
    /// Rows are streamed, so the sequence may be read lazily from a database.
    ///
    /// - Returns: the count of rows written (header excluded).
    @discardableResult
    public static func write<Rows: Sequence<RecommendationRow>>(
        _ rows: Rows, topK: Int, to url: URL, options: CSVOptions = CSVOptions()
    ) throws(OutputError) -> Int {
        try write(rows, to: RecommendationsStream(url: url, topK: topK, options: options))
    }

    /// Writes the same bytes as `write(_:topK:to:options:)`, handing them to `sink` in
    /// chunks (standard output for `mmbatch export` without `--out`).
    @discardableResult
    public static func write<Rows: Sequence<RecommendationRow>>(
        _ rows: Rows, topK: Int, options: CSVOptions = CSVOptions(),
        sink: @escaping ([UInt8]) throws(OutputError) -> Void
    ) throws(OutputError) -> Int {
        try write(rows, to: RecommendationsStream(topK: topK, options: options, sink: sink))
    }

    /// Writes every failure of a run to `url`.
    public static func writeFailures(
        _ failures: [FailureRecord], to url: URL, options: CSVOptions = CSVOptions()
    ) throws(OutputError) {
        let writer = try CSVWriter(url: url, options: options)
        for name in failureHeader {
            writer.text(name)
        }
        try writer.endRow()
        for failure in failures {
            writer.text(failure.userID)
            writer.text(failure.state.rawValue)
            writer.integer(failure.attempts)
            writer.text(failure.reason)
            try writer.endRow()
        }
        try writer.finish()
    }

    private static func write<Rows: Sequence<RecommendationRow>>(
        _ rows: Rows, to stream: RecommendationsStream
    ) throws(OutputError) -> Int {
        for row in rows {
            try stream.append(row)
        }
        try stream.finish()
        return stream.rowsWritten
    }
}
