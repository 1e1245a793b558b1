import MMCore

/// Inverted-dropout masks for one training batch, over the fusion input [t, i, a]
/// (B × k·H) and f (B × H). A dropped unit gets 0 and a kept one 1/(1 − p). The expected
/// activation is therefore unchanged, and inference needs no rescaling.
///
/// Dropout only changes how training sees the activations; the weight file and the
/// inference forward pass stay the same.
final class DropoutMasks {
    let probability: Float
    let fusionInput = FloatBuffer()
    let fused = FloatBuffer()
    private var random: SeededRandom

    init(probability: Float, seed: UInt64) {
        precondition((0..<1).contains(probability), "dropout probability \(probability) outside [0, 1)")
        self.probability = probability
        random = SeededRandom(seed: seed, stream: "dropout")
    }

    /// Draws fresh masks for a batch of `users`.
    func draw(users: Int, dimensions: ModelDimensions) {
        let keep = 1 / (1 - probability)
        for (buffer, count) in [(fusionInput, users * dimensions.fusionInputs), (fused, users * dimensions.hidden)] {
            let mask = buffer.reserve(count)
            for index in 0..<count {
                mask[index] = random.unit() < Double(probability) ? 0 : keep
            }
        }
    }

    /// Writes values ⊙ mask into `buffer` and returns it.
    func apply(
        _ mask: KeyPath<DropoutMasks, FloatBuffer>, to values: UnsafePointer<Float>, count: Int, into buffer: FloatBuffer
    ) -> UnsafePointer<Float> {
        let factors = self[keyPath: mask].pointer
        let output = buffer.reserve(count)
        for index in 0..<count {
            output[index] = values[index] * factors[index]
        }
        return UnsafePointer(output)
    }

    /// Multiplies a gradient by the mask in place.
    func mask(_ mask: KeyPath<DropoutMasks, FloatBuffer>, _ gradient: UnsafeMutablePointer<Float>, count: Int) {
        let factors = self[keyPath: mask].pointer
        for index in 0..<count {
            gradient[index] *= factors[index]
        }
    }
}
