import Foundation
import MMCore
import MMFeatures
import MMModel
import MMReports

/// `mmbatch train --data DIR`: fits a model on a catalogue's labelled users.
public struct CatalogueTraining {
    public var dataDirectory = URL(fileURLWithPath: Defaults.dataDirectory)
    /// The labels file; nil means the catalogue's labels.csv.
    public var labelsFile: URL?
    public var output = URL(fileURLWithPath: Defaults.model)
    public var training = TrainingOptions()
    public var maxTracks = Defaults.maxTracks
    public var strict = false
    public var encoding: TextEncoding = .utf8
    /// The folder for training.html and training.json; nil writes none.
    public var reportDirectory: URL?
    public var locale: AppLocale = .english

    public init() {}

    /// The trained model, its held-out metrics and the baseline beside them.
    public struct Outcome: Sendable {
        public var result: TrainingResult
        /// Metrics of the saved model on the held-out users (nil without a hold-out).
        public var heldOut: EvaluationMetrics?
        /// Accuracy of always predicting the training set's most frequent genre on the
        /// held-out users.
        public var majorityAccuracy: Double
        public var majorityGenre: String
        public var trainingUsers: Int
        public var heldOutUsers: Int
        public var reportURL: URL?
    }

    /// Trains, saves the weight file atomically and writes the training report.
    public func run() throws -> Outcome {
        let start = Date()
        let catalogue = try Catalogue.open(dataDirectory, options: CatalogueOptions(strict: strict, encoding: encoding))
        let labels = try loadLabels(catalogue)
        let source = try CatalogueTrainingSource(
            catalogue: catalogue, labels: labels, modalities: training.modalities, maxTracks: maxTracks)
        guard source.exampleCount > 0 else {
            throw PipelineError.noUsers(data: labels.url.path)
        }
        Log.info(Message("pipeline.train.started"), [
            "data": dataDirectory.path, "users": source.exampleCount, "variant": training.variant.rawValue,
            "seed": training.seed, "max_epochs": training.maxEpochs,
        ])

        BLAS.setThreadCount(SystemInfo.activeCores)
        let progress = ProgressReporter(Message("pipeline.train.progress"), total: training.maxEpochs, unit: "epochs", interval: 0)
        let genres = catalogue.genres.map(\.name)
        let result = try Trainer(options: training).train(
            source: source, columns: source.columns, genres: genres, fingerprint: catalogue.fingerprint, progress: progress)

        var heldOut: EvaluationMetrics?
        if !result.split.validation.isEmpty {
            heldOut = try result.model.evaluate(source: source, examples: result.split.validation).metrics
        }
        let baseline = Metrics.majorityBaseline(
            trainingLabels: result.split.training.map(source.label(of:)),
            evaluationLabels: result.split.validation.map(source.label(of:)), classCount: genres.count)
        try result.model.save(to: output)
        let fingerprint = try fileFingerprint(output)
        Log.info(Message("pipeline.train.saved"), [
            "path": output.path, "fingerprint": fingerprint, "epochs": result.epochsRun, "best_epoch": result.bestEpoch,
        ])

        var reportURL: URL?
        if let reportDirectory {
            let report = trainingReport(
                result: result, heldOut: heldOut, fingerprint: fingerprint, dataFingerprint: catalogue.fingerprint,
                start: start)
            reportURL = try ReportWriter(reportsDirectory: reportDirectory, locale: locale).writeTraining(report)
        }
        return Outcome(
            result: result, heldOut: heldOut, majorityAccuracy: baseline.accuracy, majorityGenre: genres[baseline.genre],
            trainingUsers: result.split.training.count, heldOutUsers: result.split.validation.count, reportURL: reportURL)
    }

    private func loadLabels(_ catalogue: Catalogue) throws -> LabelStore {
        if let labelsFile {
            return try LabelStore.open(labelsFile, genres: catalogue.genres, options: FeatureReadOptions(strict: strict))
        }
        guard let labels = catalogue.labels else {
            throw PipelineError.unreadableFile(
                path: dataDirectory.appendingPathComponent(CatalogueFile.labels.rawValue).path,
                reason: String(cString: strerror(ENOENT)))
        }
        return labels
    }

    private func trainingReport(
        result: TrainingResult, heldOut: EvaluationMetrics?, fingerprint: String, dataFingerprint: String, start: Date
    ) -> TrainingReport {
        // NOTE: the trainer does not time epochs one by one, so each epoch shows the mean.
        let secondsPerEpoch = Date().timeIntervalSince(start) / Double(max(1, result.history.count))
        let epochs = result.history.map { record in
            MMReports.EpochRecord(
                epoch: record.epoch, trainingLoss: record.trainingLoss,
                validationLoss: record.validationLoss ?? .nan, trainingAccuracy: record.trainingAccuracy,
                validationAccuracy: record.validationAccuracy ?? .nan, seconds: secondsPerEpoch)
        }
        let options = training.summary.split(separator: " ").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            return KeyValue(parts[0], parts.count > 1 ? parts[1] : "")
        }
        return TrainingReport(
            modelPath: output.path, modelFingerprint: fingerprint, variant: training.variant.rawValue,
            dataFingerprint: dataFingerprint, start: start, end: Date(), options: options,
            trainingUsers: result.split.training.count, validationUsers: result.split.validation.count,
            maxEpochs: training.maxEpochs, epochs: epochs, bestEpoch: result.bestEpoch,
            validation: ModelMetrics(heldOut))
    }
}

extension ModelMetrics {
    /// Copies the figures of a model evaluation for a report; all nil without one.
    init(_ metrics: EvaluationMetrics?) {
        self.init(
            top1Accuracy: metrics?.accuracy, top3Accuracy: metrics?.topThreeAccuracy, macroF1: metrics?.macroF1,
            ndcgAt3: metrics?.ndcgAtThree, engagementRMSE: metrics?.engagementRMSE,
            expectedCalibrationError: metrics?.expectedCalibrationError)
    }
}
