import Foundation
import MMCore

@testable import MMReports

/// Training and evaluation values shaped like the sample catalogue's.
enum ModelReportFixtures {
    /// Returns a training run of `epochs` epochs (early stopping below 50) whose
    /// validation loss is lowest at `best`.
    static func training(epochs: Int = 18, best: Int = 13) -> TrainingReport {
        let records = (1...epochs).map { epoch in
            let progress = Double(epoch)
            let distance = Double(epoch - best)
            return EpochRecord(
                epoch: epoch, trainingLoss: 2.4 / (1 + 0.35 * progress), validationLoss: 0.62 + 0.004 * distance * distance,
                trainingAccuracy: min(0.95, 0.3 + 0.04 * progress), validationAccuracy: 0.68 - 0.0015 * distance * distance,
                seconds: 4.2)
        }
        return TrainingReport(
            modelPath: "models/sample-attention.safetensors", modelFingerprint: "5e1f00d2c3b4a596",
            variant: "attention", dataFingerprint: "c0ffee1234567890", start: ReportFixtures.start,
            end: ReportFixtures.start.addingTimeInterval(80), host: "batch-01", version: "0.1.0",
            options: [
                KeyValue("learning_rate", "0.001"), KeyValue("batch_size", "256"), KeyValue("hidden_dim", "512"),
                KeyValue("seed", "42"), KeyValue("patience", "5"),
            ],
            trainingUsers: 1_600, validationUsers: 400, maxEpochs: 50, epochs: records, bestEpoch: best,
            validation: ModelMetrics(
                top1Accuracy: 0.68, top3Accuracy: 0.91, macroF1: 0.655, ndcgAt3: 0.81, engagementRMSE: 0.0912,
                expectedCalibrationError: 0.034))
    }

    static func metrics(_ top1: Double, spread: Double, seeds: Int = 5) -> MetricsOverSeeds {
        MetricsOverSeeds(seeds: (0..<seeds).map { seed in
            let shift = spread * (Double(seed) - Double(seeds - 1) / 2)
            return ModelMetrics(
                top1Accuracy: top1 + shift, top3Accuracy: min(1, top1 + 0.22 + shift), macroF1: top1 - 0.03 + shift,
                ndcgAt3: top1 + 0.12 + shift, engagementRMSE: 0.12 - top1 / 10 + shift / 10,
                expectedCalibrationError: 0.05 - shift)
        })
    }

    static func evaluation(withGap: Bool = true) -> EvaluationReport {
        let genres = ReportFixtures.genres
        let confusion = (0..<genres.count).map { row in
            (0..<genres.count).map { column in row == column ? 30 + row * 3 : (row + column) % 4 }
        }
        let gapValues = [0.041, 0.052, 0.038, -0.004, 0.047]
        return EvaluationReport(
            dataFingerprint: "c0ffee1234567890", testUsers: 400, seeds: [1, 2, 3, 4, 5], genres: genres,
            models: [
                EvaluatedModel(name: "attention", kind: .model, metrics: metrics(0.68, spread: 0.01)),
                EvaluatedModel(name: "concat", kind: .model, metrics: metrics(0.64, spread: 0.012)),
                EvaluatedModel(name: "history", kind: .historyOnly, metrics: metrics(0.55, spread: 0.01)),
                EvaluatedModel(
                    name: "majority", kind: .majorityBaseline,
                    metrics: MetricsOverSeeds(seeds: Array(repeating: ModelMetrics(
                        top1Accuracy: 0.2, top3Accuracy: 0.5, macroF1: 0.033, ndcgAt3: 0.37, engagementRMSE: 0.21,
                        expectedCalibrationError: nil), count: 5))),
            ],
            confusion: ConfusionMatrix(modelName: "attention", counts: confusion),
            attentionMinusConcat: withGap
                ? MetricsOverSeeds(
                    top1Accuracy: MeanAndDeviation(gapValues), macroF1: MeanAndDeviation(gapValues.map { $0 * 0.9 }),
                    engagementRMSE: MeanAndDeviation([-0.002, -0.001, 0.0005, -0.003, -0.001]))
                : nil,
            start: ReportFixtures.start, end: ReportFixtures.start.addingTimeInterval(30), host: "batch-01",
            version: "0.1.0")
    }
}
