/// The multi-task training loss: cross_entropy(logits, genre) averaged over the batch,
/// plus the mean squared error of the engagement head over the examples that have an
/// engagement target (0 when none has one).
public struct LossValue: Sendable, Equatable {
    public var crossEntropy: Double
    public var squaredError: Double

    public var total: Double { crossEntropy + squaredError }

    public init(crossEntropy: Double, squaredError: Double) {
        self.crossEntropy = crossEntropy
        self.squaredError = squaredError
    }
}

/// Computes the loss of a forward pass's outputs, with cross-entropy through log-sum-exp so large
/// logits stay finite.
public func trainingLoss(output: ModelOutput, labels: [Int], engagementTargets: [Float?]) -> LossValue {
    precondition(labels.count == output.userCount && engagementTargets.count == output.userCount,
        "\(labels.count) labels and \(engagementTargets.count) targets for \(output.userCount) users")
    guard output.userCount > 0 else { return LossValue(crossEntropy: 0, squaredError: 0) }
    var crossEntropySum = 0.0
    output.logits.withUnsafeBufferPointer { logits in
        for (user, label) in labels.enumerated() {
            let row = logits.baseAddress! + user * output.genreCount
            crossEntropySum += Double(logSumExp(row, count: output.genreCount) - row[label])
        }
    }
    var squaredSum = 0.0
    var targetCount = 0
    for (user, target) in engagementTargets.enumerated() {
        guard let target else { continue }
        let difference = Double(output.engagement[user]) - Double(target)
        squaredSum += difference * difference
        targetCount += 1
    }
    return LossValue(
        crossEntropy: crossEntropySum / Double(output.userCount),
        squaredError: targetCount > 0 ? squaredSum / Double(targetCount) : 0)
}
