import Foundation

/// Adam as PyTorch's `torch.optim.Adam` (and, with a nonzero `weightDecay`, `AdamW`)
/// computes it in float32, over the whole flat parameter vector:
///
///     m ← m + (1 − β₁)(g − m)          v ← β₂ v + (1 − β₂) g²
///     θ ← θ − (lr / (1 − β₁ᵗ)) · m / (sqrt(v) / sqrt(1 − β₂ᵗ) + ε)
///
/// Decoupled weight decay first shrinks θ ← θ (1 − lr·λ), so it does not pass through
/// the moment estimates.
public struct AdamOptimizer: Sendable {
    public var learningRate: Float
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    /// λ of decoupled (AdamW) weight decay; 0 disables it.
    public var weightDecay: Float
    /// Steps taken so far, t in the bias corrections.
    public private(set) var step = 0
    private var firstMoment: [Float]
    private var secondMoment: [Float]

    public init(
        parameterCount: Int, learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
        epsilon: Float = 1e-8, weightDecay: Float = 0
    ) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        firstMoment = [Float](repeating: 0, count: parameterCount)
        secondMoment = [Float](repeating: 0, count: parameterCount)
    }

    /// Takes one step on `parameters` with `gradients` of the same layout.
    public mutating func update(_ parameters: inout [Float], gradients: [Float]) {
        precondition(parameters.count == firstMoment.count && gradients.count == firstMoment.count,
            "Adam state of \(firstMoment.count) for \(parameters.count) parameters and \(gradients.count) gradients")
        step += 1
        // The bias corrections are computed in Double, as PyTorch does with Python floats.
        let correction1 = 1 - pow(Double(beta1), Double(step))
        let correction2 = 1 - pow(Double(beta2), Double(step))
        let stepSize = Float(Double(learningRate) / correction1)
        let correction2Root = Float(correction2.squareRoot())
        let decay = 1 - learningRate * weightDecay
        let (beta1, beta2, epsilon, weightDecay) = (beta1, beta2, epsilon, weightDecay)

        parameters.withUnsafeMutableBufferPointer { theta in
            gradients.withUnsafeBufferPointer { gradient in
                firstMoment.withUnsafeMutableBufferPointer { m in
                    secondMoment.withUnsafeMutableBufferPointer { v in
                        for index in 0..<theta.count {
                            let g = gradient[index]
                            if weightDecay != 0 {
                                theta[index] *= decay
                            }
                            m[index] += (1 - beta1) * (g - m[index])
                            v[index] = v[index] * beta2 + (1 - beta2) * g * g
                            let denominator = v[index].squareRoot() / correction2Root + epsilon
                            theta[index] -= stepSize * (m[index] / denominator)
                        }
                    }
                }
            }
        }
    }
}
