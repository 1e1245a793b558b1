import Foundation
import MMCore

/// The outcome of one cross-validation fold.
public struct FoldResult: Sendable {
    /// Examples held out for evaluation in this fold.
    public var testExamples: [Int]
    public var metrics: EvaluationMetrics
    public var epochsRun: Int
    public var bestEpoch: Int
}

/// The outcome of stratified K-fold cross-validation.
public struct CrossValidationResult: Sendable {
    public var folds: [FoldResult]

    public var foldAccuracies: [Double] { folds.map(\.metrics.accuracy) }

    public var meanAccuracy: Double {
        foldAccuracies.reduce(0, +) / Double(max(1, folds.count))
    }

    /// The sample standard deviation (n − 1 in the denominator) of the fold accuracies.
    public var accuracyStandardDeviation: Double {
        guard folds.count > 1 else { return 0 }
        let mean = meanAccuracy
        let squares = foldAccuracies.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        return (squares / Double(folds.count - 1)).squareRoot()
    }
}

public enum CrossValidation {
    /// Splits example indices into `foldCount` folds with each class spread evenly.
    ///
    /// Each class's examples are shuffled with the seed and dealt round-robin; the dealing
    /// continues where the previous class stopped, so fold sizes differ by at most one.
    /// Folds are returned sorted.
    public static func stratifiedFolds(labels: [Int], foldCount: Int, seed: UInt64) -> [[Int]] {
        precondition(foldCount >= 2, "stratified folds need at least 2 folds, got \(foldCount)")
        var random = SeededRandom(seed: seed, stream: "folds")
        var folds = Array(repeating: [Int](), count: foldCount)
        var next = 0
        for label in Set(labels).sorted() {
            var members = labels.indices.filter { labels[$0] == label }
            random.shuffle(&members)
            for example in members {
                folds[next].append(example)
                next = (next + 1) % foldCount
            }
        }
        return folds.map { $0.sorted() }
    }

    /// Trains on K − 1 folds and evaluates on the held-out fold, for each fold.
    ///
    /// Early stopping inside each fold uses a validation split of the training folds only
    /// (`options.validationFraction`), so no held-out example influences its own model.
    /// Fold k trains with seed `options.seed + k`.
    public static func run(
        source: some TrainingDataSource, columns: FeatureColumns, genres: [String], options: TrainingOptions,
        foldCount: Int = 5, fingerprint: String = "", progress: ProgressReporter? = nil
    ) throws -> CrossValidationResult {
        guard source.exampleCount > 0 else {
            throw ModelError("model.train.noExamples")
        }
        let labels = (0..<source.exampleCount).map { source.label(of: $0) }
        let classCounts = Dictionary(grouping: labels, by: { $0 }).mapValues(\.count)
        if let smallest = classCounts.min(by: { ($0.value, $0.key) < ($1.value, $1.key) }), smallest.value < foldCount {
            throw ModelError(
                "model.crossValidation.tooFew",
                ["genre": genres.indices.contains(smallest.key) ? genres[smallest.key] : "\(smallest.key)",
                 "count": "\(smallest.value)", "folds": "\(foldCount)"])
        }
        let folds = stratifiedFolds(labels: labels, foldCount: foldCount, seed: options.seed)

        var results: [FoldResult] = []
        for (index, testExamples) in folds.enumerated() {
            let held = Set(testExamples)
            let trainingExamples = (0..<source.exampleCount).filter { !held.contains($0) }
            var foldOptions = options
            foldOptions.seed = options.seed &+ UInt64(index)
            foldOptions.split = innerSplit(trainingExamples, fraction: options.validationFraction, seed: foldOptions.seed)

            let trained = try Trainer(options: foldOptions).train(
                source: source, columns: columns, genres: genres, fingerprint: fingerprint)
            let evaluation = try trained.model.evaluate(source: source, examples: testExamples, batchSize: options.batchSize)
            results.append(
                FoldResult(
                    testExamples: testExamples, metrics: evaluation.metrics, epochsRun: trained.epochsRun,
                    bestEpoch: trained.bestEpoch))
            Log.info(
                Message("model.crossValidation.fold", [
                    "fold": "\(index + 1)", "folds": "\(foldCount)",
                    "accuracy": AppLocale.current.formatPercent(evaluation.metrics.accuracy),
                    "epoch": "\(trained.bestEpoch)",
                ]))
            progress?.advance()
        }
        progress?.finish()
        return CrossValidationResult(folds: results)
    }

    /// Splits `examples` into training and validation sets at random, with the seed.
    private static func innerSplit(_ examples: [Int], fraction: Double, seed: UInt64) -> TrainingSplit {
        var order = examples
        var random = SeededRandom(seed: seed, stream: "inner-split")
        random.shuffle(&order)
        let count = min(examples.count - 1, Int((fraction * Double(examples.count)).rounded()))
        return TrainingSplit(training: order[count...].sorted(), validation: order[..<count].sorted())
    }
}
