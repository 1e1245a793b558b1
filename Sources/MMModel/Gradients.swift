/// Scratch memory for training steps: the forward activations and their gradients.
/// One per thread, like `ForwardWorkspace`.
public final class TrainingWorkspace {
    let forward = ForwardWorkspace()
    let gradients = GradientWorkspace()

    public init() {}
}

extension FusionModel {
    /// Runs the forward and backward pass on a batch and returns the loss and its
    /// gradient with respect to every parameter, laid out like `parameters`.
    ///
    /// `labels` are genre indices per user; `engagementTargets` are per user, nil where
    /// a user has no engagement target.
    public func lossAndGradients(
        _ batch: ModelBatch, labels: [Int], engagementTargets: [Float?], workspace: TrainingWorkspace
    ) -> (loss: LossValue, gradients: [Float]) {
        var gradients = [Float](repeating: 0, count: parameters.count)
        let loss = accumulateGradients(
            batch, labels: labels, engagementTargets: engagementTargets, scaling: nil, workspace: workspace,
            into: &gradients)
        return (loss, gradients)
    }

    /// Adds the gradient of the batch's loss to `gradients`, optionally standardising the
    /// inputs with `scaling` first.
    func accumulateGradients(
        _ batch: ModelBatch, labels: [Int], engagementTargets: [Float?], scaling: InputScaling?,
        dropout: DropoutMasks? = nil, workspace: TrainingWorkspace, into gradients: inout [Float]
    ) -> LossValue {
        precondition(batch.externalCovers == nil && batch.externalClips == nil,
            "training needs packed track rows, not external ones")
        batch.checkShape(for: dimensions)
        precondition(batch.userCount > 0, "a training batch needs users")
        precondition(labels.count == batch.userCount && engagementTargets.count == batch.userCount,
            "\(labels.count) labels and \(engagementTargets.count) targets for \(batch.userCount) users")
        precondition(labels.allSatisfy { (0..<dimensions.genres).contains($0) },
            "labels \(labels) outside 0..<\(dimensions.genres)")
        precondition(gradients.count == parameters.count, "gradient vector of \(gradients.count) for \(parameters.count) parameters")

        return parameters.withUnsafeBufferPointer { parameters in
            gradients.withUnsafeMutableBufferPointer { gradients in
                batch.withView { view in
                    layout.forward(
                        view, parameters: parameters.baseAddress!, workspace: workspace.forward, scaling: scaling,
                        dropout: dropout)
                    return layout.backward(
                        view, labels: labels, targets: engagementTargets, parameters: parameters.baseAddress!,
                        scaling: scaling, dropout: dropout, workspace: workspace.forward, scratch: workspace.gradients,
                        gradients: gradients.baseAddress!)
                }
            }
        }
    }
}
