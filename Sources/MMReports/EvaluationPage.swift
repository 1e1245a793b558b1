import Foundation
import MMCore

/// The page of an evaluation: every model beside the baselines (mean ± sd over seeds),
/// the attention − concat gap, and the confusion matrix as a heat table.
struct EvaluationPage {
    let report: EvaluationReport
    let text: ReportText

    func render() -> String {
        var body = "<header><h1>\(text.label("evaluation.heading"))</h1>"
        let subtitle = text.label("evaluation.subtitle", [
            "date": text.locale.formatDate(report.start), "users": text.integer(report.testUsers),
            "seeds": text.integer(report.seeds.count),
        ])
        body += "<p class=\"subtitle\">\(subtitle)</p></header>"
        body += modelsSection()
        body += gapSection()
        body += confusionSection()
        body += detailsSection()
        body += "<footer><p>\(text.label("footer.generated", ["version": report.version, "date": text.locale.formatDate(report.end)]))</p></footer>"
        return HTMLPage.document(text: text, title: text.plain("evaluation.heading"), body: body)
    }

    private func modelName(_ model: EvaluatedModel) -> String {
        switch model.kind {
        case .model: escapeHTML(model.name)
        case .majorityBaseline: text.label("evaluation.majorityBaseline")
        case .historyOnly: text.label("evaluation.historyOnly")
        }
    }

    private func plainModelName(_ model: EvaluatedModel) -> String {
        switch model.kind {
        case .model: model.name
        case .majorityBaseline: text.plain("evaluation.majorityBaseline")
        case .historyOnly: text.plain("evaluation.historyOnly")
        }
    }

    /// Formats a standard deviation in the unit of its metric: percentage points for
    /// accuracies, else the metric's own decimals.
    private func deviationText(_ kind: MetricKind, _ deviation: Double) -> String {
        switch kind {
        case .top1Accuracy, .top3Accuracy: text.decimal(deviation * 100, 1)
        case .engagementRMSE: text.decimal(deviation, 4)
        case .macroF1, .ndcgAt3, .expectedCalibrationError: text.decimal(deviation, 3)
        }
    }

    private func meanAndDeviation(_ kind: MetricKind, _ value: MeanAndDeviation) -> String {
        formatMetric(kind, value.mean, text: text) + " ± " + deviationText(kind, value.standardDeviation)
    }

    private func modelsSection() -> String {
        var html = "<section id=\"models\"><h2>\(text.label("evaluation.modelsHeading"))</h2>"
        html += "<p class=\"note\">\(text.label("evaluation.modelsNote"))</p>"

        var best: [MetricKind: Double] = [:]
        for kind in MetricKind.allCases {
            let means = report.models.compactMap { kind.value($0.metrics)?.mean }
            best[kind] = kind.higherIsBetter ? means.max() : means.min()
        }
        let rows = report.models.map { model in
            ["<span class=\"nowrap\">\(modelName(model))</span>"] + MetricKind.allCases.map { kind in
                guard let value = kind.value(model.metrics) else { return "–" }
                let cell = meanAndDeviation(kind, value)
                return value.mean == best[kind] ? "<strong>\(cell)</strong>" : cell
            }
        }
        let headers = [(text.label("column.model"), false)]
            + MetricKind.allCases.map { (text.label("metricName." + $0.rawValue), true) }
        html += HTMLPage.table(id: "models", headers: headers, rows: rows, rowKind: "model")

        let chartRows = report.models.compactMap { model -> BarChartRow? in
            guard let accuracy = model.metrics.top1Accuracy else { return nil }
            let value = meanAndDeviation(.top1Accuracy, accuracy)
            return BarChartRow(
                label: plainModelName(model), values: [accuracy.mean], valueTexts: [value],
                tooltips: [plainModelName(model) + ": " + value], attributes: [("data-model", model.name)])
        }
        let chart = SVGChart.horizontalBars(
            id: "top1-by-model", title: text.plain("evaluation.top1Chart"), rows: chartRows,
            axisLabel: text.plain("metricName.top1Accuracy"), maximum: 1, maxLabelShare: 0.5)
        html += "<div class=\"grid spaced\">"
            + HTMLPage.figure(heading: text.label("evaluation.top1Chart"), chart: chart) + "</div>"
        return html + "</section>"
    }

    private func gapSection() -> String {
        var html = "<section id=\"gap\"><h2>\(text.label("evaluation.gapHeading"))</h2>"
        guard let gap = report.attentionMinusConcat else {
            return html + "<p class=\"note\">\(text.label("evaluation.gapNone"))</p></section>"
        }
        if let top1 = gap.top1Accuracy {
            let wins = top1.values.filter { $0 > 0 }.count
            let summary = text.label("evaluation.gapSummary", [
                "gap": text.percentagePoints(top1.mean),
                "deviation": text.decimal(top1.standardDeviation * 100, 1),
                "wins": text.integer(wins), "seeds": text.integer(top1.values.count),
            ])
            html += "<p>\(summary)</p>"
        }
        var rows: [[String]] = []
        for kind in MetricKind.allCases {
            guard let value = kind.value(gap) else { continue }
            let better = value.values.filter { kind.higherIsBetter ? $0 > 0 : $0 < 0 }.count
            let deviation = deviationText(kind, value.standardDeviation)
            rows.append([
                "<span class=\"nowrap\">\(text.label("metricName." + kind.rawValue))</span>",
                escapeHTML(formatMetricDifference(kind, value.mean, text: text)) + " ± " + deviation,
                text.label("evaluation.seedsBetter", ["count": text.integer(better), "seeds": text.integer(value.values.count)]),
                text.label(kind.higherIsBetter ? "evaluation.higherBetter" : "evaluation.lowerBetter"),
            ])
        }
        html += HTMLPage.table(
            id: "gap",
            headers: [
                (text.label("column.metric"), false), (text.label("column.difference"), true),
                (text.label("column.attentionBetter"), true), (text.label("column.direction"), false),
            ],
            rows: rows, rowKind: "gap")
        return html + "</section>"
    }

    private func detailsSection() -> String {
        let pairs: [(String, String)] = [
            (text.label("training.dataFingerprint"), "<code>\(escapeHTML(report.dataFingerprint))</code>"),
            (text.label("evaluation.testUsers"), text.integer(report.testUsers)),
            (text.label("evaluation.seeds"), escapeHTML(report.seeds.map(String.init).joined(separator: ", "))),
            (text.label("detail.start"), text.date(report.start)),
            (text.label("detail.end"), text.date(report.end)),
            (text.label("detail.host"), escapeHTML(report.host)),
            (text.label("detail.version"), escapeHTML(report.version)),
        ]
        return "<section id=\"details\"><h2>\(text.label("evaluation.detailsHeading"))</h2>\(HTMLPage.details(pairs))</section>"
    }
}

// MARK: - Confusion matrix

extension EvaluationPage {
    /// Renders the confusion matrix with labelled genres as rows and predicted genres as
    /// columns. Each cell shows its count and is shaded by its share of the row, so the
    /// diagonal reads as per-genre recall. The last column prints that recall, because
    /// the shade must not be the only carrier.
    func confusionSection() -> String {
        var html = "<section id=\"confusion\"><h2>\(text.label("evaluation.confusionHeading"))</h2>"
        guard let confusion = report.confusion else {
            return html + "<p class=\"note\">\(text.label("evaluation.confusionNone"))</p></section>"
        }
        html += "<p class=\"note\">\(text.label("evaluation.confusionNote", ["model": confusion.modelName]))</p>"
        html += "<div class=\"table-wrap\"><table class=\"heat\" data-table=\"confusion\"><thead><tr>"
        html += "<th scope=\"col\">\(text.label("evaluation.labelledPredicted"))</th>"
        for genre in report.genres {
            html += "<th scope=\"col\" class=\"num\">\(text.genre(genre))</th>"
        }
        html += "<th scope=\"col\" class=\"num\">\(text.label("evaluation.recall"))</th></tr></thead><tbody>"

        for (row, genre) in report.genres.enumerated() {
            let counts = row < confusion.counts.count ? confusion.counts[row] : []
            let total = counts.reduce(0, +)
            html += "<tr data-row=\"confusion\"><th scope=\"row\">\(text.genre(genre))</th>"
            for column in 0..<report.genres.count {
                let count = column < counts.count ? counts[column] : 0
                let share = total > 0 ? Double(count) / Double(total) : 0
                html += heatCell(count: count, share: share, row: row, column: column)
            }
            let recall = total > 0 && row < counts.count ? text.percent(Double(counts[row]) / Double(total)) : "–"
            html += "<td class=\"num\">\(recall)</td></tr>"
        }
        return html + "</tbody></table></div></section>"
    }

    private func heatCell(count: Int, share: Double, row: Int, column: Int) -> String {
        // Okabe–Ito blue at an opacity equal to the share; text turns white on dark cells.
        let alpha = String(format: "%.2f", min(1, max(0, share)))
        let ink = share > 0.55 ? ";color:#fff" : ""
        let diagonal = row == column ? " diagonal" : ""
        return "<td class=\"cell\(diagonal)\" data-true=\"\(row)\" data-predicted=\"\(column)\" "
            + "style=\"background:rgba(0,114,178,\(alpha))\(ink)\">\(text.integer(count))</td>"
    }
}
