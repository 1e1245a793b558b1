import Foundation
import MMCore
import MMQueue
import MMReports

/// `mmbatch export`: each user's newest ranked genres, whichever run wrote them, in the
/// columns of recommendations.csv.
public struct ResultExport: Sendable {
    public let databasePath: String

    public init(databasePath: String) {
        self.databasePath = databasePath
    }

    /// Writes the export to `url`, or to stdout when `url` is nil, and returns the count
    /// of users written. Rows are streamed from the database, ordered by user id.
    @discardableResult
    public func export(to url: URL?, topK: Int, includeBOM: Bool) throws -> Int {
        try requireDatabase(databasePath)
        let queue = try SQLiteQueue(path: databasePath)
        let options = CSVOptions(includeBOM: includeBOM)
        let stream: RecommendationsStream
        if let url {
            stream = try RecommendationsStream(url: url, topK: topK, options: options)
        } else {
            stream = try RecommendationsStream(topK: topK, options: options) { (bytes) throws(OutputError) in
                try writeToStandardOutput(bytes)
            }
        }
        var users = 0
        try queue.latestResults { result in
            users += 1
            for row in recommendationRows(result, topK: topK) {
                try stream.append(row)
            }
        }
        try stream.finish()
        return users
    }
}

/// The first `topK` ranked genres of a stored result as report rows.
func recommendationRows(_ result: StoredResult, topK: Int) -> [RecommendationRow] {
    result.ranked.prefix(topK).enumerated().map { index, entry in
        RecommendationRow(
            userID: result.userID, rank: index + 1, genre: entry.genre, probability: entry.probability,
            engagement: result.engagement)
    }
}

/// Writes all of `bytes` to file descriptor 1, retrying short writes.
func writeToStandardOutput(_ bytes: [UInt8]) throws(OutputError) {
    var offset = 0
    while offset < bytes.count {
        let written = bytes.withUnsafeBytes { Glibc.write(STDOUT_FILENO, $0.baseAddress! + offset, $0.count - offset) }
        if written < 0 {
            if errno == EINTR { continue }
            throw OutputError(path: "stdout", errno: errno)
        }
        offset += written
    }
}
