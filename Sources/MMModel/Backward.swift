import COpenBLAS
import Foundation

/// Scratch memory of the backward pass: the gradient of the loss with respect to each
/// activation of the last forward pass, laid out like the activation itself.
final class GradientWorkspace {
    /// ∂L/∂logits, B × G.
    let logits = FloatBuffer()
    /// ∂L/∂engagement, B.
    let engagement = FloatBuffer()
    /// ∂L/∂f, B × H.
    let fused = FloatBuffer()
    /// ∂L/∂[t, i, a], B × k·H.
    let fusionInput = FloatBuffer()
    /// Per track modality, in the order `Modality.allCases`.
    let branches = [BranchGradientWorkspace(), BranchGradientWorkspace()]

    func branch(_ modality: Modality) -> BranchGradientWorkspace {
        switch modality {
        case .image: branches[0]
        case .audio: branches[1]
        }
    }
}

/// Gradients of one attention branch's activations.
final class BranchGradientWorkspace {
    /// ∂L/∂q, B × H.
    let queries = FloatBuffer()
    /// ∂L/∂K, D × H.
    let keys = FloatBuffer()
    /// ∂L/∂V, D × H.
    let values = FloatBuffer()
    /// ∂L/∂tokens, D × H.
    let tokens = FloatBuffer()
    /// ∂L/∂α per entry.
    let entryWeights = FloatBuffer()
}

extension ParameterLayout {
    /// Computes the loss of the forward pass whose activations are in `workspace` and adds
    /// its gradient with respect to every parameter to `gradients` (same layout as the
    /// parameters).
    ///
    /// Loss: mean over the B users of −log softmax(logits)[label], plus the mean of
    /// (engagement − target)² over the users that have a target.
    func backward(
        _ batch: BatchView, labels: [Int], targets: [Float?], parameters: UnsafePointer<Float>,
        scaling: InputScaling?, dropout: DropoutMasks?, workspace: ForwardWorkspace, scratch: GradientWorkspace,
        gradients: UnsafeMutablePointer<Float>
    ) -> LossValue {
        let users = batch.userCount
        let hidden = dimensions.hidden
        let fusionWidth = dimensions.fusionInputs
        let loss = outputGradients(users: users, labels: labels, targets: targets, workspace: workspace, scratch: scratch)

        // Heads: logits = classifier(f), engagement = regressor(f), f after dropout.
        let fused = workspace.fused.pointer
        let headInput = dropout == nil ? fused : workspace.droppedFused.pointer
        let logitsGradient = scratch.logits.pointer
        let engagementGradient = scratch.engagement.pointer
        accumulateLayerGradients(classifier, rows: users, input: headInput, inputStride: hidden,
            outputGradient: logitsGradient, gradientStride: dimensions.genres, gradients: gradients)
        accumulateLayerGradients(regressor, rows: users, input: headInput, inputStride: hidden,
            outputGradient: engagementGradient, gradientStride: 1, gradients: gradients)
        let fusedGradient = scratch.fused.reserve(users * hidden)
        propagateGradient(classifier, parameters: parameters, rows: users, outputGradient: logitsGradient,
            gradientStride: dimensions.genres, into: fusedGradient, inputGradientStride: hidden, accumulate: false)
        propagateGradient(regressor, parameters: parameters, rows: users, outputGradient: engagementGradient,
            gradientStride: 1, into: fusedGradient, inputGradientStride: hidden, accumulate: true)
        dropout?.mask(\.fused, fusedGradient, count: users * hidden)

        // f = relu(fusion_fc([t, i, a])).
        maskReLUGradient(fusedGradient, stride: hidden, activations: fused, activationStride: hidden,
            rows: users, width: hidden)
        let fusionInput = workspace.fusionInput.pointer
        let fusionLayerInput = dropout == nil ? fusionInput : workspace.droppedFusionInput.pointer
        accumulateLayerGradients(fusionLayer, rows: users, input: fusionLayerInput, inputStride: fusionWidth,
            outputGradient: fusedGradient, gradientStride: hidden, gradients: gradients)
        let fusionInputGradient = scratch.fusionInput.reserve(users * fusionWidth)
        propagateGradient(fusionLayer, parameters: parameters, rows: users, outputGradient: fusedGradient,
            gradientStride: hidden, into: fusionInputGradient, inputGradientStride: fusionWidth, accumulate: false)
        dropout?.mask(\.fusionInput, fusionInputGradient, count: users * fusionWidth)

        // The track branches first, because attention adds its query gradient to ∂L/∂t.
        for branch in branches {
            switch variant {
            case .concat:
                backwardPooled(branch, users: users, workspace: workspace.branch(branch.modality),
                    fusionInput: fusionInput, fusionInputGradient: fusionInputGradient, gradients: gradients)
            case .attention:
                backwardAttention(branch, batch: batch, parameters: parameters, scaling: scaling,
                    workspace: workspace, scratch: scratch, fusionInputGradient: fusionInputGradient,
                    gradients: gradients)
            }
        }

        // t = relu(text_fc(history)).
        maskReLUGradient(fusionInputGradient, stride: fusionWidth, activations: fusionInput,
            activationStride: fusionWidth, rows: users, width: hidden)
        let textInput = scaling == nil ? batch.text : UnsafePointer(workspace.textInput.pointer)
        accumulateLayerGradients(textLayer, rows: users, input: textInput, inputStride: dimensions.text,
            outputGradient: fusionInputGradient, gradientStride: fusionWidth, gradients: gradients)
        return loss
    }

    /// Computes the loss and fills ∂L/∂logits = (softmax − onehot) / B and
    /// ∂L/∂engagement = 2 (engagement − target) / (users with a target).
    private func outputGradients(
        users: Int, labels: [Int], targets: [Float?], workspace: ForwardWorkspace, scratch: GradientWorkspace
    ) -> LossValue {
        let genres = dimensions.genres
        let logits = workspace.logits.pointer
        let probabilities = workspace.probabilities.pointer
        let logitsGradient = scratch.logits.reserve(users * genres)
        let inverseUsers = 1 / Float(users)
        var crossEntropy = 0.0
        for user in 0..<users {
            let label = labels[user]
            let row = logits + user * genres
            crossEntropy += Double(logSumExp(row, count: genres) - row[label])
            for genre in 0..<genres {
                let target: Float = genre == label ? 1 : 0
                logitsGradient[user * genres + genre] = (probabilities[user * genres + genre] - target) * inverseUsers
            }
        }

        let engagement = workspace.engagement.pointer
        let engagementGradient = scratch.engagement.reserve(users)
        let targetCount = targets.reduce(0) { $0 + ($1 == nil ? 0 : 1) }
        var squaredError = 0.0
        for user in 0..<users {
            guard let target = targets[user] else {
                engagementGradient[user] = 0
                continue
            }
            let difference = engagement[user] - target
            squaredError += Double(difference) * Double(difference)
            engagementGradient[user] = 2 * difference / Float(targetCount)
        }
        return LossValue(
            crossEntropy: crossEntropy / Double(users),
            squaredError: targetCount > 0 ? squaredError / Double(targetCount) : 0)
    }

    /// Concat: i = relu(image_fc(pooled)); the pooled rows are inputs, so only the layer's
    /// own parameters get gradients.
    private func backwardPooled(
        _ branch: BranchSlots, users: Int, workspace: BranchWorkspace, fusionInput: UnsafePointer<Float>,
        fusionInputGradient: UnsafeMutablePointer<Float>, gradients: UnsafeMutablePointer<Float>
    ) {
        let fusionWidth = dimensions.fusionInputs
        let outputGradient = fusionInputGradient + branch.fusionColumn
        maskReLUGradient(outputGradient, stride: fusionWidth, activations: fusionInput + branch.fusionColumn,
            activationStride: fusionWidth, rows: users, width: dimensions.hidden)
        accumulateLayerGradients(branch.inputLayer, rows: users, input: workspace.layerInput.pointer,
            inputStride: branch.inputs, outputGradient: outputGradient, gradientStride: fusionWidth,
            gradients: gradients)
    }

    /// Attention: back through context = Σ α·V, α = softmax(s), s = q·K / sqrt(H), then
    /// through value, key, the track tokens and the query.
    ///
    /// With ∂α = ∂context · V per entry, the softmax gives ∂s = α (∂α − Σ α ∂α) over the
    /// user's entries only; ∂q += ∂s K / sqrt(H), ∂K += ∂s q / sqrt(H), ∂V += α ∂context.
    private func backwardAttention(
        _ branch: BranchSlots, batch: BatchView, parameters: UnsafePointer<Float>, scaling: InputScaling?,
        workspace: ForwardWorkspace, scratch: GradientWorkspace, fusionInputGradient: UnsafeMutablePointer<Float>,
        gradients: UnsafeMutablePointer<Float>
    ) {
        let attention = branch.attention!
        let forward = workspace.branch(branch.modality)
        let backward = scratch.branch(branch.modality)
        let users = batch.userCount
        let tracks = batch.trackCount
        let hidden = dimensions.hidden
        let fusionWidth = dimensions.fusionInputs
        let scale = 1 / Float(hidden).squareRoot()

        let queries = forward.queries.pointer
        let keys = forward.keys.pointer
        let values = forward.values.pointer
        let weights = forward.entryWeights.pointer
        let queryGradient = backward.queries.zeroed(users * hidden)
        let keyGradient = backward.keys.zeroed(tracks * hidden)
        let valueGradient = backward.values.zeroed(tracks * hidden)
        let weightGradient = backward.entryWeights.reserve(max(1, Int(batch.offsets[users])))
        for user in 0..<users {
            let entries = batch.entries(ofUser: user)
            guard !entries.isEmpty, let indices = batch.indices else { continue }
            let contextGradient = fusionInputGradient + user * fusionWidth + branch.fusionColumn
            var weightedSum: Float = 0
            for entry in entries {
                let value = values + Int(indices[entry]) * hidden
                weightGradient[entry] = cblas_sdot(blasInt(hidden), contextGradient, 1, value, 1)
                weightedSum += weights[entry] * weightGradient[entry]
            }
            for entry in entries {
                let track = Int(indices[entry]) * hidden
                let scoreGradient = weights[entry] * (weightGradient[entry] - weightedSum) * scale
                addScaled(contextGradient, scale: weights[entry], count: hidden, into: valueGradient + track)
                addScaled(keys + track, scale: scoreGradient, count: hidden, into: queryGradient + user * hidden)
                addScaled(queries + user * hidden, scale: scoreGradient, count: hidden, into: keyGradient + track)
            }
        }

        // K = key(tokens), V = value(tokens), tokens = relu(image_fc(track rows)).
        let tokens = forward.tokens.pointer
        accumulateLayerGradients(attention.value, rows: tracks, input: tokens, inputStride: hidden,
            outputGradient: valueGradient, gradientStride: hidden, gradients: gradients)
        accumulateLayerGradients(attention.key, rows: tracks, input: tokens, inputStride: hidden,
            outputGradient: keyGradient, gradientStride: hidden, gradients: gradients)
        let tokenGradient = backward.tokens.reserve(tracks * hidden)
        propagateGradient(attention.value, parameters: parameters, rows: tracks, outputGradient: valueGradient,
            gradientStride: hidden, into: tokenGradient, inputGradientStride: hidden, accumulate: false)
        propagateGradient(attention.key, parameters: parameters, rows: tracks, outputGradient: keyGradient,
            gradientStride: hidden, into: tokenGradient, inputGradientStride: hidden, accumulate: true)
        maskReLUGradient(tokenGradient, stride: hidden, activations: tokens, activationStride: hidden,
            rows: tracks, width: hidden)
        if tracks > 0, let rows = batch.rows(of: branch.modality) {
            let trackInput = scaling == nil ? rows : UnsafePointer(forward.layerInput.pointer)
            accumulateLayerGradients(branch.inputLayer, rows: tracks, input: trackInput, inputStride: branch.inputs,
                outputGradient: tokenGradient, gradientStride: hidden, gradients: gradients)
        }

        // q = query(t); its gradient flows on into ∂L/∂t (columns 0..<H).
        accumulateLayerGradients(attention.query, rows: users, input: workspace.fusionInput.pointer,
            inputStride: fusionWidth, outputGradient: queryGradient, gradientStride: hidden, gradients: gradients)
        propagateGradient(attention.query, parameters: parameters, rows: users, outputGradient: queryGradient,
            gradientStride: hidden, into: fusionInputGradient, inputGradientStride: fusionWidth, accumulate: true)
    }
}

/// ∂W += ∂Yᵀ X and ∂b += Σ_rows ∂Y for a layer applied to `rows` rows of X.
func accumulateLayerGradients(
    _ layer: LinearSlot, rows: Int, input: UnsafePointer<Float>, inputStride: Int,
    outputGradient: UnsafePointer<Float>, gradientStride: Int, gradients: UnsafeMutablePointer<Float>
) {
    guard rows > 0 else { return }
    cblas_sgemm(
        CblasRowMajor, CblasTrans, CblasNoTrans,
        blasInt(layer.outputs), blasInt(layer.inputs), blasInt(rows),
        1, outputGradient, blasInt(gradientStride), input, blasInt(inputStride),
        1, gradients + layer.weightOffset, blasInt(layer.inputs))
    let biasGradient = gradients + layer.biasOffset
    for row in 0..<rows {
        addScaled(outputGradient + row * gradientStride, scale: 1, count: layer.outputs, into: biasGradient)
    }
}

/// ∂X = ∂Y W (or ∂X += ∂Y W when `accumulate`) for a layer applied to `rows` rows.
func propagateGradient(
    _ layer: LinearSlot, parameters: UnsafePointer<Float>, rows: Int, outputGradient: UnsafePointer<Float>,
    gradientStride: Int, into inputGradient: UnsafeMutablePointer<Float>, inputGradientStride: Int, accumulate: Bool
) {
    guard rows > 0 else { return }
    cblas_sgemm(
        CblasRowMajor, CblasNoTrans, CblasNoTrans,
        blasInt(rows), blasInt(layer.inputs), blasInt(layer.outputs),
        1, outputGradient, blasInt(gradientStride), parameters + layer.weightOffset, blasInt(layer.inputs),
        accumulate ? 1 : 0, inputGradient, blasInt(inputGradientStride))
}

/// Zeroes the gradient where the ReLU output was 0, as PyTorch's relu backward does.
func maskReLUGradient(
    _ gradient: UnsafeMutablePointer<Float>, stride: Int, activations: UnsafePointer<Float>, activationStride: Int,
    rows: Int, width: Int
) {
    for row in 0..<rows {
        let gradientRow = gradient + row * stride
        let activationRow = activations + row * activationStride
        for index in 0..<width {
            gradientRow[index] = activationRow[index] > 0 ? gradientRow[index] : 0
        }
    }
}
