/// Per-feature standardisation x' = (x − μ) · (1/σ), learned on training data.
struct FeatureScaling: Sendable, Equatable {
    var mean: [Float]
    /// 1/σ per feature; a feature with σ = 0 gets 1, so it is only centred.
    var inverseDeviation: [Float]

    var width: Int { mean.count }

    /// Standardises `rows` rows of `width` values; `output` may equal `input`.
    func apply(_ input: UnsafePointer<Float>, rows: Int, into output: UnsafeMutablePointer<Float>) {
        let width = self.width
        mean.withUnsafeBufferPointer { mean in
            inverseDeviation.withUnsafeBufferPointer { inverse in
                for row in 0..<rows {
                    let source = input + row * width
                    let target = output + row * width
                    for index in 0..<width {
                        target[index] = (source[index] - mean[index]) * inverse[index]
                    }
                }
            }
        }
    }

    /// Folds the standardisation into the layer that reads the standardised input, so the
    /// layer computes the same outputs from raw input:
    /// W' = W · diag(1/σ), b' = b − W'·μ.
    func fold(into layer: LinearSlot, parameters: inout [Float]) {
        precondition(layer.inputs == width, "scaling of \(width) features for \(layer.name) with \(layer.inputs) inputs")
        for output in 0..<layer.outputs {
            let row = layer.weightOffset + output * layer.inputs
            var shift = 0.0
            for index in 0..<width {
                let weight = parameters[row + index] * inverseDeviation[index]
                parameters[row + index] = weight
                shift += Double(weight) * Double(mean[index])
            }
            parameters[layer.biasOffset + output] = Float(Double(parameters[layer.biasOffset + output]) - shift)
        }
    }
}

/// The standardisation of every input of a model: history, and each track modality used.
struct InputScaling: Sendable, Equatable {
    var text: FeatureScaling
    var tracks: [Modality: FeatureScaling]

    /// Folds every scaling into the first layers (`text_fc`, `image_fc`, `audio_fc`).
    ///
    /// Exact for both variants: attention applies `image_fc` to each track row, and concat
    /// applies it to the play-weighted mean, whose standardisation equals the mean of the
    /// standardised rows because the weights sum to 1. A concat user without tracks pools
    /// a raw zero vector, which the folded layer treats as (0 − μ)/σ, and training
    /// standardises that same zero vector, so both agree.
    func fold(into layout: ParameterLayout, parameters: inout [Float]) {
        text.fold(into: layout.textLayer, parameters: &parameters)
        for branch in layout.branches {
            tracks[branch.modality]!.fold(into: branch.inputLayer, parameters: &parameters)
        }
    }
}

/// Accumulates per-feature mean and standard deviation (population, ddof 0) in Double.
///
/// Sums are taken around the first row seen, which keeps the variance accurate for
/// features whose mean is large against their spread.
struct FeatureStatistics {
    let width: Int
    private(set) var count = 0
    private var reference: [Double] = []
    private var sum: [Double]
    private var sumOfSquares: [Double]

    init(width: Int) {
        self.width = width
        sum = [Double](repeating: 0, count: width)
        sumOfSquares = [Double](repeating: 0, count: width)
    }

    mutating func add(_ rows: UnsafePointer<Float>, rowCount: Int) {
        guard rowCount > 0 else { return }
        if reference.isEmpty {
            reference = (0..<width).map { Double(rows[$0]) }
        }
        for row in 0..<rowCount {
            let values = rows + row * width
            for index in 0..<width {
                let delta = Double(values[index]) - reference[index]
                sum[index] += delta
                sumOfSquares[index] += delta * delta
            }
        }
        count += rowCount
    }

    /// Returns the scaling. Features never seen (no rows) get μ = 0 and σ = 1.
    func scaling() -> FeatureScaling {
        guard count > 0 else {
            return FeatureScaling(
                mean: [Float](repeating: 0, count: width), inverseDeviation: [Float](repeating: 1, count: width))
        }
        var mean = [Float](repeating: 0, count: width)
        var inverse = [Float](repeating: 1, count: width)
        let n = Double(count)
        for index in 0..<width {
            let shiftedMean = sum[index] / n
            let variance = max(0, sumOfSquares[index] / n - shiftedMean * shiftedMean)
            mean[index] = Float(reference[index] + shiftedMean)
            let deviation = variance.squareRoot()
            if deviation > 0, deviation.isFinite, Float(1 / deviation).isFinite {
                inverse[index] = Float(1 / deviation)
            }
        }
        return FeatureScaling(mean: mean, inverseDeviation: inverse)
    }
}
