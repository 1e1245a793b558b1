import COpenBLAS
import MMCore

extension ModelDimensions {
    /// The row counts and shapes of every layer product of one forward pass over a batch:
    /// per-user layers run on `users` rows, and the attention variant's track layers
    /// (input layer, key, value) on `distinctTracks` rows.
    func layerProducts(variant: ModelVariant, users: Int, distinctTracks: Int) -> [(rows: Int, inputs: Int, outputs: Int)] {
        var products = [(rows: users, inputs: text, outputs: hidden)]
        for modality in Modality.allCases where inputs(of: modality) > 0 {
            switch variant {
            case .concat:
                products.append((users, inputs(of: modality), hidden))
            case .attention:
                products.append((distinctTracks, inputs(of: modality), hidden))
                products.append((distinctTracks, hidden, hidden))
                products.append((distinctTracks, hidden, hidden))
                products.append((users, hidden, hidden))
            }
        }
        products.append((users, fusionInputs, hidden))
        products.append((users, hidden, genres))
        products.append((users, hidden, 1))
        return products
    }

    /// Floating-point operations of the layer products (2 per multiply-add) of one forward
    /// pass over a batch. Pooling, attention scores, softmax, bias and ReLU are not
    /// counted, so the figure compares directly with an sgemm rate.
    public func forwardFLOPs(variant: ModelVariant, users: Int, distinctTracks: Int) -> Double {
        layerProducts(variant: variant, users: users, distinctTracks: distinctTracks)
            .reduce(0) { $0 + 2 * Double($1.rows) * Double($1.inputs) * Double($1.outputs) }
    }

    /// The layer FLOPs of the forward pass per user, for users whose tracks are not shared
    /// with other users of the batch (the attention variant's track layers then run once
    /// per entry). At the reference sizes a concat user costs 3.42 MFLOP.
    public func forwardFLOPsPerUser(variant: ModelVariant, tracksPerUser: Int = 32) -> Double {
        forwardFLOPs(variant: variant, users: 1, distinctTracks: variant == .attention ? tracksPerUser : 0)
    }
}

/// Measures this process's `cblas_sgemm` rate in GFLOP/s at the layer shapes of one
/// forward pass over `batchSize` users: the same transposes, row counts and sizes as the
/// model's layers, repeated for about `seconds`, under the current BLAS thread setting.
///
/// The forward pass's own rate, computed with `forwardFLOPs`, divided by this figure
/// shows how much time goes to work that is not matrix multiplication. For the
/// attention variant the track layers run on batchSize × tracksPerUser rows.
public func sgemmPeak(
    dimensions: ModelDimensions, batchSize: Int, seconds: Double, variant: ModelVariant = .concat,
    tracksPerUser: Int = 32
) -> Double {
    precondition(batchSize > 0 && seconds >= 0, "sgemmPeak needs a positive batch size, got \(batchSize)")
    let products = dimensions.layerProducts(
        variant: variant, users: batchSize, distinctTracks: batchSize * tracksPerUser)
    var random = SeededRandom(seed: 1, stream: "sgemm-peak")
    let operands = products.map { product in
        (
            input: (0..<(product.rows * product.inputs)).map { _ in random.uniform(-1, 1) },
            weight: (0..<(product.outputs * product.inputs)).map { _ in random.uniform(-1, 1) },
            output: [Float](repeating: 0, count: product.rows * product.outputs)
        )
    }
    let flopsPerPass = products.reduce(0) { $0 + 2 * Double($1.rows) * Double($1.inputs) * Double($1.outputs) }

    var mutableOperands = operands
    func runPass() {
        for index in products.indices {
            let product = products[index]
            mutableOperands[index].input.withUnsafeBufferPointer { input in
                mutableOperands[index].weight.withUnsafeBufferPointer { weight in
                    mutableOperands[index].output.withUnsafeMutableBufferPointer { output in
                        cblas_sgemm(
                            CblasRowMajor, CblasNoTrans, CblasTrans,
                            blasInt(product.rows), blasInt(product.outputs), blasInt(product.inputs),
                            1, input.baseAddress, blasInt(product.inputs),
                            weight.baseAddress, blasInt(product.inputs),
                            1, output.baseAddress, blasInt(product.outputs))
                    }
                }
            }
        }
    }

    runPass()
    var passes = 0
    let start = monotonicSeconds()
    var elapsed = 0.0
    repeat {
        runPass()
        passes += 1
        elapsed = monotonicSeconds() - start
    } while elapsed < seconds
    return flopsPerPass * Double(passes) / elapsed / 1e9
}
