import Foundation
import MMCore

/// A padded reference batch as PyTorch scripts write it, converted to a `ModelBatch`.
///
/// The file contains `text` [B,T], `covers` [B,N,I], `clips` [B,N,A], `mask` [B,N]
/// (1 = a real track, 0 = padding) and `plays` [B,N], plus optional `genre` [B] and
/// `engagement` [B] targets. Every real track becomes its own distinct track.
public struct ReferenceInputs: Sendable {
    public var batch: ModelBatch
    public var labels: [Int]?
    public var engagement: [Float]?

    public init(file: SafetensorsFile, dimensions: ModelDimensions) throws(ModelError) {
        let path = file.path
        func shapeError(_ name: String, _ expected: String) -> ModelError {
            ModelError("model.verify.inputShape", [
                "path": path, "tensor": name,
                "shape": describeShape(file.tensors[name]?.shape ?? []), "expected": expected,
            ])
        }
        func required(_ name: String) throws(ModelError) -> [Float] {
            guard let values = try file.floats(name) else {
                throw ModelError("model.verify.missingInput", ["path": path, "tensor": name])
            }
            return values
        }

        let text = try required("text")
        let textShape = file.tensors["text"]!.shape
        guard textShape.count == 2, textShape[1] == dimensions.text, textShape[0] > 0 else {
            throw shapeError("text", "[B, \(dimensions.text)]")
        }
        let users = textShape[0]

        var entriesPerUser: [[Int]] = Array(repeating: [], count: users)
        var slots = 0
        var plays: [Float] = []
        if dimensions.usesImage || dimensions.usesAudio {
            let mask = try required("mask")
            guard let maskShape = file.tensors["mask"]?.shape, maskShape.count == 2, maskShape[0] == users else {
                throw shapeError("mask", "[\(users), N]")
            }
            slots = maskShape[1]
            plays = try required("plays")
            guard file.tensors["plays"]!.shape == maskShape else {
                throw shapeError("plays", describeShape(maskShape))
            }
            for user in 0..<users {
                for slot in 0..<slots where mask[user * slots + slot] > 0 {
                    let count = plays[user * slots + slot]
                    guard count > 0, count.isFinite else {
                        throw ModelError("model.verify.plays", [
                            "path": path, "user": "\(user)", "track": "\(slot)", "value": "\(count)",
                        ])
                    }
                    entriesPerUser[user].append(slot)
                }
            }
        }

        var batch = ModelBatch()
        batch.userCount = users
        batch.text = text
        for modality in Modality.allCases where dimensions.inputs(of: modality) > 0 {
            let name = modality == .image ? "covers" : "clips"
            let width = dimensions.inputs(of: modality)
            let values = try required(name)
            guard file.tensors[name]!.shape == [users, slots, width] else {
                throw shapeError(name, "[\(users), \(slots), \(width)]")
            }
            var rows: [Float] = []
            for (user, entries) in entriesPerUser.enumerated() {
                for slot in entries {
                    let start = (user * slots + slot) * width
                    rows.append(contentsOf: values[start..<(start + width)])
                }
            }
            if modality == .image { batch.covers = rows } else { batch.clips = rows }
        }
        for (user, entries) in entriesPerUser.enumerated() {
            for slot in entries {
                batch.trackIndices.append(Int32(batch.trackIndices.count))
                batch.plays.append(plays[user * slots + slot])
            }
            batch.trackOffsets.append(Int32(batch.trackIndices.count))
        }
        batch.trackCount = batch.trackIndices.count
        self.batch = batch

        labels = try file.integers("genre")
        if let labels {
            guard labels.count == users else { throw shapeError("genre", "[\(users)]") }
            if let bad = labels.first(where: { !(0..<dimensions.genres).contains($0) }) {
                throw ModelError("model.verify.label", [
                    "path": path, "value": "\(bad)", "count": "\(dimensions.genres)",
                ])
            }
        }
        engagement = try file.floats("engagement")
        if let engagement, engagement.count != users {
            throw shapeError("engagement", "[\(users)]")
        }
    }
}

/// The comparison of one output tensor with its reference.
public struct TensorComparison: Sendable, Equatable {
    public var name: String
    public var shape: [Int]
    /// The largest |ours − reference|; infinity when either side is NaN or infinite.
    public var maximumAbsoluteError: Float
    public var passed: Bool
}

/// The result of comparing a model's outputs with reference tensors.
public struct VerificationResult: Sendable, Equatable {
    public var tolerance: Float
    public var comparisons: [TensorComparison]
    public var passed: Bool { !comparisons.isEmpty && comparisons.allSatisfy(\.passed) }

    /// One catalogue message per compared tensor, then a summary line.
    public var messages: [Message] {
        var lines = comparisons.map { comparison in
            Message("model.verify.tensor", [
                "tensor": comparison.name, "error": "\(comparison.maximumAbsoluteError)", "tolerance": "\(tolerance)",
                "status": localized(comparison.passed ? "model.verify.pass" : "model.verify.fail"),
            ])
        }
        let failed = comparisons.filter { !$0.passed }.count
        lines.append(
            failed == 0
                ? Message("model.verify.summaryPassed", ["count": "\(comparisons.count)"])
                : Message("model.verify.summaryFailed", ["failed": "\(failed)", "count": "\(comparisons.count)"]))
        return lines
    }
}

/// The comparison behind `mmbatch model verify`.
public enum ModelVerification {
    /// The output tensors compared, when the expected file has them.
    public static let comparedTensors = ["fused", "logits", "probabilities", "score", "loss"]

    /// Loads the weights (variant and dimensions from their metadata) and runs the forward
    /// pass on the padded inputs. Then it compares each of `fused`, `logits`,
    /// `probabilities`, `score` (the engagement head) and `loss` that `expected` contains;
    /// `loss` needs `genre` and `engagement` targets in the inputs. A tensor passes when
    /// its maximum absolute error is at most `tolerance`.
    public static func verify(
        weights: URL, inputs: URL, expected: URL, tolerance: Float = 1e-4
    ) throws(ModelError) -> VerificationResult {
        let model = try FusionModel.load(from: weights)
        let inputFile = try SafetensorsFile.read(from: inputs)
        let reference = try ReferenceInputs(file: inputFile, dimensions: model.dimensions)
        let expectedFile = try SafetensorsFile.read(from: expected)

        let output = model.forward(reference.batch, workspace: ForwardWorkspace())
        let users = output.userCount
        let hidden = model.dimensions.hidden
        let genres = model.dimensions.genres
        var candidates: [(name: String, values: [Float], shapes: [[Int]])] = [
            ("fused", output.fused, [[users, hidden]]),
            ("logits", output.logits, [[users, genres]]),
            ("probabilities", output.probabilities, [[users, genres]]),
            ("score", output.engagement, [[users], [users, 1]]),
        ]
        if let labels = reference.labels, let targets = reference.engagement {
            let loss = trainingLoss(output: output, labels: labels, engagementTargets: targets.map { $0 })
            candidates.append(("loss", [Float(loss.total)], [[1], []]))
        }

        var comparisons: [TensorComparison] = []
        for candidate in candidates {
            guard let entry = expectedFile.tensors[candidate.name],
                let values = try expectedFile.floats(candidate.name)
            else { continue }
            guard candidate.shapes.contains(entry.shape) else {
                throw ModelError("model.verify.expectedShape", [
                    "path": expectedFile.path, "tensor": candidate.name, "shape": describeShape(entry.shape),
                    "expected": describeShape(candidate.shapes[0]),
                ])
            }
            let error = maximumAbsoluteError(candidate.values, values)
            comparisons.append(
                TensorComparison(
                    name: candidate.name, shape: entry.shape, maximumAbsoluteError: error, passed: error <= tolerance))
        }
        guard !comparisons.isEmpty else {
            throw ModelError("model.verify.nothingToCompare", ["path": expectedFile.path])
        }
        return VerificationResult(tolerance: tolerance, comparisons: comparisons)
    }

    static func maximumAbsoluteError(_ ours: [Float], _ reference: [Float]) -> Float {
        var largest: Float = 0
        for (value, expected) in zip(ours, reference) {
            let difference = abs(value - expected)
            guard difference.isFinite else { return .infinity }
            largest = max(largest, difference)
        }
        return largest
    }
}
