import Foundation
import MMCore

/// The page `reports/<run-id>/report.html`: what a person reads the morning after a
/// run, most urgent first (status, headline counts, failures, data-quality warnings),
/// then the results, the comparison with the previous run, timings and run details.
struct RunReportPage {
    let summary: RunSummary
    let text: ReportText
    /// Failed users listed in the page; failures.csv has them all.
    static let failureRowLimit = 100
    /// Users with a changed top genre listed in the page.
    static let changeRowLimit = 100

    func render() -> String {
        var body = header()
        body += banner()
        body += metrics()
        body += failuresSection()
        body += qualitySection()
        body += resultsSection()
        body += comparisonSection()
        body += performanceSection()
        body += detailsSection()
        body += footer()
        let title = text.plain("run.pageTitle", [
            "id": String(summary.runID), "status": text.plain("status." + summary.status.rawValue),
        ])
        return HTMLPage.document(text: text, title: title, body: body)
    }

    private func header() -> String {
        "<header><p class=\"crumb\"><a href=\"../index.html\">← \(text.label("nav.allRuns"))</a></p>"
            + "<h1>\(text.label("run.heading", ["id": String(summary.runID)]))</h1>"
            + "<p class=\"subtitle\">\(escapeHTML(summary.label)) · \(text.date(summary.start))</p></header>"
    }

    private func banner() -> String {
        let counts = summary.counts
        let key = counts.claimed == 0 && summary.status == .succeeded ? "banner.empty" : "banner." + summary.status.rawValue
        let sentence = text.label(key, count: counts.claimed, [
            "claimed": text.integer(counts.claimed), "succeeded": text.integer(counts.succeeded),
            "failed": text.integer(counts.failed), "dead": text.integer(counts.dead),
        ])
        var stopReason = ""
        if let reason = summary.stopReason {
            stopReason = "<p class=\"stop-reason\" data-stop-reason>\(text.label("banner.stopReason", ["reason": reason]))</p>"
        }
        return "<section class=\"banner status-\(summary.status.rawValue)\" role=\"status\" "
            + "data-status=\"\(summary.status.rawValue)\"><span class=\"symbol\" aria-hidden=\"true\">\(text.statusSymbol(summary.status))</span>"
            + "<div><strong>\(text.status(summary.status))</strong>\(sentence)\(stopReason)</div></section>"
    }

    private func metrics() -> String {
        let counts = summary.counts
        var html = "<section class=\"metrics\" aria-label=\"\(text.label("metric.heading"))\">"
        let share = counts.claimed > 0 ? Double(counts.succeeded) / Double(counts.claimed) : 0
        html += HTMLPage.metric(
            label: text.label("metric.scored"), value: text.integer(counts.succeeded),
            detail: text.label("metric.ofClaimed", [
                "claimed": text.integer(counts.claimed), "share": text.percent(share),
            ]), kind: "scored")
        html += HTMLPage.metric(label: text.label("metric.failed"), value: text.integer(counts.failed), kind: "failed")
        html += HTMLPage.metric(label: text.label("metric.dead"), value: text.integer(counts.dead), kind: "dead")
        html += HTMLPage.metric(
            label: text.label("metric.duration"), value: text.duration(summary.durationSeconds), kind: "duration")
        html += HTMLPage.metric(
            label: text.label("metric.throughput"), value: text.rate(summary.usersPerSecond), kind: "throughput")
        return html + "</section>"
    }

    /// Failures grouped by reason (what to fix), then the failed users themselves in a
    /// collapsible list, so a long list does not push the rest of the page away.
    private func failuresSection() -> String {
        var html = "<section id=\"failures\"><h2>\(text.label("section.failures"))</h2>"
        guard !summary.failures.isEmpty else {
            return html + "<p class=\"ok-note\">\(text.label("failures.none"))</p></section>"
        }
        html += failureReasonsTable()

        let shown = summary.failures.prefix(Self.failureRowLimit)
        let link = "<a href=\"failures.csv\">failures.csv</a>"
        let note = shown.count < summary.failures.count
            ? text.label("failures.truncated", [
                "shown": text.integer(shown.count), "total": text.integer(summary.failures.count),
            ])
            : text.label("failures.all", count: summary.failures.count, ["total": text.integer(summary.failures.count)])
        let rows = shown.map { failure in
            [
                "<span class=\"id\">\(escapeHTML(failure.userID))</span>",
                text.label("failureState." + failure.state.rawValue),
                text.integer(failure.attempts),
                escapeHTML(failure.reason),
            ]
        }
        let open = summary.failures.count <= 10 ? " open" : ""
        html += "<details\(open)><summary>\(text.label("failures.listSummary", ["count": text.integer(shown.count)]))</summary>"
        html += "<p class=\"note\">\(note) \(text.label("failures.file")) \(link)</p>"
        html += HTMLPage.table(
            id: "failures",
            headers: [
                (text.label("column.user"), false), (text.label("column.state"), false),
                (text.label("column.attempts"), true), (text.label("column.reason"), false),
            ],
            rows: rows, rowKind: "failure")
        return html + "</details></section>"
    }

    /// Failures counted per reason and state, most frequent first.
    private func failureReasonsTable() -> String {
        struct Group {
            var reason: String
            var state: FailureRecord.State
            var count: Int
        }
        var groups: [Group] = []
        var indexByKey: [String: Int] = [:]
        for failure in summary.failures {
            let key = failure.state.rawValue + "\u{0}" + failure.reason
            if let index = indexByKey[key] {
                groups[index].count += 1
            } else {
                indexByKey[key] = groups.count
                groups.append(Group(reason: failure.reason, state: failure.state, count: 1))
            }
        }
        // Stable order: by count, then by first appearance (the sort is not stable).
        let ordered = groups.enumerated().sorted { ($0.element.count, -$0.offset) > ($1.element.count, -$1.offset) }
        let rows = ordered.map { _, group in
            [escapeHTML(group.reason), text.label("failureState." + group.state.rawValue), text.integer(group.count)]
        }
        return HTMLPage.table(
            id: "failure-reasons", caption: text.label("failures.byReason"),
            headers: [
                (text.label("column.reason"), false), (text.label("column.state"), false),
                (text.label("column.users"), true),
            ],
            rows: rows, rowKind: "failure-reason")
    }

    private func footer() -> String {
        let files = ["recommendations.csv", "failures.csv", "summary.json"]
            .map { "<a href=\"\($0)\">\($0)</a>" }.joined(separator: " · ")
        return "<footer><p>\(text.label("footer.files")) \(files)</p>"
            + "<p>\(text.label("footer.generated", ["version": summary.version, "date": text.locale.formatDate(summary.end)]))</p>"
            + "</footer>"
    }
}
