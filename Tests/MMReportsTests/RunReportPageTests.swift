import Foundation
import MMCore
import Testing

@testable import MMReports

@Suite struct RunReportPageTests {
    private func render(_ summary: RunSummary, locale: AppLocale = .english) -> String {
        ReportWriter(reportsDirectory: URL(fileURLWithPath: "/nonexistent"), locale: locale).renderRunPage(summary)
    }

    /// Returns the markup of one chart, from its `svg` tag to the closing tag.
    private func chart(_ id: String, in html: String) -> Substring? {
        guard let start = html.range(of: "data-chart=\"\(id)\"") else { return nil }
        guard let end = html[start.upperBound...].range(of: "</svg>") else { return nil }
        return html[start.lowerBound..<end.upperBound]
    }

    @Test func pageIsSelfContained() {
        let html = render(ReportFixtures.summary())
        #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">"))
        #expect(html.contains("<meta charset=\"utf-8\">"))
        #expect(html.contains(
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"))
        #expect(html.contains("<meta name=\"viewport\""))
        #expect(!html.contains("<script"))
        #expect(!html.contains("src="))
        #expect(!html.contains("<link"))
        #expect(!html.contains("url("))
    }

    @Test func chartsHaveOneBarPerCategory() throws {
        let html = render(ReportFixtures.summary())
        let topGenre = try #require(chart("top-genre", in: html))
        #expect(ReportFixtures.count("class=\"bar ", in: String(topGenre)) == 10)
        #expect(topGenre.contains("data-genre=\"hip-hop\""))
        let confidence = try #require(chart("confidence", in: html))
        #expect(ReportFixtures.count("class=\"bar ", in: String(confidence)) == 10)
        let probability = try #require(chart("top-probability", in: html))
        #expect(ReportFixtures.count("class=\"bar ", in: String(probability)) == 10)
        let engagement = try #require(chart("engagement", in: html))
        #expect(ReportFixtures.count("class=\"bar ", in: String(engagement)) == 10)
        let shift = try #require(chart("genre-shift", in: html))
        #expect(ReportFixtures.count("class=\"bar ", in: String(shift)) == 20)
        let phases = try #require(chart("phases", in: html))
        #expect(ReportFixtures.count("class=\"bar ", in: String(phases)) == 5)
    }

    @Test func statusBannerShowsCounts() {
        let html = render(ReportFixtures.summary(failureCount: 3))
        #expect(html.contains("class=\"banner status-partial\""))
        #expect(html.contains("Partly succeeded"))
        #expect(html.contains("1,997 of 2,000 users were scored; 2 failed"))
        let succeeded = render(ReportFixtures.summary(failureCount: 0))
        #expect(succeeded.contains("class=\"banner status-succeeded\""))
        #expect(succeeded.contains("No user failed."))
    }

    @Test func failedRunShowsStopReason() {
        var summary = ReportFixtures.summary(failureCount: 0)
        summary.status = .failed
        summary.counts.succeeded = 0
        summary.stopReason = "cannot read <data>/history.csv: Permission denied"
        let html = render(summary)
        #expect(html.contains("class=\"banner status-failed\""))
        #expect(html.contains("The run stopped early: cannot read &lt;data&gt;/history.csv: Permission denied"))
        #expect(!render(ReportFixtures.summary()).contains("data-stop-reason"))
    }

    @Test func failuresTableStopsAtLimit() {
        let html = render(ReportFixtures.summary(failureCount: 250))
        #expect(ReportFixtures.count("data-row=\"failure\"", in: html) == 100)
        #expect(html.contains("The first 100 of 250 failed users"))
        #expect(html.contains("href=\"failures.csv\""))
        let few = render(ReportFixtures.summary(failureCount: 3))
        #expect(ReportFixtures.count("data-row=\"failure\"", in: few) == 3)
    }

    @Test func qualityWarningsListed() {
        let html = render(ReportFixtures.summary())
        #expect(html.contains("history: 4 bad rows were skipped."))
        #expect(html.contains("clips: 10 bad rows were skipped."))
        #expect(html.contains("covers: 2 ids appear more than once"))
        #expect(html.contains("37 users played tracks missing from covers or clips; tracks dropped in all: 52."))
        #expect(html.contains("4 users had no usable track"))
        #expect(ReportFixtures.count("data-row=\"bad-rows\"", in: html) == 3)
    }

    @Test func comparisonShowsShift() {
        let html = render(ReportFixtures.summary(runID: 42))
        #expect(html.contains("Compared with run 41"))
        #expect(html.contains("143 of the 1,950 users scored in both runs (7.3%) got a different top genre."))
        #expect(ReportFixtures.count("data-row=\"genre-shift\"", in: html) == 10)
        #expect(ReportFixtures.count("data-row=\"changed-user\"", in: html) == 2)
        var first = ReportFixtures.summary()
        first.comparison = nil
        #expect(render(first).contains("There is no earlier run to compare with."))
    }

    @Test func runDetailsShown() {
        let html = render(ReportFixtures.summary())
        #expect(html.contains("2026-12-04 02:00:01 UTC"))
        #expect(html.contains("1 min 23 s") || html.contains("1 min 23"))
        #expect(html.contains("9f2c4a1b7d3e5f60"))
        #expect(html.contains("batch-01"))
        #expect(html.contains("a1b2c3d4e5f60718"))
        #expect(ReportFixtures.count("data-row=\"store\"", in: html) == 3)
        #expect(html.contains("23.9 users/s"))
    }
}
