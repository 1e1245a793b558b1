import Foundation
import MMCore

// MARK: - Data quality

extension RunReportPage {
    func qualitySection() -> String {
        var html = "<section id=\"quality\"><h2>\(text.label("section.quality"))</h2>"
        if summary.stores.isEmpty {
            // The run stopped before it read the catalogue, so there is nothing to vouch for.
            return html + "<p class=\"note\">\(text.label("quality.notRead"))</p></section>"
        }
        let warnings = qualityWarnings()
        if warnings.isEmpty {
            return html + "<p class=\"ok-note\">\(text.label("quality.none"))</p></section>"
        }
        html += "<ul class=\"warnings\">"
        for warning in warnings {
            html += "<li data-warning=\"\(warning.kind)\">\(warning.html)</li>"
        }
        html += "</ul>"

        var rows: [[String]] = []
        for store in summary.stores {
            for bad in store.badRows where bad.count > 0 {
                rows.append([escapeHTML(store.name), text.keyOrText(bad.reason), text.integer(bad.count)])
            }
        }
        if !rows.isEmpty {
            html += HTMLPage.table(
                id: "bad-rows", caption: text.label("quality.badRowsCaption"),
                headers: [
                    (text.label("column.store"), false), (text.label("column.reason"), false),
                    (text.label("column.rowsSkipped"), true),
                ],
                rows: rows, rowKind: "bad-rows")
        }
        return html + "</section>"
    }

    private func qualityWarnings() -> [(kind: String, html: String)] {
        var warnings: [(kind: String, html: String)] = []
        for store in summary.stores where store.badRowTotal > 0 {
            warnings.append(("bad-rows", text.label("quality.badRows", count: store.badRowTotal, [
                "store": store.name, "count": text.integer(store.badRowTotal),
            ])))
        }
        for store in summary.stores where store.duplicateIDs > 0 {
            warnings.append(("duplicate-ids", text.label("quality.duplicates", count: store.duplicateIDs, [
                "store": store.name, "count": text.integer(store.duplicateIDs),
            ])))
        }
        let counts = summary.counts
        if counts.usersWithMissingTracks > 0 {
            warnings.append(("missing-tracks", text.label("quality.missingTracks", count: counts.usersWithMissingTracks, [
                "users": text.integer(counts.usersWithMissingTracks), "tracks": text.integer(counts.tracksMissing),
            ])))
        }
        if counts.usersWithoutTracks > 0 {
            warnings.append(("no-tracks", text.label("quality.noTracks", count: counts.usersWithoutTracks, [
                "users": text.integer(counts.usersWithoutTracks),
            ])))
        }
        if counts.recovered > 0 {
            warnings.append(("recovered", text.label("quality.recovered", count: counts.recovered, [
                "count": text.integer(counts.recovered),
            ])))
        }
        return warnings
    }
}

// MARK: - Results

extension RunReportPage {
    func resultsSection() -> String {
        var html = "<section id=\"results\"><h2>\(text.label("section.results"))</h2><div class=\"grid\">"
        html += topGenreFigure()
        html += confidenceFigure()
        html += HTMLPage.figure(
            heading: text.label("chart.probability"),
            chart: histogramChart(
                id: "top-probability", title: text.plain("chart.probability"),
                histogram: summary.topProbabilityHistogram, xLabel: text.plain("axis.topProbability")))
        html += HTMLPage.figure(
            heading: text.label("chart.engagement"),
            chart: histogramChart(
                id: "engagement", title: text.plain("chart.engagement"),
                histogram: summary.engagementHistogram, xLabel: text.plain("axis.engagement")))
        return html + "</div></section>"
    }

    private func topGenreFigure() -> String {
        let total = summary.topGenreCounts.reduce(0, +)
        let rows = zip(summary.genres, summary.topGenreCounts).map { genre, count in
            let share = total > 0 ? Double(count) / Double(total) : 0
            let value = text.plain("value.countShare", ["count": text.integer(count), "share": text.percent(share)])
            return BarChartRow(
                label: text.plainGenre(genre), values: [Double(count)], valueTexts: [value],
                tooltips: [text.plainGenre(genre) + ": " + value], attributes: [("data-genre", genre.name)])
        }
        let chart = SVGChart.horizontalBars(
            id: "top-genre", title: text.plain("chart.topGenre"), rows: rows, axisLabel: text.plain("axis.users"))
        return HTMLPage.figure(heading: text.label("chart.topGenre"), chart: chart)
    }

    private func confidenceFigure() -> String {
        var rows: [BarChartRow] = []
        for (index, genre) in summary.genres.enumerated() {
            let mean = index < summary.meanTopProbability.count ? summary.meanTopProbability[index] : nil
            let value = mean.map { text.decimal($0, 3) } ?? "–"
            let users = index < summary.topGenreCounts.count ? summary.topGenreCounts[index] : 0
            rows.append(BarChartRow(
                label: text.plainGenre(genre), values: [mean ?? 0], valueTexts: [value],
                tooltips: [text.plain("tooltip.confidence", [
                    "genre": text.plainGenre(genre), "value": value, "count": text.integer(users),
                ])],
                attributes: [("data-genre", genre.name)]))
        }
        let chart = SVGChart.horizontalBars(
            id: "confidence", title: text.plain("chart.confidence"), rows: rows,
            axisLabel: text.plain("axis.meanProbability"), maximum: 1)
        return HTMLPage.figure(
            heading: text.label("chart.confidence"), chart: chart, note: text.label("chart.confidenceNote"))
    }

    func histogramChart(id: String, title: String, histogram: Histogram, xLabel: String) -> String {
        SVGChart.histogram(
            id: id, title: title, histogram: histogram, xLabel: xLabel, yLabel: text.plain("axis.users"),
            formatCount: { text.integer($0) },
            formatEdge: { value, decimals in text.decimal(value, decimals) },
            tooltip: { lower, upper, count in
                text.plain("tooltip.bin", ["lower": lower, "upper": upper, "count": text.integer(count)])
            })
    }
}

// MARK: - Comparison

extension RunReportPage {
    func comparisonSection() -> String {
        guard let comparison = summary.comparison else {
            return "<section id=\"comparison\"><h2>\(text.label("section.comparisonNone"))</h2>"
                + "<p class=\"note\">\(text.label("comparison.none"))</p></section>"
        }
        let previousID = String(comparison.previousRunID)
        var html = "<section id=\"comparison\"><h2>\(text.label("section.comparison", ["id": previousID]))</h2>"
        let changedShare = comparison.usersInBoth > 0
            ? Double(comparison.usersWithChangedTopGenre) / Double(comparison.usersInBoth) : 0
        let changed = text.label("comparison.changed", [
            "changed": text.integer(comparison.usersWithChangedTopGenre),
            "both": text.integer(comparison.usersInBoth), "share": text.percent(changedShare),
        ])
        html += "<p>\(changed)</p>"

        html += "<div class=\"grid\">" + shiftFigure(comparison) + shiftTable(comparison) + "</div>"
        html += changedUsersTable(comparison)
        return html + "</section>"
    }

    private func shares(_ counts: [Int]) -> [Double] {
        let total = counts.reduce(0, +)
        return counts.map { total > 0 ? Double($0) / Double(total) : 0 }
    }

    private func shiftFigure(_ comparison: RunComparison) -> String {
        let previous = shares(comparison.previousTopGenreCounts)
        let current = shares(comparison.currentTopGenreCounts)
        let previousName = text.plain("comparison.previousRun", ["id": String(comparison.previousRunID)])
        let currentName = text.plain("comparison.thisRun")
        var rows: [BarChartRow] = []
        for (index, genre) in summary.genres.enumerated() {
            let before = index < previous.count ? previous[index] : 0
            let after = index < current.count ? current[index] : 0
            rows.append(BarChartRow(
                label: text.plainGenre(genre), values: [before, after],
                valueTexts: [text.percent(before), text.percent(after)],
                tooltips: [
                    "\(text.plainGenre(genre)), \(previousName): \(text.percent(before))",
                    "\(text.plainGenre(genre)), \(currentName): \(text.percent(after))",
                ],
                attributes: [("data-genre", genre.name)]))
        }
        let chart = SVGChart.horizontalBars(
            id: "genre-shift", title: text.plain("chart.shift"), rows: rows,
            axisLabel: text.plain("axis.shareOfUsers"), seriesClasses: ["previous", "series-0"])
        return HTMLPage.figure(
            heading: text.label("chart.shift"), chart: chart,
            legend: [("previous", escapeHTML(previousName)), ("series-0", escapeHTML(currentName))])
    }

    private func shiftTable(_ comparison: RunComparison) -> String {
        let previous = shares(comparison.previousTopGenreCounts)
        let current = shares(comparison.currentTopGenreCounts)
        var rows: [[String]] = []
        for (index, genre) in summary.genres.enumerated() {
            let before = index < comparison.previousTopGenreCounts.count ? comparison.previousTopGenreCounts[index] : 0
            let after = index < comparison.currentTopGenreCounts.count ? comparison.currentTopGenreCounts[index] : 0
            let change = (index < current.count ? current[index] : 0) - (index < previous.count ? previous[index] : 0)
            rows.append([
                text.genre(genre), text.integer(before), text.integer(after),
                text.signedInteger(after - before),
                escapeHTML(text.percentagePoints(change)),
            ])
        }
        return HTMLPage.table(
            id: "genre-shift",
            headers: [
                (text.label("column.genre"), false),
                (text.label("comparison.previousRun", ["id": String(comparison.previousRunID)]), true),
                (text.label("comparison.thisRun"), true), (text.label("column.change"), true),
                (text.label("column.shareChange"), true),
            ],
            rows: rows, rowKind: "genre-shift")
    }

    private func changedUsersTable(_ comparison: RunComparison) -> String {
        let shown = comparison.changedExamples.prefix(Self.changeRowLimit)
        guard !shown.isEmpty else { return "" }
        let rows = shown.map { change in
            [
                "<span class=\"id\">\(escapeHTML(change.userID))</span>",
                text.genre(named: change.previousGenre, in: summary.genres),
                text.genre(named: change.currentGenre, in: summary.genres),
            ]
        }
        let caption = text.label("comparison.examplesCaption", [
            "shown": text.integer(shown.count), "total": text.integer(comparison.usersWithChangedTopGenre),
        ])
        return "<h3 class=\"table-heading\">\(text.label("comparison.examplesHeading"))</h3>"
            + HTMLPage.table(
                id: "changed-users", caption: caption,
                headers: [
                    (text.label("column.user"), false), (text.label("column.previousGenre"), false),
                    (text.label("column.currentGenre"), false),
                ],
                rows: rows, rowKind: "changed-user")
    }
}

// MARK: - Timings and run details

extension RunReportPage {
    func performanceSection() -> String {
        var html = "<section id=\"performance\"><h2>\(text.label("section.performance"))</h2><div class=\"grid\">"
        let total = summary.phases.reduce(0) { $0 + $1.seconds }
        let rows = summary.phases.map { phase in
            let share = total > 0 ? phase.seconds / total : 0
            let value = text.plain("value.durationShare", [
                "duration": text.locale.formatDuration(phase.seconds), "share": text.percent(share),
            ])
            return BarChartRow(
                label: text.plainPhase(phase.phase),
                values: [phase.seconds], valueTexts: [value], tooltips: [value],
                attributes: [("data-phase", phase.phase)])
        }
        let chart = SVGChart.horizontalBars(
            id: "phases", title: text.plain("chart.phases"), rows: rows, axisLabel: text.plain("axis.seconds"))
        html += HTMLPage.figure(heading: text.label("chart.phases"), chart: chart)
        html += HTMLPage.details([
            (text.label("metric.throughput"), text.rate(summary.usersPerSecond)),
            (text.label("detail.duration"), text.duration(summary.durationSeconds)),
            (text.label("detail.claimed"), text.integer(summary.counts.claimed)),
            (text.label("detail.recovered"), text.integer(summary.counts.recovered)),
        ])
        return html + "</div></section>"
    }

    func detailsSection() -> String {
        var html = "<section id=\"details\"><h2>\(text.label("section.details"))</h2>"
        var pairs: [(String, String)] = [
            (text.label("detail.runID"), escapeHTML(String(summary.runID))),
            (text.label("detail.label"), escapeHTML(summary.label)),
            (text.label("detail.start"), text.date(summary.start)),
            (text.label("detail.end"), text.date(summary.end)),
            (text.label("detail.duration"), text.duration(summary.durationSeconds)),
            (text.label("detail.host"), escapeHTML(summary.host)),
            (text.label("detail.version"), escapeHTML(summary.version)),
            (text.label("detail.modelPath"), "<code>\(escapeHTML(summary.model.path))</code>"),
            (text.label("detail.modelFingerprint"), "<code>\(escapeHTML(summary.model.fingerprint))</code>"),
            (text.label("detail.modelVariant"), escapeHTML(summary.model.variant)),
        ]
        for pair in summary.model.metadata {
            pairs.append(("<code>\(escapeHTML(pair.key))</code>", escapeHTML(pair.value)))
        }
        html += HTMLPage.details(pairs)

        let rows = summary.stores.map { store in
            [
                escapeHTML(store.name), "<code>\(escapeHTML(store.path))</code>",
                "<code>\(escapeHTML(store.fingerprint))</code>", text.integer(store.rows),
                text.integer(store.dimension), text.integer(store.badRowTotal), text.integer(store.duplicateIDs),
            ]
        }
        html += "<h3 class=\"table-heading\">\(text.label("section.stores"))</h3>"
        html += HTMLPage.table(
            id: "stores",
            headers: [
                (text.label("column.store"), false), (text.label("column.path"), false),
                (text.label("column.fingerprint"), false), (text.label("column.rows"), true),
                (text.label("column.dimension"), true), (text.label("column.badRows"), true),
                (text.label("column.duplicateIDs"), true),
            ],
            rows: rows, rowKind: "store")
        return html + "</section>"
    }
}
