import Foundation
import MMCore
import MMTestSupport
import Testing

@testable import MMReports

@Suite struct ReportWriterTests {
    private func read(_ url: URL) throws -> String {
        String(decoding: try Data(contentsOf: url), as: UTF8.self)
    }

    @Test func writeRunCreatesAllFiles() throws {
        let folder = TemporaryDirectory("reports")
        let writer = ReportWriter(reportsDirectory: folder.url)
        let summary = ReportFixtures.summary(runID: 7)
        let page = try writer.writeRun(summary, recommendations: ReportFixtures.rows(users: 50), topK: 3)

        let runFolder = folder.url.appendingPathComponent("7")
        #expect(page == runFolder.appendingPathComponent("report.html"))
        let names = try FileManager.default.contentsOfDirectory(atPath: runFolder.path).sorted()
        #expect(names == ["failures.csv", "recommendations.csv", "report.html", "summary.json"])
        #expect(try read(runFolder.appendingPathComponent("recommendations.csv")).split(separator: "\r\n").count == 151)
        #expect(try read(runFolder.appendingPathComponent("failures.csv")).split(separator: "\r\n").count == 4)
    }

    @Test func summaryJSONRoundTrips() throws {
        let folder = TemporaryDirectory("reports")
        let writer = ReportWriter(reportsDirectory: folder.url)
        let summary = ReportFixtures.summary(runID: 8)
        try writer.writeRun(summary, recommendations: [], topK: 3)

        let data = try Data(contentsOf: folder.url.appendingPathComponent("8/summary.json"))
        var decoded = try ReportJSON.decode(RunSummary.self, from: data)
        // Instants are stored to the millisecond, so compare them within that.
        #expect(abs(decoded.end.timeIntervalSince(summary.end)) < 0.001)
        decoded.end = summary.end
        #expect(decoded == summary)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"start\" : \"2026-12-04T02:00:01.000Z\""))
        #expect(text.contains("\"runID\" : 8"))
    }

    @Test func summaryJSONStableBytes() {
        let summary = ReportFixtures.summary()
        #expect(ReportJSON.encode(summary) == ReportJSON.encode(summary))
        let text = String(decoding: ReportJSON.encode(summary), as: UTF8.self)
        let comparison = text.range(of: "\"comparison\"")!.lowerBound
        let counts = text.range(of: "\"counts\"")!.lowerBound
        #expect(comparison < counts, "keys are sorted")
    }

    @Test func indexListsRunsNewestFirst() throws {
        let folder = TemporaryDirectory("reports")
        let writer = ReportWriter(reportsDirectory: folder.url)
        var runs: [RunListing] = []
        for id in 1...4 {
            var summary = ReportFixtures.summary(runID: Int64(id), failureCount: id == 3 ? 5 : 0)
            summary.start = ReportFixtures.start.addingTimeInterval(Double(id) * 86_400)
            summary.end = summary.start.addingTimeInterval(60)
            try writer.writeRun(summary, recommendations: [], topK: 3)
            runs.append(RunListing(summary))
        }
        let url = try writer.writeIndex(runs: runs)
        let html = try read(url)
        let positions = (1...4).map { html.range(of: "href=\"\($0)/report.html\"")!.lowerBound }
        for newer in 1..<positions.count {
            #expect(positions[newer] < positions[newer - 1], "run \(newer + 1) listed before run \(newer)")
        }
        #expect(ReportFixtures.count("data-row=\"run\"", in: html) == 4)
        #expect(ReportFixtures.count("<g class=\"column\"", in: html) == 8)
        #expect(ReportFixtures.count("data-chart=\"runs-scored\"", in: html) == 1)
        #expect(ReportFixtures.count("data-chart=\"runs-failures\"", in: html) == 1)
        #expect(writer.listRuns().map(\.runID) == [4, 3, 2, 1])
        #expect(writer.listRuns() == runs.reversed())
    }

    @Test func emptyIndexSaysSo() throws {
        let folder = TemporaryDirectory("reports")
        let html = try read(ReportWriter(reportsDirectory: folder.url).writeIndex(runs: []))
        #expect(html.contains(Message("reports.index.empty").text(in: .english)))
        #expect(!html.contains("data-row=\"run\""))
    }

    @Test func rewriteReplacesFiles() throws {
        let folder = TemporaryDirectory("reports")
        let writer = ReportWriter(reportsDirectory: folder.url)
        try writer.writeRun(ReportFixtures.summary(runID: 9, failureCount: 3), recommendations: [], topK: 3)
        try writer.writeRun(ReportFixtures.summary(runID: 9, failureCount: 0), recommendations: [], topK: 3)
        let failures = try read(folder.url.appendingPathComponent("9/failures.csv"))
        #expect(failures.split(separator: "\r\n").count == 1)
    }
}
