import Foundation
import MMCore
import MMTestSupport
import Testing

@testable import MMReports

@Suite struct CSVTests {
    private let bom = "\u{FEFF}"

    private func read(_ url: URL) throws -> String {
        String(decoding: try Data(contentsOf: url), as: UTF8.self)
    }

    @Test func fieldQuoting() {
        #expect(CSVField.encode("plain") == "plain")
        #expect(CSVField.encode("a,b") == "\"a,b\"")
        #expect(CSVField.encode("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSVField.encode("line\nbreak") == "\"line\nbreak\"")
        #expect(CSVField.encode("cr\rhere") == "\"cr\rhere\"")
        #expect(CSVField.encode("") == "")
        #expect(CSVField.encode("用户,甲") == "\"用户,甲\"")
    }

    @Test func formulaCellsNeutralised() {
        #expect(CSVField.encode("=HYPERLINK(\"http://x\",\"y\")") == "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"")
        #expect(CSVField.encode("+1") == "\"'+1\"")
        #expect(CSVField.encode("-2+3") == "\"'-2+3\"")
        #expect(CSVField.encode("@SUM(A1)") == "\"'@SUM(A1)\"")
        #expect(CSVField.encode("\tx") == "\"'\tx\"")
        #expect(CSVField.encode("\rx") == "\"'\rx\"")
        #expect(CSVField.encode("a=b") == "a=b")
        #expect(CSVField.encode("=x", neutralize: false) == "=x")
    }

    @Test func recommendationsHeaderAndNumbers() throws {
        let folder = TemporaryDirectory("csv")
        let url = folder.path("recommendations.csv")
        let rows = [
            RecommendationRow(userID: "u1", rank: 1, genre: "rock", probability: 0.5, engagement: -0.123456),
            RecommendationRow(userID: "u1", rank: 2, genre: "pop", probability: 0.25, engagement: -0.123456),
        ]
        let written = try RecommendationsCSV.write(rows, topK: 3, to: url)
        #expect(written == 2)
        let expected = bom + "user_id,rank,genre,probability,engagement\r\n"
            + "u1,1,rock,0.500000,-0.123456\r\n" + "u1,2,pop,0.250000,-0.123456\r\n"
        #expect(try read(url) == expected)
    }

    @Test func byteOrderMarkOptional() throws {
        let folder = TemporaryDirectory("csv")
        let url = folder.path("r.csv")
        try RecommendationsCSV.write([RecommendationRow](), topK: 3, to: url, options: CSVOptions(includeBOM: false))
        #expect(try read(url) == "user_id,rank,genre,probability,engagement\r\n")
        let bytes = try Data(contentsOf: url)
        #expect(bytes.first == UInt8(ascii: "u"))
    }

    @Test func topKFiltersRanks() throws {
        let folder = TemporaryDirectory("csv")
        let url = folder.path("r.csv")
        let rows = ReportFixtures.rows(users: 5)
        #expect(try RecommendationsCSV.write(rows, topK: 3, to: url) == 15)
        let lines = try read(url).split(separator: "\r\n")
        #expect(lines.count == 16)
        #expect(lines.dropFirst().allSatisfy { Int($0.split(separator: ",")[1])! <= 3 })
    }

    @Test func sinkBytesEqualFileBytes() throws {
        let folder = TemporaryDirectory("csv")
        let url = folder.path("r.csv")
        let rows = ReportFixtures.rows(users: 20_000)
        try RecommendationsCSV.write(rows, topK: 3, to: url)

        final class Collected: @unchecked Sendable {
            // Used from the calling thread only; the sink runs synchronously.
            var bytes: [UInt8] = []
        }
        let collected = Collected()
        try RecommendationsCSV.write(rows, topK: 3) { (chunk: [UInt8]) throws(OutputError) in
            collected.bytes += chunk
        }
        #expect(Array(try Data(contentsOf: url)) == collected.bytes)
    }

    @Test func hostileIDsRoundTrip() throws {
        let folder = TemporaryDirectory("csv")
        let url = folder.path("r.csv")
        let ids = ["=HYPERLINK(\"http://example.invalid\",\"x\")", "+1", "-2+3", "@SUM(A1:A9)", "<b>&amp;\"'", "用户,甲"]
        let rows = ids.map { RecommendationRow(userID: $0, rank: 1, genre: "-rock", probability: 0.1, engagement: -2.5) }
        try RecommendationsCSV.write(rows, topK: 1, to: url, options: CSVOptions(includeBOM: false))
        let lines = try read(url).components(separatedBy: "\r\n")
        #expect(lines[1] == "\"'=HYPERLINK(\"\"http://example.invalid\"\",\"\"x\"\")\",1,\"'-rock\",0.100000,-2.500000")
        #expect(lines[2] == "\"'+1\",1,\"'-rock\",0.100000,-2.500000")
        #expect(lines[3] == "\"'-2+3\",1,\"'-rock\",0.100000,-2.500000")
        #expect(lines[4] == "\"'@SUM(A1:A9)\",1,\"'-rock\",0.100000,-2.500000")
        #expect(lines[5] == "\"<b>&amp;\"\"'\",1,\"'-rock\",0.100000,-2.500000")
        #expect(lines[6] == "\"用户,甲\",1,\"'-rock\",0.100000,-2.500000")
    }

    @Test func failuresFileListsAll() throws {
        let folder = TemporaryDirectory("csv")
        let url = folder.path("failures.csv")
        let failures = ReportFixtures.summary(failureCount: 250).failures
        try RecommendationsCSV.writeFailures(failures, to: url)
        let lines = try read(url).split(separator: "\r\n")
        #expect(lines.count == 251)
        #expect(lines[0] == "\(bom)user_id,state,attempts,reason")
        #expect(lines[1] == "u90000,dead,1,no history row for user")
        #expect(lines[2] == "u90001,failed,2,SQLite busy past the timeout")
    }

    /// Writes 200,000 users × 3 rows, a fifth of a large nightly run. The bound is loose
    /// on purpose: a release build wrote 3,000,000 rows in about 1 s on a 2-core
    /// machine, and debug builds under parallel tests run about ten times slower.
    @Test func streamsManyRowsQuickly() throws {
        let folder = TemporaryDirectory("csv")
        let url = folder.path("r.csv")
        let users = 200_000
        let genres = ReportFixtures.genres.map(\.name)
        let rows = (0..<users * 3).lazy.map { index in
            RecommendationRow(
                userID: "user-\(index / 3)", rank: index % 3 + 1, genre: genres[index % genres.count],
                probability: Float(index % 1000) / 1000, engagement: Float(index % 997) / 997)
        }
        let started = monotonicSeconds()
        #expect(try RecommendationsCSV.write(rows, topK: 3, to: url) == users * 3)
        let seconds = monotonicSeconds() - started
        #expect(seconds < 20, "writing \(users * 3) rows took \(seconds) s")
        let size = try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int ?? 0
        #expect(size > users * 3 * 30)
    }
}
