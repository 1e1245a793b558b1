import Foundation
import MMCore

/// The page of a training run: how loss and accuracy moved per epoch, which epoch was
/// kept, its validation figures, and the options and data it came from.
struct TrainingPage {
    let report: TrainingReport
    let text: ReportText

    func render() -> String {
        var body = "<header><h1>\(text.label("training.heading", ["variant": report.variant]))</h1>"
        body += "<p class=\"subtitle\">\(text.date(report.start)) · \(text.duration(report.durationSeconds))</p></header>"
        body += metrics()
        body += "<section id=\"curves\"><h2>\(text.label("training.curves"))</h2><div class=\"grid\">"
        body += lossFigure() + accuracyFigure()
        body += "</div></section>"
        body += validationSection()
        body += detailsSection()
        body += epochsSection()
        body += "<footer><p>\(text.label("footer.generated", ["version": report.version, "date": text.locale.formatDate(report.end)]))</p></footer>"
        return HTMLPage.document(text: text, title: text.plain("training.title", ["variant": report.variant]), body: body)
    }

    private var best: EpochRecord? {
        report.epochs.first { $0.epoch == report.bestEpoch }
    }

    private func metrics() -> String {
        let stoppedEarly = report.epochs.count < report.maxEpochs
        var html = "<section class=\"metrics\">"
        html += HTMLPage.metric(
            label: text.label("training.epochsRun"), value: text.integer(report.epochs.count),
            detail: text.label(stoppedEarly ? "training.stoppedEarly" : "training.ranAll", [
                "max": text.integer(report.maxEpochs),
            ]), kind: "epochs")
        html += HTMLPage.metric(
            label: text.label("training.bestEpoch"), value: text.integer(report.bestEpoch), kind: "best-epoch")
        if let best {
            html += HTMLPage.metric(
                label: text.label("training.bestValidationLoss"), value: text.decimal(best.validationLoss, 4),
                kind: "validation-loss")
        }
        if let accuracy = report.validation.top1Accuracy {
            html += HTMLPage.metric(
                label: text.label("metricName.top1Accuracy"), value: text.percent(accuracy), kind: "top1")
        }
        return html + "</section>"
    }

    private func lossFigure() -> String {
        let chart = SVGChart.lines(
            id: "loss", title: text.plain("training.lossChart"),
            series: [
                LineSeries(name: text.plain("training.trainingSplit"), values: report.epochs.map(\.trainingLoss)),
                LineSeries(name: text.plain("training.validationSplit"), values: report.epochs.map(\.validationLoss)),
            ],
            xLabel: text.plain("axis.epoch"), yLabel: text.plain("axis.loss"),
            marker: (report.bestEpoch, text.plain("training.bestMarker", ["epoch": String(report.bestEpoch)])),
            formatTick: { value, decimals in text.decimal(value, decimals) },
            formatValue: { text.decimal($0, 4) })
        return HTMLPage.figure(heading: text.label("training.lossChart"), chart: chart, legend: legend())
    }

    private func accuracyFigure() -> String {
        let chart = SVGChart.lines(
            id: "accuracy", title: text.plain("training.accuracyChart"),
            series: [
                LineSeries(name: text.plain("training.trainingSplit"), values: report.epochs.map(\.trainingAccuracy)),
                LineSeries(name: text.plain("training.validationSplit"), values: report.epochs.map(\.validationAccuracy)),
            ],
            xLabel: text.plain("axis.epoch"), yLabel: text.plain("axis.accuracy"), yMaximum: 1,
            marker: (report.bestEpoch, text.plain("training.bestMarker", ["epoch": String(report.bestEpoch)])),
            formatTick: { value, _ in text.percent(value, decimals: 0) }, formatValue: { text.percent($0) })
        return HTMLPage.figure(heading: text.label("training.accuracyChart"), chart: chart, legend: legend())
    }

    private func legend() -> [(className: String, label: String)] {
        [("line-0", text.label("training.trainingSplit")), ("line-1", text.label("training.validationSplit"))]
    }

    private func validationSection() -> String {
        var rows: [[String]] = []
        for kind in MetricKind.allCases {
            guard let value = kind.value(report.validation) else { continue }
            rows.append([
                "<span class=\"nowrap\">\(text.label("metricName." + kind.rawValue))</span>",
                formatMetric(kind, value, text: text),
            ])
        }
        return "<section id=\"validation\"><h2>\(text.label("training.validationHeading", ["users": text.integer(report.validationUsers)]))</h2>"
            + HTMLPage.table(
                id: "validation", headers: [(text.label("column.metric"), false), (text.label("column.value"), true)],
                rows: rows, rowKind: "metric")
            + "</section>"
    }

    private func detailsSection() -> String {
        var pairs: [(String, String)] = [
            (text.label("detail.modelPath"), "<code>\(escapeHTML(report.modelPath))</code>"),
            (text.label("detail.modelFingerprint"), "<code>\(escapeHTML(report.modelFingerprint))</code>"),
            (text.label("detail.modelVariant"), escapeHTML(report.variant)),
            (text.label("training.dataFingerprint"), "<code>\(escapeHTML(report.dataFingerprint))</code>"),
            (text.label("training.users"), text.label("training.usersValue", [
                "training": text.integer(report.trainingUsers), "validation": text.integer(report.validationUsers),
            ])),
            (text.label("detail.start"), text.date(report.start)),
            (text.label("detail.end"), text.date(report.end)),
            (text.label("detail.host"), escapeHTML(report.host)),
            (text.label("detail.version"), escapeHTML(report.version)),
        ]
        for option in report.options {
            pairs.append(("<code>\(escapeHTML(option.key))</code>", escapeHTML(option.value)))
        }
        return "<section id=\"details\"><h2>\(text.label("training.detailsHeading"))</h2>\(HTMLPage.details(pairs))</section>"
    }

    private func epochsSection() -> String {
        let rows = report.epochs.map { epoch in
            [
                epoch.epoch == report.bestEpoch ? "<strong>\(text.integer(epoch.epoch)) ★</strong>" : text.integer(epoch.epoch),
                text.decimal(epoch.trainingLoss, 4), text.decimal(epoch.validationLoss, 4),
                text.percent(epoch.trainingAccuracy), text.percent(epoch.validationAccuracy),
                text.duration(epoch.seconds),
            ]
        }
        return "<section id=\"epochs\"><details><summary>\(text.label("training.epochsTable"))</summary>"
            + HTMLPage.table(
                id: "epochs",
                headers: [
                    (text.label("column.epoch"), true), (text.label("column.trainingLoss"), true),
                    (text.label("column.validationLoss"), true), (text.label("column.trainingAccuracy"), true),
                    (text.label("column.validationAccuracy"), true), (text.label("column.duration"), true),
                ],
                rows: rows, rowKind: "epoch")
            + "</details></section>"
    }
}

/// Formats a metric value: accuracies as percentages, macro-F1, NDCG@3 and calibration
/// error with three decimals, RMSE with four.
func formatMetric(_ kind: MetricKind, _ value: Double, text: ReportText) -> String {
    switch kind {
    case .top1Accuracy, .top3Accuracy: text.percent(value)
    case .macroF1, .ndcgAt3, .expectedCalibrationError: text.decimal(value, 3)
    case .engagementRMSE: text.decimal(value, 4)
    }
}

/// Formats a signed difference of a metric between two models: percentage points for
/// accuracies, plain numbers for the rest.
func formatMetricDifference(_ kind: MetricKind, _ value: Double, text: ReportText) -> String {
    switch kind {
    case .top1Accuracy, .top3Accuracy:
        return text.percentagePoints(value)
    case .macroF1, .ndcgAt3, .expectedCalibrationError:
        return (value > 0.000_5 ? "+" : "") + text.decimal(value, 3)
    case .engagementRMSE:
        return (value > 0.000_05 ? "+" : "") + text.decimal(value, 4)
    }
}
