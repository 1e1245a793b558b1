import Foundation
import MMCore
import MMTestSupport
import Testing

@testable import MMReports

/// Hostile and unusual text (markup, quotes, ampersands, Chinese, formula-like cells)
/// through every output.
@Suite struct SafeOutputTests {
    static let hostileIDs = [
        "<script>alert('x')</script>", "\"><img src=x onerror=alert(1)>", "a&b&amp;c", "用户·甲",
        "=HYPERLINK(\"http://example.invalid\",\"click\")", "+1", "-2+3", "@SUM(A1:A9)",
    ]

    private func hostileSummary() -> RunSummary {
        var summary = ReportFixtures.summary(failureCount: 8, userIDs: Self.hostileIDs)
        summary.failures[1].reason = "bad <row> in \"covers.csv\" & more"
        summary.label = "<b>label</b>"
        summary.host = "host'\"<>"
        summary.model.path = "/data/<models>/m&m.safetensors"
        summary.model.metadata = [KeyValue("<k>", "<v>")]
        summary.genres[0] = GenreName("<rock>", chinese: "<摇滚>&")
        summary.stores[0].name = "<history>"
        summary.stores[0].badRows = [ReasonCount(reason: "<bad reason>", count: 1)]
        summary.comparison?.changedExamples = [
            TopGenreChange(userID: "<u&1>", previousGenre: "<rock>", currentGenre: "\"pop\"")
        ]
        return summary
    }

    @Test(arguments: AppLocale.allCases)
    func runPageEscapesEverything(locale: AppLocale) {
        let html = ReportWriter(reportsDirectory: URL(fileURLWithPath: "/x"), locale: locale)
            .renderRunPage(hostileSummary())
        #expect(!html.contains("<script"))
        #expect(!html.contains("<img"))
        #expect(!html.contains("<b>"))
        #expect(!html.contains("<rock>"))
        #expect(!html.contains("<history>"))
        #expect(!html.contains("<models>"))
        #expect(!html.contains("<u&1>"))
        #expect(!html.contains("<bad reason>"))
        #expect(!html.contains("<k>"))
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"))
        #expect(html.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"))
        #expect(html.contains("a&amp;b&amp;amp;c"))
        #expect(html.contains("用户·甲"))
        #expect(html.contains("=HYPERLINK(&quot;http://example.invalid&quot;,&quot;click&quot;)"))
        #expect(html.contains("bad &lt;row&gt; in &quot;covers.csv&quot; &amp; more"))
        #expect(html.contains("host&#39;&quot;&lt;&gt;"))
        #expect(html.contains("/data/&lt;models&gt;/m&amp;m.safetensors"))
        #expect(html.contains("data-genre=\"&lt;rock&gt;\""))
        let genreName = locale == .chinese ? "&lt;摇滚&gt;&amp;" : "&lt;rock&gt;"
        #expect(html.contains(">\(genreName)<"))
    }

    @Test func indexEscapesLabels() {
        var summary = ReportFixtures.summary()
        summary.label = "<i>nightly</i> & \"x\""
        let html = ReportWriter(reportsDirectory: URL(fileURLWithPath: "/x")).renderIndexPage(runs: [RunListing(summary)])
        #expect(!html.contains("<i>"))
        #expect(html.contains("&lt;i&gt;nightly&lt;/i&gt; &amp; &quot;x&quot;"))
    }

    @Test func failuresCSVNeutralisesFormulas() throws {
        let folder = TemporaryDirectory("safe")
        let writer = ReportWriter(reportsDirectory: folder.url, includeBOM: false)
        try writer.writeRun(hostileSummary(), recommendations: [], topK: 3)
        let text = String(decoding: try Data(contentsOf: folder.url.appendingPathComponent("42/failures.csv")), as: UTF8.self)
        let lines = text.components(separatedBy: "\r\n")
        #expect(lines[0] == "user_id,state,attempts,reason")
        #expect(lines[1] == "<script>alert('x')</script>,dead,1,no history row for user")
        #expect(lines[2] == "\"\"\"><img src=x onerror=alert(1)>\",failed,2,\"bad <row> in \"\"covers.csv\"\" & more\"")
        #expect(lines[3] == "a&b&amp;c,failed,2,SQLite busy past the timeout")
        #expect(lines[4] == "用户·甲,dead,1,no history row for user")
        #expect(lines[5] == "\"'=HYPERLINK(\"\"http://example.invalid\"\",\"\"click\"\")\",failed,2,SQLite busy past the timeout")
        #expect(lines[6] == "\"'+1\",failed,2,SQLite busy past the timeout")
        #expect(lines[7] == "\"'-2+3\",dead,1,no history row for user")
        #expect(lines[8] == "\"'@SUM(A1:A9)\",failed,2,SQLite busy past the timeout")
    }

    @Test func recommendationNumbersStayNumeric() throws {
        let folder = TemporaryDirectory("safe")
        let rows = Self.hostileIDs.enumerated().map { index, id in
            RecommendationRow(userID: id, rank: 1, genre: "=cmd|' /C calc'!A0", probability: 0.25, engagement: -Float(index) / 8)
        }
        let url = folder.path("r.csv")
        try RecommendationsCSV.write(rows, topK: 3, to: url, options: CSVOptions(includeBOM: false))
        let lines = String(decoding: try Data(contentsOf: url), as: UTF8.self).components(separatedBy: "\r\n")
        #expect(lines.count == Self.hostileIDs.count + 2)
        for (index, line) in lines.dropFirst().dropLast().enumerated() {
            #expect(line.hasSuffix(",1,\"'=cmd|' /C calc'!A0\",0.250000,\(FixedDecimal.sixDecimals(-Float(index) / 8))"))
        }
        #expect(lines[2].hasSuffix(",-0.125000"))
        #expect(lines[1].hasSuffix(",-0.000000"))
    }
}
