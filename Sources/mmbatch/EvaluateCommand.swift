import Foundation
import MMCore
import MMModel
import MMPipeline
import MMReports

/// `mmbatch evaluate`: held-out metrics of each variant beside the baselines.
enum EvaluateCommand {
    static let command = Command(
        definition: CommandDefinition(
            path: ["evaluate"], summary: "cli.evaluate.summary",
            options: [
                CommonOptions.data,
                .value("labels", "FILE", help: "cli.train.labels"),
                .value("model", "FILE", help: "cli.evaluate.model"),
                .value("seeds", "N", help: "cli.evaluate.seeds"),
                .value("variants", "LIST", help: "cli.evaluate.variants"),
                CommonOptions.reports,
            ] + TrainCommand.hyperparameterOptions),
        execute: execute)

    static func execute(_ arguments: ParsedArguments) throws -> ExitCode {
        var evaluation = ModelEvaluation()
        evaluation.dataDirectory = arguments.dataDirectory
        evaluation.labelsFile = arguments.path("labels")
        evaluation.model = arguments.path("model")
        let seedCount = try arguments.integer("seeds", default: 3, range: 1...100)
        evaluation.seeds = (1...seedCount).map(UInt64.init)
        if arguments.value("variants") != nil {
            evaluation.variants = try arguments.list("variants").map { name throws(UsageError) in
                guard let variant = ModelVariant(rawValue: name) else {
                    throw UsageError(Message("core.usage.invalidChoice", [
                        "option": "--variants", "value": name, "command": arguments.commandName,
                        "choices": "concat, attention",
                    ]))
                }
                return variant
            }
        }
        evaluation.training = try TrainCommand.trainingOptions(from: arguments, defaults: TrainingOptions())
        evaluation.reportDirectory = arguments.reportsDirectory
        evaluation.locale = AppLocale.current

        let outcome = try evaluation.run()
        output(render(outcome.report))
        if let url = outcome.reportURL {
            output(localized("cli.evaluate.report", ["path": url.path]))
        }
        return .success
    }

    /// A table of every metric, mean ± sd over the seeds, one row per model.
    static func render(_ report: EvaluationReport) -> String {
        let metrics: [(key: String, value: (MetricsOverSeeds) -> MeanAndDeviation?, percent: Bool)] = [
            ("cli.evaluate.top1", { $0.top1Accuracy }, true), ("cli.evaluate.top3", { $0.top3Accuracy }, true),
            ("cli.evaluate.macroF1", { $0.macroF1 }, false), ("cli.evaluate.ndcg", { $0.ndcgAt3 }, false),
            ("cli.evaluate.rmse", { $0.engagementRMSE }, false), ("cli.evaluate.ece", { $0.expectedCalibrationError }, false),
        ]
        func cell(_ figure: MeanAndDeviation?, percent: Bool, signed: Bool = false) -> String {
            guard let figure else { return "–" }
            let scale = percent ? 100.0 : 1.0
            let decimals = percent ? 1 : 3
            let sign = signed && figure.mean >= 0 ? "+" : ""
            return sign + AppLocale.current.formatDecimal(figure.mean * scale, decimals: decimals) + " ± "
                + AppLocale.current.formatDecimal(figure.standardDeviation * scale, decimals: decimals)
        }
        var rows = [[localized("cli.evaluate.modelColumn")] + metrics.map { localized($0.key) }]
        for model in report.models {
            rows.append([model.name] + metrics.map { cell($0.value(model.metrics), percent: $0.percent) })
        }
        if let gap = report.attentionMinusConcat {
            rows.append([localized("cli.evaluate.gap")] + metrics.map { cell($0.value(gap), percent: $0.percent, signed: true) })
        }
        let header = localized("cli.evaluate.header", [
            "users": "\(report.testUsers)", "seeds": report.seeds.map(String.init).joined(separator: ", "),
        ])
        return header + "\n" + formatTable(rows)
    }
}
