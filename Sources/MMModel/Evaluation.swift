/// Metrics of a model on a set of labelled examples.
public struct EvaluationMetrics: Sendable, Equatable {
    public var count: Int
    public var accuracy: Double
    public var topThreeAccuracy: Double
    public var macroF1: Double
    public var ndcgAtThree: Double
    /// 15 equal-width bins of the top-1 probability.
    public var expectedCalibrationError: Double
    /// Over the examples with an engagement target; nil when none has one.
    public var engagementRMSE: Double?
    /// counts[true genre][predicted genre].
    public var confusion: [[Int]]

    /// Computes every metric from flat [N × G] probabilities and per-example targets.
    public init(
        probabilities: [Float], genreCount: Int, labels: [Int], engagement: [Float], engagementTargets: [Float?]
    ) {
        count = labels.count
        accuracy = Metrics.topKAccuracy(probabilities: probabilities, genreCount: genreCount, labels: labels, k: 1)
        topThreeAccuracy = Metrics.topKAccuracy(probabilities: probabilities, genreCount: genreCount, labels: labels, k: 3)
        ndcgAtThree = Metrics.ndcg(probabilities: probabilities, genreCount: genreCount, labels: labels, k: 3)
        expectedCalibrationError = Metrics.expectedCalibrationError(
            probabilities: probabilities, genreCount: genreCount, labels: labels)
        let predictions = Metrics.predictions(probabilities: probabilities, genreCount: genreCount)
        macroF1 = Metrics.macroF1(predictions: predictions, labels: labels, classCount: genreCount)
        confusion = Metrics.confusionMatrix(predictions: predictions, labels: labels, classCount: genreCount)

        let pairs = zip(engagement, engagementTargets).compactMap { prediction, target in
            target.map { (prediction, $0) }
        }
        engagementRMSE = pairs.isEmpty
            ? nil
            : Metrics.rootMeanSquaredError(predictions: pairs.map(\.0), targets: pairs.map(\.1))
    }
}

/// A model's outputs and metrics on a set of examples.
public struct EvaluationResult: Sendable {
    /// The evaluated examples, in order; rows of `probabilities` and `engagement` follow it.
    public var examples: [Int]
    /// N × G.
    public var probabilities: [Float]
    public var engagement: [Float]
    /// Examples left out of the metrics because an output was NaN or infinite.
    public var nonFiniteExamples: [Int]
    /// Over the examples with finite outputs.
    public var metrics: EvaluationMetrics
}

extension FusionModel {
    /// Runs the model over `examples` in batches and computes the metrics against the
    /// source's labels and engagement targets.
    public func evaluate(
        source: some TrainingDataSource, examples: [Int], batchSize: Int = 256,
        workspace: ForwardWorkspace = ForwardWorkspace()
    ) throws -> EvaluationResult {
        precondition(batchSize > 0, "evaluation batch size must be positive, got \(batchSize)")
        var probabilities: [Float] = []
        var engagement: [Float] = []
        var nonFinite: [Int] = []
        var output = ModelOutput()
        for start in stride(from: 0, to: examples.count, by: batchSize) {
            let chunk = Array(examples[start..<min(start + batchSize, examples.count)])
            forward(try source.makeBatch(chunk), workspace: workspace, into: &output)
            probabilities += output.probabilities
            engagement += output.engagement
            nonFinite += output.nonFiniteUsers.map { chunk[$0] }
        }

        let genreCount = dimensions.genres
        let excluded = Set(nonFinite)
        var keptProbabilities: [Float] = []
        var keptEngagement: [Float] = []
        var labels: [Int] = []
        var targets: [Float?] = []
        for (row, example) in examples.enumerated() where !excluded.contains(example) {
            keptProbabilities += probabilities[(row * genreCount)..<((row + 1) * genreCount)]
            keptEngagement.append(engagement[row])
            labels.append(source.label(of: example))
            targets.append(source.engagement(of: example))
        }
        let metrics = EvaluationMetrics(
            probabilities: keptProbabilities, genreCount: genreCount, labels: labels, engagement: keptEngagement,
            engagementTargets: targets)
        return EvaluationResult(
            examples: examples, probabilities: probabilities, engagement: engagement, nonFiniteExamples: nonFinite,
            metrics: metrics)
    }
}
