import Foundation
import Testing

@testable import MMModel

@Suite struct MetricsTests {
    // Four rows of three genres. Predictions are 0, 2, 2 (0.4 beats the tie at 0.3) and 1;
    // the labels rank 1st, 2nd, 2nd (genre 0 wins the tie by index) and 2nd.
    static let probabilities: [Float] = [
        0.7, 0.2, 0.1,
        0.1, 0.3, 0.6,
        0.3, 0.3, 0.4,
        0.2, 0.5, 0.3,
    ]
    static let labels = [0, 1, 0, 2]

    @Test func predictionsAndTopK() {
        #expect(Metrics.predictions(probabilities: Self.probabilities, genreCount: 3) == [0, 2, 2, 1])
        #expect(Metrics.topKAccuracy(probabilities: Self.probabilities, genreCount: 3, labels: Self.labels, k: 1) == 0.25)
        #expect(Metrics.topKAccuracy(probabilities: Self.probabilities, genreCount: 3, labels: Self.labels, k: 2) == 1)
        #expect(Metrics.topKAccuracy(probabilities: Self.probabilities, genreCount: 3, labels: [1, 0, 1, 0], k: 2) == 0.25)
    }

    @Test func ndcgWithOneRelevantGenre() {
        let ndcg = Metrics.ndcg(probabilities: Self.probabilities, genreCount: 3, labels: Self.labels, k: 3)
        // (1 + 3 / log2(3)) / 4
        #expect(abs(ndcg - 0.723197) < 1e-6)
        #expect(Metrics.ndcg(probabilities: Self.probabilities, genreCount: 3, labels: Self.labels, k: 1) == 0.25)
    }

    @Test func confusionAndMacroF1() {
        let predictions = [0, 2, 2, 1]
        #expect(Metrics.confusionMatrix(predictions: predictions, labels: Self.labels, classCount: 3)
            == [[1, 0, 1], [0, 0, 1], [0, 1, 0]])
        // Class 0: precision 1, recall 1/2, F1 2/3; classes 1 and 2 have no true positive.
        let f1 = Metrics.macroF1(predictions: predictions, labels: Self.labels, classCount: 3)
        #expect(abs(f1 - 2.0 / 9.0) < 1e-12)
        // A fourth class that never occurs is left out of the mean.
        #expect(Metrics.macroF1(predictions: predictions, labels: Self.labels, classCount: 4) == f1)
        #expect(Metrics.macroF1(predictions: [0, 1, 1], labels: [0, 1, 1], classCount: 2) == 1)
    }

    @Test func expectedCalibrationError() {
        // Confidences 0.7 (right), 0.6, 0.4 and 0.5 (wrong) fall into four bins:
        // (0.3 + 0.6 + 0.4 + 0.5) / 4.
        let ece = Metrics.expectedCalibrationError(probabilities: Self.probabilities, genreCount: 3, labels: Self.labels)
        #expect(abs(ece - 0.45) < 1e-6)

        // 0.81 (right) and 0.82 (wrong) share the bin (0.8, 0.8667]: |0.5 − 0.815|.
        let shared = Metrics.expectedCalibrationError(
            probabilities: [0.81, 0.19, 0.18, 0.82], genreCount: 2, labels: [0, 0])
        #expect(abs(shared - 0.315) < 1e-6)
    }

    @Test func rmseAndBaseline() {
        #expect(abs(Metrics.rootMeanSquaredError(predictions: [1, 2, 3], targets: [1, 4, 0]) - (13.0 / 3).squareRoot()) < 1e-12)
        let baseline = Metrics.majorityBaseline(trainingLabels: [0, 1, 1, 2, 2], evaluationLabels: [1, 0, 1, 2], classCount: 3)
        #expect(baseline.genre == 1)
        #expect(baseline.accuracy == 0.5)
    }

    @Test func evaluationMetricsCombine() {
        let metrics = EvaluationMetrics(
            probabilities: Self.probabilities, genreCount: 3, labels: Self.labels, engagement: [0.5, 0.5, 0, 1],
            engagementTargets: [1, nil, 0, nil])
        #expect(metrics.count == 4)
        #expect(metrics.accuracy == 0.25)
        #expect(metrics.topThreeAccuracy == 1)
        #expect(metrics.confusion[0] == [1, 0, 1])
        // Only examples 0 and 2 have targets: sqrt((0.25 + 0) / 2).
        #expect(abs(metrics.engagementRMSE! - (0.125).squareRoot()) < 1e-12)
        let noTargets = EvaluationMetrics(
            probabilities: Self.probabilities, genreCount: 3, labels: Self.labels, engagement: [0, 0, 0, 0],
            engagementTargets: [nil, nil, nil, nil])
        #expect(noTargets.engagementRMSE == nil)
    }
}

@Suite struct CrossValidationTests {
    @Test func stratifiedFoldsBalanceClasses() {
        let labels = (0..<70).map { $0 % 10 }
        let folds = CrossValidation.stratifiedFolds(labels: labels, foldCount: 5, seed: 1)
        #expect(folds.count == 5)
        #expect(folds.map(\.count) == [14, 14, 14, 14, 14])
        #expect(folds.flatMap { $0 }.sorted() == Array(0..<70))
        for fold in folds {
            for genre in 0..<10 {
                let count = fold.filter { labels[$0] == genre }.count
                #expect(count == 1 || count == 2, "genre \(genre) has \(count) examples in a fold")
            }
        }
        #expect(CrossValidation.stratifiedFolds(labels: labels, foldCount: 5, seed: 1) == folds)
        #expect(CrossValidation.stratifiedFolds(labels: labels, foldCount: 5, seed: 2) != folds)
    }

    @Test func unevenClassesStillSpread() {
        let labels = Array(repeating: 0, count: 13) + Array(repeating: 1, count: 4)
        let folds = CrossValidation.stratifiedFolds(labels: labels, foldCount: 4, seed: 3)
        #expect(folds.map(\.count).max()! - folds.map(\.count).min()! <= 1)
        #expect(folds.allSatisfy { fold in fold.contains { labels[$0] == 1 } })
    }

    @Test func tooFewExamplesPerClassRejected() throws {
        let source = SyntheticSource(
            users: 6, dimensions: ModelDimensions(text: 3, image: 0, audio: 0, hidden: 4, genres: 3), seed: 1)
        var options = TrainingOptions.table
        options.hiddenSize = 4
        let error = try #require(throws: ModelError.self) {
            try CrossValidation.run(source: source, columns: source.columns, genres: source.genres, options: options, foldCount: 5)
        }
        #expect(error.message.key == "model.crossValidation.tooFew")
    }
}
