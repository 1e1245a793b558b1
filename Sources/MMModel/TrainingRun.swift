import MMCore

/// The mutable state of one training run: optimiser, gradient buffer and workspaces.
struct TrainingRun {
    let options: TrainingOptions
    /// Labels and engagement targets of every example of the source.
    let labels: [Int]
    let targets: [Float?]
    let scaling: InputScaling
    var optimizer: AdamOptimizer
    let workspace = TrainingWorkspace()
    private var gradients: [Float] = []
    private let dropout: DropoutMasks?

    init(options: TrainingOptions, labels: [Int], targets: [Float?], scaling: InputScaling, optimizer: AdamOptimizer) {
        self.options = options
        self.labels = labels
        self.targets = targets
        self.scaling = scaling
        self.optimizer = optimizer
        dropout = options.dropout > 0 ? DropoutMasks(probability: options.dropout, seed: options.seed) : nil
    }

    /// Runs one epoch of Adam steps over `order` in batches and returns its record
    /// without validation metrics.
    mutating func trainEpoch(
        _ model: inout FusionModel, source: some TrainingDataSource, order: [Int], epoch: Int
    ) throws -> EpochRecord {
        var lossSum = 0.0
        var correct = 0
        for start in stride(from: 0, to: order.count, by: options.batchSize) {
            let examples = Array(order[start..<min(start + options.batchSize, order.count)])
            let batch = try source.makeBatch(examples)
            let batchLabels = examples.map { labels[$0] }
            let batchTargets = examples.map { targets[$0] }

            if gradients.count != model.parameters.count {
                gradients = [Float](repeating: 0, count: model.parameters.count)
            } else {
                gradients.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
            }
            dropout?.draw(users: examples.count, dimensions: model.dimensions)
            let loss = model.accumulateGradients(
                batch, labels: batchLabels, engagementTargets: batchTargets, scaling: scaling, dropout: dropout,
                workspace: workspace, into: &gradients)
            guard loss.total.isFinite else {
                throw ModelError(
                    "model.train.diverged", ["epoch": "\(epoch)", "learningRate": "\(options.learningRate)"])
            }
            optimizer.update(&model.parameters, gradients: gradients)

            lossSum += loss.total * Double(examples.count)
            correct += countCorrect(labels: batchLabels, workspace: workspace.forward, genreCount: model.dimensions.genres)
        }
        return EpochRecord(
            epoch: epoch, trainingLoss: lossSum / Double(order.count),
            trainingAccuracy: Double(correct) / Double(order.count))
    }

    /// Returns the mean loss and top-1 accuracy of the model (with the training standardisation)
    /// on `examples`.
    func evaluate(
        _ model: FusionModel, source: some TrainingDataSource, examples: [Int]
    ) throws -> (loss: Double, accuracy: Double) {
        var lossSum = 0.0
        var correct = 0
        var output = ModelOutput()
        for start in stride(from: 0, to: examples.count, by: options.batchSize) {
            let chunk = Array(examples[start..<min(start + options.batchSize, examples.count)])
            let batch = try source.makeBatch(chunk)
            model.forward(batch, workspace: workspace.forward, scaling: scaling, into: &output)
            let chunkLabels = chunk.map { labels[$0] }
            let loss = trainingLoss(output: output, labels: chunkLabels, engagementTargets: chunk.map { targets[$0] })
            lossSum += loss.total * Double(chunk.count)
            correct += countCorrect(labels: chunkLabels, workspace: workspace.forward, genreCount: model.dimensions.genres)
        }
        return (lossSum / Double(examples.count), Double(correct) / Double(examples.count))
    }

    /// Counts the users of the last forward pass whose highest logit is their label
    /// (ties go to the lower genre index, as in the ranking).
    private func countCorrect(labels: [Int], workspace: ForwardWorkspace, genreCount: Int) -> Int {
        let logits = workspace.logits.pointer
        var correct = 0
        for (user, label) in labels.enumerated() {
            let row = logits + user * genreCount
            var predicted = 0
            for genre in 1..<genreCount where row[genre] > row[predicted] {
                predicted = genre
            }
            if predicted == label {
                correct += 1
            }
        }
        return correct
    }
}

extension FusionModel {
    /// Runs the forward pass with optional input standardisation, for training and validation.
    func forward(_ batch: ModelBatch, workspace: ForwardWorkspace, scaling: InputScaling?, into output: inout ModelOutput) {
        precondition(variant == .concat || (batch.externalCovers == nil && batch.externalClips == nil),
            "the attention variant needs packed track rows, not external ones")
        batch.checkShape(for: dimensions)
        guard batch.userCount > 0 else {
            workspace.copyOutputs(users: 0, dimensions: dimensions, into: &output)
            return
        }
        parameters.withUnsafeBufferPointer { parameters in
            batch.withView { view in
                layout.forward(view, parameters: parameters.baseAddress!, workspace: workspace, scaling: scaling)
            }
        }
        workspace.copyOutputs(users: batch.userCount, dimensions: dimensions, into: &output)
    }
}
