import Foundation
import MMCore
import MMModel
import MMPipeline

/// `mmbatch train`: fits a model on a catalogue's labelled users.
enum TrainCommand {
    /// The training options that `evaluate` shares.
    static let hyperparameterOptions: [OptionDefinition] = [
        .value("epochs", "N", help: "cli.train.epochs"),
        .value("hidden", "N", help: "cli.train.hidden"),
        .value("batch-size", "N", help: "cli.train.batchSize"),
        .value("learning-rate", "RATE", help: "cli.train.learningRate"),
        .value("weight-decay", "RATE", help: "cli.train.weightDecay"),
        .value("patience", "N", help: "cli.train.patience"),
        .value("dropout", "P", help: "cli.train.dropout"),
    ]

    static let command = Command(
        definition: CommandDefinition(
            path: ["train"], summary: "cli.train.summary",
            options: [
                CommonOptions.data,
                .value("labels", "FILE", help: "cli.train.labels"),
                .value("out", "FILE", help: "cli.train.out"),
                .value("variant", "NAME", help: "cli.train.variant"),
                .value("modalities", "LIST", help: "cli.train.modalities"),
                .value("seed", "N", help: "cli.train.seed"),
            ] + hyperparameterOptions + [
                .value("validation-fraction", "F", help: "cli.train.validationFraction"),
                .value("max-tracks", "N", help: "cli.run.maxTracks"),
                CommonOptions.reports, CommonOptions.strict, CommonOptions.encoding,
                .value("table", "FILE", help: "cli.train.table"),
                .value("id-column", "NAME", help: "cli.features.idColumn"),
                .value("label-column", "NAME", help: "cli.train.labelColumn"),
                .value("ignore", "COLUMNS", help: "cli.features.ignore", repeatable: true),
                .value("delimiter", "CHAR", help: "cli.features.delimiter"),
                .value("folds", "K", help: "cli.train.folds"),
            ]),
        execute: execute)

    static func execute(_ arguments: ParsedArguments) throws -> ExitCode {
        if arguments.value("table") != nil {
            return try executeTable(arguments)
        }
        var training = CatalogueTraining()
        training.dataDirectory = arguments.dataDirectory
        training.labelsFile = arguments.path("labels")
        training.output = arguments.path("out") ?? URL(fileURLWithPath: Defaults.model)
        training.training = try trainingOptions(from: arguments, defaults: TrainingOptions())
        training.maxTracks = try arguments.integer("max-tracks", default: Defaults.maxTracks, range: 0...10_000)
        training.strict = arguments.flag("strict")
        training.encoding = try arguments.encoding()
        training.reportDirectory = arguments.reportsDirectory
        training.locale = AppLocale.current

        let outcome = try training.run()
        output(localized("cli.train.saved", [
            "path": training.output.path, "epochs": "\(outcome.result.epochsRun)", "best": "\(outcome.result.bestEpoch)",
        ]))
        if let heldOut = outcome.heldOut {
            output(localized("cli.demo.accuracy", [
                "users": "\(outcome.heldOutUsers)", "accuracy": AppLocale.current.formatPercent(heldOut.accuracy),
                "baseline": AppLocale.current.formatPercent(outcome.majorityAccuracy), "genre": outcome.majorityGenre,
            ]))
        }
        if let report = outcome.reportURL {
            output(localized("cli.train.report", ["path": report.path]))
        }
        return .success
    }

    /// `--table`: cross-validation on one labelled feature table.
    static func executeTable(_ arguments: ParsedArguments) throws -> ExitCode {
        var table = TableTraining(table: URL(fileURLWithPath: try arguments.required("table")))
        table.readOptions.idColumn = arguments.value("id-column")
        table.readOptions.labelColumn = try arguments.required("label-column")
        table.readOptions.ignoredColumns = arguments.list("ignore")
        table.readOptions.delimiter = try arguments.delimiter()
        table.readOptions.encoding = try arguments.encoding()
        table.readOptions.strict = arguments.flag("strict")
        table.training = try trainingOptions(from: arguments, defaults: TrainingOptions.table)
        table.folds = try arguments.integer("folds", default: 5, range: 0...100)
        table.output = arguments.path("out")

        let outcome = try table.run()
        output(localized("cli.train.tableLoaded", [
            "rows": "\(outcome.rows)", "dimension": "\(outcome.dimension)", "genres": "\(outcome.genres.count)",
        ]))
        if let result = outcome.crossValidation {
            for (index, accuracy) in result.foldAccuracies.enumerated() {
                output(localized("cli.train.foldAccuracy", [
                    "fold": "\(index + 1)", "accuracy": AppLocale.current.formatPercent(accuracy),
                ]))
            }
            output(localized("cli.train.meanAccuracy", [
                "folds": "\(result.folds.count)", "mean": AppLocale.current.formatPercent(result.meanAccuracy),
                "sd": AppLocale.current.formatDecimal(result.accuracyStandardDeviation * 100, decimals: 1),
            ]))
        }
        if let path = table.output {
            output(localized("cli.train.savedTable", ["path": path.path]))
        }
        return .success
    }

    /// Training options from the command line over `defaults`.
    static func trainingOptions(from arguments: ParsedArguments, defaults: TrainingOptions) throws -> TrainingOptions {
        var options = defaults
        options.variant = try arguments.variant(default: defaults.variant)
        if arguments.value("modalities") != nil {
            options.modalities = try arguments.modalities()
        }
        options.seed = UInt64(try arguments.integer("seed", default: Int(defaults.seed), range: 0...Int.max))
        options.maxEpochs = try arguments.integer("epochs", default: defaults.maxEpochs, range: 1...100_000)
        options.hiddenSize = try arguments.integer("hidden", default: defaults.hiddenSize, range: 1...65_536)
        options.batchSize = try arguments.integer("batch-size", default: defaults.batchSize, range: 1...65_536)
        options.learningRate = Float(try arguments.number(
            "learning-rate", default: Double(defaults.learningRate), range: 1e-8...10))
        options.weightDecay = Float(try arguments.number(
            "weight-decay", default: Double(defaults.weightDecay), range: 0...100))
        options.patience = try arguments.integer("patience", default: defaults.patience, range: 1...100_000)
        options.dropout = Float(try arguments.number("dropout", default: Double(defaults.dropout), range: 0...0.95))
        options.validationFraction = try arguments.number(
            "validation-fraction", default: defaults.validationFraction, range: 0...0.9)
        return options
    }
}

extension ParsedArguments {
    func variant(default defaultValue: ModelVariant = .concat) throws(UsageError) -> ModelVariant {
        let name = try choice("variant", default: defaultValue.rawValue, choices: ModelVariant.allCases.map(\.rawValue))
        return ModelVariant(rawValue: name) ?? defaultValue
    }

    /// `--modalities text,image,audio` (text is always used and may be omitted).
    func modalities() throws(UsageError) -> Set<Modality> {
        var result: Set<Modality> = []
        for name in list("modalities") {
            switch name {
            case "text", "history": continue
            case "image", "covers": result.insert(.image)
            case "audio", "clips": result.insert(.audio)
            default:
                throw UsageError(Message("core.usage.invalidChoice", [
                    "option": "--modalities", "value": name, "command": commandName,
                    "choices": "text, image, audio",
                ]))
            }
        }
        return result
    }
}
