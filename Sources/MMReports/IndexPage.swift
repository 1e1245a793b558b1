import Foundation
import MMCore

/// The page `reports/index.html`: every run, newest first, each linking to its report,
/// and a chart of users scored and failures over the most recent runs.
struct IndexPage {
    let runs: [RunListing]
    let text: ReportText
    /// Runs shown in the chart; the table lists them all.
    static let chartRunLimit = 30

    func render() -> String {
        let newestFirst = runs.sorted { ($0.start, $0.runID) > ($1.start, $1.runID) }
        var body = "<header><h1>\(text.label("index.heading"))</h1>"
        body += "<p class=\"subtitle\">\(text.label("index.subtitle", count: runs.count, ["count": text.integer(runs.count)]))</p></header>"

        guard let latest = newestFirst.first else {
            body += "<p class=\"note\">\(text.label("index.empty"))</p>"
            return HTMLPage.document(text: text, title: text.plain("index.title"), body: body)
        }
        body += latestBanner(latest)
        body += "<div class=\"grid\">" + historyCharts(newestFirst) + "</div>"
        body += "<h2>\(text.label("index.runsHeading"))</h2>"
        body += runsTable(newestFirst)
        return HTMLPage.document(text: text, title: text.plain("index.title"), body: body)
    }

    private func latestBanner(_ run: RunListing) -> String {
        let sentence = text.label("index.latest", [
            "id": String(run.runID), "status": text.plain("status." + run.status.rawValue),
            "succeeded": text.integer(run.succeeded), "claimed": text.integer(run.claimed),
            "failures": text.integer(run.failed + run.dead),
        ])
        return "<section class=\"banner status-\(run.status.rawValue)\" role=\"status\" data-status=\"\(run.status.rawValue)\">"
            + "<span class=\"symbol\" aria-hidden=\"true\">\(text.statusSymbol(run.status))</span><div>\(sentence) "
            + "<a href=\"\(Self.reportLink(run.runID))\">\(text.label("index.openReport"))</a></div></section>"
    }

    /// Users scored and users failed per run, as two charts with their own scales,
    /// because failures are usually too few to see on the scale of users scored.
    private func historyCharts(_ newestFirst: [RunListing]) -> String {
        let shown = Array(newestFirst.prefix(Self.chartRunLimit).reversed())
        let scored = shown.map { run in
            (
                label: String(run.runID), segments: [Double(run.succeeded)],
                tooltip: text.plain("index.tooltipScored", ["id": String(run.runID), "count": text.integer(run.succeeded)])
            )
        }
        let failures = shown.map { run in
            (
                label: String(run.runID), segments: [Double(run.failed + run.dead)],
                tooltip: text.plain("index.tooltipFailures", [
                    "id": String(run.runID), "failed": text.integer(run.failed), "dead": text.integer(run.dead),
                ])
            )
        }
        let scoredChart = SVGChart.stackedColumns(
            id: "runs-scored", title: text.plain("index.chartScored"), columns: scored,
            seriesClasses: ["series-0"], yLabel: text.plain("axis.users"), xLabel: text.plain("axis.run"),
            formatTick: { value, _ in text.integer(Int(value)) })
        let failuresChart = SVGChart.stackedColumns(
            id: "runs-failures", title: text.plain("index.chartFailures"), columns: failures,
            seriesClasses: ["series-2"], yLabel: text.plain("axis.users"), xLabel: text.plain("axis.run"),
            formatTick: { value, _ in text.integer(Int(value)) })
        return HTMLPage.figure(heading: text.label("index.chartScored"), chart: scoredChart)
            + HTMLPage.figure(heading: text.label("index.chartFailures"), chart: failuresChart)
    }

    private func runsTable(_ newestFirst: [RunListing]) -> String {
        let rows = newestFirst.map { run in
            [
                "<a href=\"\(Self.reportLink(run.runID))\">\(text.label("index.runLink", ["id": String(run.runID)]))</a>"
                    + "<br><span class=\"note\">\(escapeHTML(run.label))</span>",
                "<span class=\"status status-\(run.status.rawValue)\">\(text.statusSymbol(run.status)) \(text.status(run.status))</span>",
                "<span class=\"nowrap\">\(text.date(run.start))</span>",
                text.duration(run.durationSeconds),
                text.integer(run.claimed),
                text.integer(run.succeeded),
                text.integer(run.failed),
                text.integer(run.dead),
            ]
        }
        return HTMLPage.table(
            id: "runs",
            headers: [
                (text.label("column.run"), false), (text.label("column.status"), false),
                (text.label("column.start"), false), (text.label("column.duration"), true),
                (text.label("column.claimed"), true), (text.label("column.scored"), true),
                (text.label("column.failed"), true), (text.label("column.dead"), true),
            ],
            rows: rows, rowKind: "run")
    }

    /// Returns the link from the index to a run's page.
    static func reportLink(_ runID: Int64) -> String {
        ReportWriter.folderName(for: runID) + "/report.html"
    }
}
