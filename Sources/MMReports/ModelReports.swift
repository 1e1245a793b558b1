import Foundation
import MMCore

/// Quality figures of one model on one data split.
///
/// Accuracy, F1, NDCG and calibration error are fractions in [0, 1]; RMSE is in the
/// units of engagement. Nil marks a figure the model cannot produce.
public struct ModelMetrics: Codable, Sendable, Equatable {
    /// Share of users whose labelled genre is ranked first.
    public var top1Accuracy: Double?
    /// Share of users whose labelled genre is among the first three.
    public var top3Accuracy: Double?
    /// Unweighted mean over genres of the F1 score of the top-1 prediction.
    public var macroF1: Double?
    /// NDCG@3 with the labelled genre as the only relevant item: 1/log2(1 + rank) when
    /// its rank is at most 3, else 0.
    public var ndcgAt3: Double?
    /// Root mean squared error of the predicted engagement.
    public var engagementRMSE: Double?
    /// Expected calibration error of the top-1 probability (equal-width bins).
    public var expectedCalibrationError: Double?

    public init(
        top1Accuracy: Double? = nil, top3Accuracy: Double? = nil, macroF1: Double? = nil,
        ndcgAt3: Double? = nil, engagementRMSE: Double? = nil, expectedCalibrationError: Double? = nil
    ) {
        self.top1Accuracy = top1Accuracy
        self.top3Accuracy = top3Accuracy
        self.macroF1 = macroF1
        self.ndcgAt3 = ndcgAt3
        self.engagementRMSE = engagementRMSE
        self.expectedCalibrationError = expectedCalibrationError
    }
}

/// The figures of one training epoch.
public struct EpochRecord: Codable, Sendable, Equatable {
    /// 1 for the first epoch.
    public var epoch: Int
    /// Mean multi-task loss (cross-entropy + engagement MSE) over the training batches.
    public var trainingLoss: Double
    public var validationLoss: Double
    public var trainingAccuracy: Double
    public var validationAccuracy: Double
    public var seconds: Double

    public init(
        epoch: Int, trainingLoss: Double, validationLoss: Double, trainingAccuracy: Double,
        validationAccuracy: Double, seconds: Double
    ) {
        self.epoch = epoch
        self.trainingLoss = trainingLoss
        self.validationLoss = validationLoss
        self.trainingAccuracy = trainingAccuracy
        self.validationAccuracy = validationAccuracy
        self.seconds = seconds
    }
}

/// The record of one `mmbatch train` run, filled in by the model module.
public struct TrainingReport: Codable, Sendable, Equatable {
    /// The weight file written.
    public var modelPath: String
    public var modelFingerprint: String
    /// `concat` or `attention`.
    public var variant: String
    /// Fingerprint of the catalogue files the model was trained on.
    public var dataFingerprint: String
    public var start: Date
    public var end: Date
    public var host: String
    public var version: String
    /// Training options in display order (learning rate, batch size, seed, …).
    public var options: [KeyValue]
    public var trainingUsers: Int
    public var validationUsers: Int
    /// The epoch limit; `epochs.count` below it means early stopping ended training.
    public var maxEpochs: Int
    public var epochs: [EpochRecord]
    /// The epoch whose weights were kept (lowest validation loss).
    public var bestEpoch: Int
    /// Figures of the kept weights on the validation split.
    public var validation: ModelMetrics

    public init(
        modelPath: String, modelFingerprint: String, variant: String, dataFingerprint: String,
        start: Date, end: Date, host: String = SystemInfo.hostName, version: String = SystemInfo.version,
        options: [KeyValue], trainingUsers: Int, validationUsers: Int, maxEpochs: Int,
        epochs: [EpochRecord], bestEpoch: Int, validation: ModelMetrics
    ) {
        self.modelPath = modelPath
        self.modelFingerprint = modelFingerprint
        self.variant = variant
        self.dataFingerprint = dataFingerprint
        self.start = start
        self.end = end
        self.host = host
        self.version = version
        self.options = options
        self.trainingUsers = trainingUsers
        self.validationUsers = validationUsers
        self.maxEpochs = maxEpochs
        self.epochs = epochs
        self.bestEpoch = bestEpoch
        self.validation = validation
    }

    public var durationSeconds: Double { max(0, end.timeIntervalSince(start)) }
}

/// A figure measured over several seeds.
public struct MeanAndDeviation: Codable, Sendable, Equatable {
    public var mean: Double
    /// Sample standard deviation (divisor n − 1); 0 for a single value.
    public var standardDeviation: Double
    /// The values it was computed from, one per seed.
    public var values: [Double]

    public init(mean: Double, standardDeviation: Double, values: [Double]) {
        self.mean = mean
        self.standardDeviation = standardDeviation
        self.values = values
    }

    /// Computes the mean and sample standard deviation of `values`.
    public init(_ values: [Double]) {
        precondition(!values.isEmpty, "MeanAndDeviation needs at least one value")
        let mean = values.reduce(0, +) / Double(values.count)
        let squares = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        let deviation = values.count > 1 ? (squares / Double(values.count - 1)).squareRoot() : 0
        self.init(mean: mean, standardDeviation: deviation, values: values)
    }
}

/// The `ModelMetrics` figures, each as mean and deviation over seeds.
public struct MetricsOverSeeds: Codable, Sendable, Equatable {
    public var top1Accuracy: MeanAndDeviation?
    public var top3Accuracy: MeanAndDeviation?
    public var macroF1: MeanAndDeviation?
    public var ndcgAt3: MeanAndDeviation?
    public var engagementRMSE: MeanAndDeviation?
    public var expectedCalibrationError: MeanAndDeviation?

    public init(
        top1Accuracy: MeanAndDeviation? = nil, top3Accuracy: MeanAndDeviation? = nil,
        macroF1: MeanAndDeviation? = nil, ndcgAt3: MeanAndDeviation? = nil,
        engagementRMSE: MeanAndDeviation? = nil, expectedCalibrationError: MeanAndDeviation? = nil
    ) {
        self.top1Accuracy = top1Accuracy
        self.top3Accuracy = top3Accuracy
        self.macroF1 = macroF1
        self.ndcgAt3 = ndcgAt3
        self.engagementRMSE = engagementRMSE
        self.expectedCalibrationError = expectedCalibrationError
    }

    /// Summarises per-seed metrics; a figure missing from any seed is nil.
    public init(seeds: [ModelMetrics]) {
        func summarise(_ path: KeyPath<ModelMetrics, Double?>) -> MeanAndDeviation? {
            let values = seeds.compactMap { $0[keyPath: path] }
            return values.count == seeds.count && !values.isEmpty ? MeanAndDeviation(values) : nil
        }
        self.init(
            top1Accuracy: summarise(\.top1Accuracy), top3Accuracy: summarise(\.top3Accuracy),
            macroF1: summarise(\.macroF1), ndcgAt3: summarise(\.ndcgAt3),
            engagementRMSE: summarise(\.engagementRMSE),
            expectedCalibrationError: summarise(\.expectedCalibrationError))
    }
}

/// One model or baseline in an evaluation.
public struct EvaluatedModel: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        /// A trained fusion model (concat or attention).
        case model
        /// Always predicts the most frequent training genre and the mean engagement.
        case majorityBaseline
        /// A model trained on the listening-history embedding alone.
        case historyOnly
    }

    /// The name shown, such as `attention` or `concat`.
    public var name: String
    public var kind: Kind
    public var metrics: MetricsOverSeeds

    public init(name: String, kind: Kind, metrics: MetricsOverSeeds) {
        self.name = name
        self.kind = kind
        self.metrics = metrics
    }
}

/// Counts of users by labelled genre (rows) and top-1 predicted genre (columns), both
/// in the order of the report's `genres`.
public struct ConfusionMatrix: Codable, Sendable, Equatable {
    /// The evaluated model the counts belong to.
    public var modelName: String
    public var counts: [[Int]]

    public init(modelName: String, counts: [[Int]]) {
        self.modelName = modelName
        self.counts = counts
    }
}

/// The figures `mmbatch evaluate` measured on the held-out users, filled in by the model
/// module.
public struct EvaluationReport: Codable, Sendable, Equatable {
    public var dataFingerprint: String
    public var testUsers: Int
    public var seeds: [UInt64]
    public var genres: [GenreName]
    /// The trained models first, then the baselines, in display order.
    public var models: [EvaluatedModel]
    public var confusion: ConfusionMatrix?
    /// Paired per-seed differences attention − concat, when both variants were evaluated.
    public var attentionMinusConcat: MetricsOverSeeds?
    public var start: Date
    public var end: Date
    public var host: String
    public var version: String

    public init(
        dataFingerprint: String, testUsers: Int, seeds: [UInt64], genres: [GenreName],
        models: [EvaluatedModel], confusion: ConfusionMatrix?, attentionMinusConcat: MetricsOverSeeds?,
        start: Date, end: Date, host: String = SystemInfo.hostName, version: String = SystemInfo.version
    ) {
        self.dataFingerprint = dataFingerprint
        self.testUsers = testUsers
        self.seeds = seeds
        self.genres = genres
        self.models = models
        self.confusion = confusion
        self.attentionMinusConcat = attentionMinusConcat
        self.start = start
        self.end = end
        self.host = host
        self.version = version
    }
}

/// The metrics in the order reports show them, with whether higher is better.
enum MetricKind: String, CaseIterable {
    case top1Accuracy, top3Accuracy, macroF1, ndcgAt3, engagementRMSE, expectedCalibrationError

    var higherIsBetter: Bool {
        switch self {
        case .engagementRMSE, .expectedCalibrationError: false
        default: true
        }
    }

    func value(_ metrics: ModelMetrics) -> Double? {
        switch self {
        case .top1Accuracy: metrics.top1Accuracy
        case .top3Accuracy: metrics.top3Accuracy
        case .macroF1: metrics.macroF1
        case .ndcgAt3: metrics.ndcgAt3
        case .engagementRMSE: metrics.engagementRMSE
        case .expectedCalibrationError: metrics.expectedCalibrationError
        }
    }

    func value(_ metrics: MetricsOverSeeds) -> MeanAndDeviation? {
        switch self {
        case .top1Accuracy: metrics.top1Accuracy
        case .top3Accuracy: metrics.top3Accuracy
        case .macroF1: metrics.macroF1
        case .ndcgAt3: metrics.ndcgAt3
        case .engagementRMSE: metrics.engagementRMSE
        case .expectedCalibrationError: metrics.expectedCalibrationError
        }
    }
}
