import COpenBLAS
import Foundation

// Low-level kernels on raw pointers. Matrix products go to `cblas_sgemm`. The rest (bias
// rows, ReLU, pooling, softmax) are single passes over contiguous memory in plain
// sequential loops. The compiler vectorises the element-wise ones, and no result depends
// on the thread count.

/// Growable scratch storage for floats, reused across batches so inference does not
/// allocate once it has seen its largest batch.
final class FloatBuffer {
    private(set) var pointer: UnsafeMutablePointer<Float>
    private(set) var capacity = 0

    init() {
        pointer = .allocate(capacity: 1)
    }

    deinit {
        pointer.deallocate()
    }

    /// Returns storage for at least `count` floats. Contents are unspecified after growth.
    func reserve(_ count: Int) -> UnsafeMutablePointer<Float> {
        if count > capacity {
            pointer.deallocate()
            capacity = max(count, capacity + capacity / 2)
            pointer = .allocate(capacity: capacity)
        }
        return pointer
    }

    /// Returns storage for `count` floats, all set to zero.
    func zeroed(_ count: Int) -> UnsafeMutablePointer<Float> {
        let storage = reserve(count)
        storage.update(repeating: 0, count: count)
        return storage
    }
}

/// Y = X Wᵀ + b for `rows` rows of one `Linear` layer, optionally followed by ReLU.
///
/// X is [rows × inputs] with row stride `inputStride`; Y is [rows × outputs] with row
/// stride `outputStride`, so a layer can write straight into a column block of a wider
/// matrix (the fusion input [t, i, a]). The bias rows are copied into Y first and the
/// product added with beta = 1.
func applyLinear(
    _ layer: LinearSlot, parameters: UnsafePointer<Float>, rows: Int,
    input: UnsafePointer<Float>, inputStride: Int,
    output: UnsafeMutablePointer<Float>, outputStride: Int, relu: Bool
) {
    guard rows > 0 else { return }
    let bias = parameters + layer.biasOffset
    for row in 0..<rows {
        (output + row * outputStride).update(from: bias, count: layer.outputs)
    }
    cblas_sgemm(
        CblasRowMajor, CblasNoTrans, CblasTrans,
        blasInt(rows), blasInt(layer.outputs), blasInt(layer.inputs),
        1, input, blasInt(inputStride),
        parameters + layer.weightOffset, blasInt(layer.inputs),
        1, output, blasInt(outputStride))
    if relu {
        for row in 0..<rows {
            applyReLU(output + row * outputStride, count: layer.outputs)
        }
    }
}

/// ReLU in place. NaN stays NaN, as in PyTorch, so a broken input is reported rather
/// than hidden.
@inline(__always)
func applyReLU(_ values: UnsafeMutablePointer<Float>, count: Int) {
    // A select with an unconditional store vectorises; a conditional store does not.
    for index in 0..<count {
        let value = values[index]
        values[index] = value < 0 ? 0 : value
    }
}

/// output = Σₑ weights[e] · rows[indices[e]] over `entries`, the gather-and-sum of
/// play-weighted pooling and of the attention context. Rows are `count` wide and
/// `count` apart. Up to four entries are summed per pass over `output`, and the first
/// pass stores instead of adding, so the rows are read once and `output` is not zeroed
/// separately. No entries give a zero row.
func gatherWeightedSum(
    rows: UnsafePointer<Float>, count: Int, indices: UnsafePointer<Int32>, weights: UnsafePointer<Float>,
    entries: Range<Int>, into output: UnsafeMutablePointer<Float>
) {
    guard !entries.isEmpty else {
        output.update(repeating: 0, count: count)
        return
    }
    var entry = entries.lowerBound
    var first = true
    while entry < entries.upperBound {
        let group = min(4, entries.upperBound - entry)
        // Missing members of a short group repeat the first row with weight 0.
        let r0 = rows + Int(indices[entry]) * count
        let r1 = group > 1 ? rows + Int(indices[entry + 1]) * count : r0
        let r2 = group > 2 ? rows + Int(indices[entry + 2]) * count : r0
        let r3 = group > 3 ? rows + Int(indices[entry + 3]) * count : r0
        let w0 = weights[entry]
        let w1 = group > 1 ? weights[entry + 1] : 0
        let w2 = group > 2 ? weights[entry + 2] : 0
        let w3 = group > 3 ? weights[entry + 3] : 0
        if first {
            for index in 0..<count {
                output[index] = w0 * r0[index] + w1 * r1[index] + w2 * r2[index] + w3 * r3[index]
            }
        } else {
            for index in 0..<count {
                output[index] += w0 * r0[index] + w1 * r1[index] + w2 * r2[index] + w3 * r3[index]
            }
        }
        first = false
        entry += group
    }
}

/// output += scale · input.
@inline(__always)
func addScaled(_ input: UnsafePointer<Float>, scale: Float, count: Int, into output: UnsafeMutablePointer<Float>) {
    for index in 0..<count {
        output[index] += scale * input[index]
    }
}

/// Stable softmax of one row: exp(x − max) / Σ exp(x − max), so logits of any finite
/// size give finite probabilities that sum to 1.
func softmaxRow(_ logits: UnsafePointer<Float>, count: Int, into output: UnsafeMutablePointer<Float>) {
    var maximum = -Float.infinity
    for index in 0..<count {
        maximum = max(maximum, logits[index])
    }
    var sum: Float = 0
    for index in 0..<count {
        let value = expf(logits[index] - maximum)
        output[index] = value
        sum += value
    }
    let scale = 1 / sum
    for index in 0..<count {
        output[index] *= scale
    }
}

/// log Σ exp(x), computed as max + log Σ exp(x − max).
func logSumExp(_ values: UnsafePointer<Float>, count: Int) -> Float {
    var maximum = -Float.infinity
    for index in 0..<count {
        maximum = max(maximum, values[index])
    }
    var sum: Float = 0
    for index in 0..<count {
        sum += expf(values[index] - maximum)
    }
    return maximum + logf(sum)
}

/// Stable softmax of a row of logits.
public func softmax(_ logits: [Float]) -> [Float] {
    guard !logits.isEmpty else { return [] }
    var result = [Float](repeating: 0, count: logits.count)
    logits.withUnsafeBufferPointer { input in
        result.withUnsafeMutableBufferPointer { output in
            softmaxRow(input.baseAddress!, count: input.count, into: output.baseAddress!)
        }
    }
    return result
}

/// Cross-entropy −log softmax(logits)[label], computed with log-sum-exp.
public func crossEntropy(logits: [Float], label: Int) -> Float {
    precondition(logits.indices.contains(label), "label \(label) outside 0..<\(logits.count)")
    return logits.withUnsafeBufferPointer { input in
        logSumExp(input.baseAddress!, count: input.count) - input[label]
    }
}

@inline(__always)
func blasInt(_ value: Int) -> blasint {
    blasint(value)
}
