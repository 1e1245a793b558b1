import COpenBLAS
import Foundation

/// Raw pointers into a `ModelBatch`, valid inside `ModelBatch.withView`.
struct BatchView {
    let userCount: Int
    let trackCount: Int
    let text: UnsafePointer<Float>
    let covers: UnsafePointer<Float>?
    let clips: UnsafePointer<Float>?
    let offsets: UnsafePointer<Int32>
    let indices: UnsafePointer<Int32>?
    /// Per-entry clip rows when clips are external; nil when `indices` serve both.
    let clipIndices: UnsafePointer<Int32>?
    let plays: UnsafePointer<Float>?

    func rows(of modality: Modality) -> UnsafePointer<Float>? {
        switch modality {
        case .image: covers
        case .audio: clips
        }
    }

    /// Returns the per-entry row numbers into `rows(of: modality)`.
    func indices(of modality: Modality) -> UnsafePointer<Int32>? {
        modality == .audio ? clipIndices ?? indices : indices
    }

    func entries(ofUser user: Int) -> Range<Int> {
        Int(offsets[user])..<Int(offsets[user + 1])
    }
}

extension ModelBatch {
    /// Calls `body` with pointers into the batch; the batch must have at least one user.
    func withView<Result>(_ body: (BatchView) throws -> Result) rethrows -> Result {
        precondition(userCount > 0 && !text.isEmpty, "withView needs a batch with users")
        return try text.withUnsafeBufferPointer { text in
            try covers.withUnsafeBufferPointer { covers in
                try clips.withUnsafeBufferPointer { clips in
                    try trackOffsets.withUnsafeBufferPointer { offsets in
                        try trackIndices.withUnsafeBufferPointer { indices in
                            try clipIndices.withUnsafeBufferPointer { clipIndices in
                                try plays.withUnsafeBufferPointer { plays in
                                    try body(
                                        BatchView(
                                            userCount: userCount, trackCount: trackCount,
                                            text: text.baseAddress!,
                                            covers: externalCovers?.base ?? covers.baseAddress,
                                            clips: externalClips?.base ?? clips.baseAddress,
                                            offsets: offsets.baseAddress!, indices: indices.baseAddress,
                                            clipIndices: externalClips == nil ? nil : clipIndices.baseAddress,
                                            plays: plays.baseAddress))
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

extension FusionModel {
    /// Runs the model on a batch and returns its outputs.
    public func forward(_ batch: ModelBatch, workspace: ForwardWorkspace) -> ModelOutput {
        var output = ModelOutput()
        forward(batch, workspace: workspace, into: &output)
        return output
    }

    /// Runs the model on a batch, writing into `output` and reusing its storage.
    ///
    /// Safe to call from several threads at once on one model, each with its own
    /// workspace. For a given batch and BLAS thread count the result is deterministic.
    public func forward(_ batch: ModelBatch, workspace: ForwardWorkspace, into output: inout ModelOutput) {
        forward(batch, workspace: workspace, scaling: nil, into: &output)
    }
}

extension ParameterLayout {
    /// The forward pass; activations stay in `workspace`.
    ///
    /// With `scaling`, inputs are standardised where they enter the first layers (the
    /// history rows, the pooled rows of concat, the track rows of attention). Training
    /// uses this until it folds the scaling into the weights.
    ///
    /// With `dropout`, the fusion input and f are multiplied by the masks before the layers
    /// that read them. The attention queries still read t before dropout.
    func forward(
        _ batch: BatchView, parameters: UnsafePointer<Float>, workspace: ForwardWorkspace,
        scaling: InputScaling?, dropout: DropoutMasks? = nil
    ) {
        let users = batch.userCount
        let hidden = dimensions.hidden
        let fusionWidth = dimensions.fusionInputs
        let fusionInput = workspace.fusionInput.reserve(users * fusionWidth)

        // t = relu(text_fc(history)), into columns 0..<H of the fusion input.
        var textInput = batch.text
        if let scaling {
            let standardised = workspace.textInput.reserve(users * dimensions.text)
            scaling.text.apply(batch.text, rows: users, into: standardised)
            textInput = UnsafePointer(standardised)
        }
        applyLinear(
            textLayer, parameters: parameters, rows: users, input: textInput, inputStride: dimensions.text,
            output: fusionInput, outputStride: fusionWidth, relu: true)

        for branch in branches {
            let branchWorkspace = workspace.branch(branch.modality)
            let branchScaling = scaling?.tracks[branch.modality]
            switch variant {
            case .concat:
                forwardPooled(branch, batch: batch, parameters: parameters, workspace: branchWorkspace,
                    scaling: branchScaling, fusionInput: fusionInput)
            case .attention:
                forwardAttention(branch, batch: batch, parameters: parameters, workspace: branchWorkspace,
                    scaling: branchScaling, fusionInput: fusionInput)
            }
        }

        // f = relu(fusion_fc([t, i, a])); logits = classifier(f); engagement = regressor(f).
        var fusionSource = UnsafePointer(fusionInput)
        if let dropout {
            fusionSource = dropout.apply(
                \.fusionInput, to: fusionInput, count: users * fusionWidth, into: workspace.droppedFusionInput)
        }
        let fused = workspace.fused.reserve(users * hidden)
        applyLinear(
            fusionLayer, parameters: parameters, rows: users, input: fusionSource, inputStride: fusionWidth,
            output: fused, outputStride: hidden, relu: true)
        var headSource = UnsafePointer(fused)
        if let dropout {
            headSource = dropout.apply(\.fused, to: fused, count: users * hidden, into: workspace.droppedFused)
        }
        let genres = dimensions.genres
        let logits = workspace.logits.reserve(users * genres)
        applyLinear(
            classifier, parameters: parameters, rows: users, input: headSource, inputStride: hidden,
            output: logits, outputStride: genres, relu: false)
        let engagement = workspace.engagement.reserve(users)
        applyLinear(
            regressor, parameters: parameters, rows: users, input: headSource, inputStride: hidden,
            output: engagement, outputStride: 1, relu: false)
        let probabilities = workspace.probabilities.reserve(users * genres)
        for user in 0..<users {
            softmaxRow(logits + user * genres, count: genres, into: probabilities + user * genres)
        }
    }

    /// Concat: pooled = Σ w·row with w = plays / Σ plays over the user's entries (a zero
    /// vector for a user without tracks), then ONE layer call over the B pooled rows:
    /// i = relu(image_fc(pooled)).
    private func forwardPooled(
        _ branch: BranchSlots, batch: BatchView, parameters: UnsafePointer<Float>, workspace: BranchWorkspace,
        scaling: FeatureScaling?, fusionInput: UnsafeMutablePointer<Float>
    ) {
        let users = batch.userCount
        let width = branch.inputs
        let pooled = workspace.layerInput.reserve(users * width)
        let weights = workspace.entryWeights.reserve(max(1, Int(batch.offsets[users])))
        for user in 0..<users {
            let entries = batch.entries(ofUser: user)
            let row = pooled + user * width
            guard !entries.isEmpty, let rows = batch.rows(of: branch.modality), let plays = batch.plays,
                let indices = batch.indices(of: branch.modality)
            else {
                row.update(repeating: 0, count: width)
                continue
            }
            var total: Float = 0
            for entry in entries {
                total += plays[entry]
            }
            for entry in entries {
                weights[entry] = plays[entry] / total
            }
            gatherWeightedSum(rows: rows, count: width, indices: indices, weights: weights, entries: entries, into: row)
        }
        if let scaling {
            scaling.apply(pooled, rows: users, into: pooled)
        }
        applyLinear(
            branch.inputLayer, parameters: parameters, rows: users, input: pooled, inputStride: width,
            output: fusionInput + branch.fusionColumn, outputStride: dimensions.fusionInputs, relu: true)
    }

    /// Attention: tokens, keys and values once per distinct track (sgemm over D rows),
    /// queries once per user (sgemm over B rows), then per user a softmax over that user's
    /// entries only: context = Σ α·V with α = softmax(q·K / sqrt(H)). A user without
    /// entries gets a zero context.
    private func forwardAttention(
        _ branch: BranchSlots, batch: BatchView, parameters: UnsafePointer<Float>, workspace: BranchWorkspace,
        scaling: FeatureScaling?, fusionInput: UnsafeMutablePointer<Float>
    ) {
        let attention = branch.attention!
        let users = batch.userCount
        let tracks = batch.trackCount
        let hidden = dimensions.hidden
        let fusionWidth = dimensions.fusionInputs

        let tokens = workspace.tokens.reserve(tracks * hidden)
        let keys = workspace.keys.reserve(tracks * hidden)
        let values = workspace.values.reserve(tracks * hidden)
        if tracks > 0, var trackRows = batch.rows(of: branch.modality) {
            if let scaling {
                let standardised = workspace.layerInput.reserve(tracks * branch.inputs)
                scaling.apply(trackRows, rows: tracks, into: standardised)
                trackRows = UnsafePointer(standardised)
            }
            applyLinear(
                branch.inputLayer, parameters: parameters, rows: tracks, input: trackRows, inputStride: branch.inputs,
                output: tokens, outputStride: hidden, relu: true)
            applyLinear(
                attention.key, parameters: parameters, rows: tracks, input: tokens, inputStride: hidden,
                output: keys, outputStride: hidden, relu: false)
            applyLinear(
                attention.value, parameters: parameters, rows: tracks, input: tokens, inputStride: hidden,
                output: values, outputStride: hidden, relu: false)
        }
        let queries = workspace.queries.reserve(users * hidden)
        applyLinear(
            attention.query, parameters: parameters, rows: users, input: fusionInput, inputStride: fusionWidth,
            output: queries, outputStride: hidden, relu: false)

        let entryCount = Int(batch.offsets[users])
        let weights = workspace.entryWeights.reserve(max(1, entryCount))
        let scale = 1 / Float(hidden).squareRoot()
        for user in 0..<users {
            let context = fusionInput + user * fusionWidth + branch.fusionColumn
            let entries = batch.entries(ofUser: user)
            guard !entries.isEmpty, let indices = batch.indices else {
                context.update(repeating: 0, count: hidden)
                continue
            }
            let query = queries + user * hidden
            var maximum = -Float.infinity
            for entry in entries {
                let score = cblas_sdot(blasInt(hidden), query, 1, keys + Int(indices[entry]) * hidden, 1) * scale
                weights[entry] = score
                maximum = max(maximum, score)
            }
            var sum: Float = 0
            for entry in entries {
                let weight = expf(weights[entry] - maximum)
                weights[entry] = weight
                sum += weight
            }
            let inverseSum = 1 / sum
            for entry in entries {
                weights[entry] *= inverseSum
            }
            gatherWeightedSum(
                rows: values, count: hidden, indices: indices, weights: weights, entries: entries, into: context)
        }
    }
}

extension ForwardWorkspace {
    /// Copies the outputs of the last forward pass and lists users with non-finite values.
    func copyOutputs(users: Int, dimensions: ModelDimensions, into output: inout ModelOutput) {
        let hidden = dimensions.hidden
        let genres = dimensions.genres
        output.userCount = users
        output.hiddenSize = hidden
        output.genreCount = genres
        replace(&output.fused, from: fused.pointer, count: users * hidden)
        replace(&output.logits, from: logits.pointer, count: users * genres)
        replace(&output.probabilities, from: probabilities.pointer, count: users * genres)
        replace(&output.engagement, from: engagement.pointer, count: users)

        output.nonFiniteUsers.removeAll(keepingCapacity: true)
        for user in 0..<users {
            var finite = engagement.pointer[user].isFinite
            for index in (user * hidden)..<((user + 1) * hidden) where !fused.pointer[index].isFinite {
                finite = false
            }
            for index in (user * genres)..<((user + 1) * genres)
            where !logits.pointer[index].isFinite || !probabilities.pointer[index].isFinite {
                finite = false
            }
            if !finite {
                output.nonFiniteUsers.append(user)
            }
        }
    }

    private func replace(_ array: inout [Float], from source: UnsafePointer<Float>, count: Int) {
        array.removeAll(keepingCapacity: true)
        array.append(contentsOf: UnsafeBufferPointer(start: source, count: count))
    }
}
