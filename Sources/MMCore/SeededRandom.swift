/// A seeded pseudo-random generator (xoshiro256**, seeded through SplitMix64) whose
/// sequence is fixed by this file alone, so the same seed gives the same catalogue, the
/// same weight initialisation and the same shuffles on every machine and toolchain.
///
/// The standard library's generators and `shuffle(using:)` are avoided on purpose, because
/// their algorithms are not promised to stay the same between Swift releases.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64) {
        var mix = seed
        func splitMix() -> UInt64 {
            mix &+= 0x9E37_79B9_7F4A_7C15
            var z = mix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    /// A generator for a named sub-stream, so adding draws to one stream (say, noise) does
    /// not shift another (say, the train/validation split).
    public init(seed: UInt64, stream: String) {
        self.init(seed: seed ^ Hash64.of(Array(stream.utf8)))
    }

    public mutating func next() -> UInt64 {
        let result = rotateLeft(state.1 &* 5, 7) &* 9
        let shifted = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= shifted
        state.3 = rotateLeft(state.3, 45)
        return result
    }

    /// Draws a uniform integer in `0..<bound` without modulo bias (Lemire's method).
    public mutating func index(below bound: Int) -> Int {
        precondition(bound > 0, "index(below:) needs a positive bound, got \(bound)")
        let limit = UInt64(bound)
        var product = next().multipliedFullWidth(by: limit)
        if product.low < limit {
            let threshold = (0 &- limit) % limit
            while product.low < threshold {
                product = next().multipliedFullWidth(by: limit)
            }
        }
        return Int(product.high)
    }

    /// Draws a uniform double in [0, 1) with 53 random bits.
    public mutating func unit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Draws a uniform float in [lower, upper).
    public mutating func uniform(_ lower: Float, _ upper: Float) -> Float {
        lower + Float(unit()) * (upper - lower)
    }

    /// Draws a standard normal value (Box–Muller, one value per call).
    public mutating func normal() -> Double {
        var u = unit()
        while u <= 0 {
            u = unit()
        }
        let v = unit()
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }

    /// Draws from Gamma(shape, 1) by Marsaglia and Tsang's method, boosting shapes below 1
    /// by u^(1/shape).
    public mutating func gamma(shape: Double) -> Double {
        precondition(shape > 0, "gamma shape must be positive, got \(shape)")
        if shape < 1 {
            let boost = pow(max(unit(), .leastNonzeroMagnitude), 1 / shape)
            return gamma(shape: shape + 1) * boost
        }
        let d = shape - 1.0 / 3.0
        let c = 1 / (9 * d).squareRoot()
        while true {
            var x: Double
            var v: Double
            repeat {
                x = normal()
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = unit()
            if u < 1 - 0.0331 * x * x * x * x || log(u) < 0.5 * x * x + d * (1 - v + log(v)) {
                return d * v
            }
        }
    }

    /// Draws from a Dirichlet distribution with every concentration equal to `alpha`.
    public mutating func dirichlet(count: Int, alpha: Double) -> [Double] {
        var draws = (0..<count).map { _ in gamma(shape: alpha) }
        let total = draws.reduce(0, +)
        if total <= 0 {
            draws[index(below: count)] = 1
            return draws
        }
        return draws.map { $0 / total }
    }

    /// Shuffles in place with Fisher–Yates.
    public mutating func shuffle<Element>(_ elements: inout [Element]) {
        guard elements.count > 1 else { return }
        for i in stride(from: elements.count - 1, to: 0, by: -1) {
            let j = index(below: i + 1)
            elements.swapAt(i, j)
        }
    }

    /// Picks an index with probability proportional to `weights`.
    public mutating func pick(weights: [Double]) -> Int {
        let total = weights.reduce(0, +)
        var target = unit() * total
        for (index, weight) in weights.enumerated() {
            target -= weight
            if target < 0 {
                return index
            }
        }
        return weights.count - 1
    }
}

@inline(__always)
private func rotateLeft(_ value: UInt64, _ count: UInt64) -> UInt64 {
    (value << count) | (value >> (64 - count))
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
