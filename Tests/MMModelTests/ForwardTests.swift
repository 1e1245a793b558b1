import Foundation
import MMCore
import Testing

@testable import MMModel

/// Builds a random batch for `dimensions`: `tracksPerUser[b]` entries for user b, drawn from
/// `distinctTracks` shared tracks.
func randomBatch(
    for dimensions: ModelDimensions, tracksPerUser: [Int], distinctTracks: Int, seed: UInt64 = 7
) -> ModelBatch {
    var random = SeededRandom(seed: seed)
    var batch = ModelBatch()
    batch.userCount = tracksPerUser.count
    batch.text = (0..<(tracksPerUser.count * dimensions.text)).map { _ in Float(random.normal()) }
    batch.trackCount = distinctTracks
    batch.covers = (0..<(distinctTracks * dimensions.image)).map { _ in Float(random.normal()) }
    batch.clips = (0..<(distinctTracks * dimensions.audio)).map { _ in Float(random.normal()) }
    for count in tracksPerUser {
        for _ in 0..<count {
            batch.trackIndices.append(Int32(random.index(below: distinctTracks)))
            batch.plays.append(Float(1 + random.index(below: 40)))
        }
        batch.trackOffsets.append(Int32(batch.trackIndices.count))
    }
    return batch
}

/// Extracts one user of `batch` as its own batch, with only that user's tracks.
func singleUserBatch(_ batch: ModelBatch, user: Int, dimensions: ModelDimensions) -> ModelBatch {
    var single = ModelBatch()
    single.userCount = 1
    single.text = Array(batch.text[(user * dimensions.text)..<((user + 1) * dimensions.text)])
    let entries = Int(batch.trackOffsets[user])..<Int(batch.trackOffsets[user + 1])
    for entry in entries {
        let track = Int(batch.trackIndices[entry])
        single.covers += batch.covers[(track * dimensions.image)..<((track + 1) * dimensions.image)]
        single.clips += batch.clips[(track * dimensions.audio)..<((track + 1) * dimensions.audio)]
        single.trackIndices.append(Int32(single.trackCount))
        single.plays.append(batch.plays[entry])
        single.trackCount += 1
    }
    single.trackOffsets.append(Int32(single.trackIndices.count))
    return single
}

@Suite struct ForwardTests {
    // Sharing distinct tracks and batching users change only summation order in BLAS,
    // so each user's outputs agree with its own single-user batch to float32 rounding.
    @Test(arguments: ModelVariant.allCases)
    func batchedMatchesSingleUsers(variant: ModelVariant) {
        let model = smallModel(variant, text: 12, image: 10, audio: 6, hidden: 16, genres: 5)
        let batch = randomBatch(for: model.dimensions, tracksPerUser: [3, 0, 5, 1, 4], distinctTracks: 6)
        let workspace = ForwardWorkspace()
        let output = model.forward(batch, workspace: workspace)
        #expect(output.userCount == 5)
        #expect(output.nonFiniteUsers.isEmpty)

        for user in 0..<batch.userCount {
            let single = model.forward(singleUserBatch(batch, user: user, dimensions: model.dimensions), workspace: workspace)
            expectClose(Array(output.logits(ofUser: user)), single.logits, relative: 1e-5, absolute: 1e-5, "logits of user \(user)")
            expectClose(Array(output.fused(ofUser: user)), single.fused, relative: 1e-5, absolute: 1e-5, "fused of user \(user)")
            expectClose([output.engagement[user]], single.engagement, relative: 1e-5, absolute: 1e-5, "engagement of user \(user)")
        }
    }

    @Test func concatUserWithoutTracksPoolsZero() {
        let model = smallModel(.concat)
        var batch = randomBatch(for: model.dimensions, tracksPerUser: [0], distinctTracks: 2)
        let withoutTracks = model.forward(batch, workspace: ForwardWorkspace())
        // Tracks with all-zero rows pool to the same zero vector.
        batch.covers = Array(repeating: 0, count: batch.covers.count)
        batch.clips = Array(repeating: 0, count: batch.clips.count)
        batch.trackIndices = [0, 1]
        batch.plays = [3, 5]
        batch.trackOffsets = [0, 2]
        let zeroRows = model.forward(batch, workspace: ForwardWorkspace())
        #expect(withoutTracks.logits == zeroRows.logits)
    }

    @Test func concatWeightsByPlays() {
        let model = smallModel(.concat)
        // Tracks 0 and 1 played 1 and 3 times pool like one row 0.25·r0 + 0.75·r1.
        let batch = randomBatch(for: model.dimensions, tracksPerUser: [2], distinctTracks: 2)
        var weighted = batch
        weighted.trackIndices = [0, 1]
        weighted.plays = [1, 3]
        var pooled = batch
        pooled.trackCount = 1
        pooled.covers = (0..<5).map { 0.25 * batch.covers[$0] + 0.75 * batch.covers[5 + $0] }
        pooled.clips = (0..<4).map { 0.25 * batch.clips[$0] + 0.75 * batch.clips[4 + $0] }
        pooled.trackIndices = [0]
        pooled.plays = [9]
        pooled.trackOffsets = [0, 1]
        let workspace = ForwardWorkspace()
        expectClose(
            model.forward(weighted, workspace: workspace).logits, model.forward(pooled, workspace: workspace).logits,
            relative: 1e-5, absolute: 1e-6, "pooled logits")
    }

    @Test func attentionIgnoresPlaysAndOrder() {
        let model = smallModel(.attention)
        let batch = randomBatch(for: model.dimensions, tracksPerUser: [4], distinctTracks: 5)
        var changed = batch
        changed.plays = [100, 1, 1, 7]
        changed.trackIndices = batch.trackIndices.reversed()
        let workspace = ForwardWorkspace()
        expectClose(
            model.forward(batch, workspace: workspace).logits, model.forward(changed, workspace: workspace).logits,
            relative: 1e-5, absolute: 1e-6, "attention logits")
    }

    @Test func nonFiniteUserReported() {
        let model = smallModel(.attention)
        var batch = randomBatch(for: model.dimensions, tracksPerUser: [2, 2, 0], distinctTracks: 3)
        batch.text[model.dimensions.text + 1] = .nan
        let output = model.forward(batch, workspace: ForwardWorkspace())
        #expect(output.nonFiniteUsers == [1])
        #expect(output.isFinite(user: 0))
        #expect(!output.isFinite(user: 1))
        #expect(output.probabilities(ofUser: 2).allSatisfy { $0.isFinite })
    }

    @Test func emptyBatchGivesEmptyOutput() {
        let model = smallModel(.concat)
        let output = model.forward(ModelBatch(), workspace: ForwardWorkspace())
        #expect(output.userCount == 0)
        #expect(output.logits.isEmpty)
    }

    @Test func outputStorageIsReused() {
        let model = smallModel(.concat)
        let batch = randomBatch(for: model.dimensions, tracksPerUser: [1, 2, 3], distinctTracks: 4)
        let workspace = ForwardWorkspace()
        var output = ModelOutput()
        model.forward(batch, workspace: workspace, into: &output)
        let first = output.probabilities
        model.forward(batch, workspace: workspace, into: &output)
        #expect(output.probabilities == first)
        #expect(output.probabilities.count == 9)
    }
}

@Suite struct NumericsTests {
    @Test func softmaxOfExtremeLogitsIsFinite() {
        let probabilities = softmax([1e4, -1e4, 0, 1e4])
        #expect(probabilities.allSatisfy { $0.isFinite })
        #expect(abs(probabilities.reduce(0, +) - 1) < 1e-6)
        #expect(probabilities == [0.5, 0, 0, 0.5])
        #expect(softmax([-1e4, -1e4]) == [0.5, 0.5])
    }

    @Test func crossEntropyOfExtremeLogitsIsFinite() {
        #expect(crossEntropy(logits: [1e4, -1e4], label: 0) == 0)
        #expect(crossEntropy(logits: [1e4, -1e4], label: 1) == 2e4)
        #expect(abs(crossEntropy(logits: [0, 0, 0, 0], label: 2) - log(4)) < 1e-6)
    }

    @Test func forwardWithHugeLogitsStaysFinite() {
        var model = smallModel(.concat)
        let bias = model.layout.tensor(named: "classifier.bias")!
        model.parameters[bias.offset] = 1e4
        model.parameters[bias.offset + 1] = -1e4
        let batch = randomBatch(for: model.dimensions, tracksPerUser: [1, 0], distinctTracks: 1)
        let output = model.forward(batch, workspace: ForwardWorkspace())
        #expect(output.nonFiniteUsers.isEmpty)
        for user in 0..<2 {
            let row = output.probabilities(ofUser: user)
            #expect(abs(row.reduce(0, +) - 1) < 1e-6)
            #expect(output.rankedGenres(ofUser: user).first?.index == 0)
        }
    }

    @Test func rankingBreaksTiesByIndex() {
        let ranked = rankedGenres([0.2, 0.3, 0.2, 0.3] as [Float])
        #expect(ranked.map(\.index) == [1, 3, 0, 2])
        #expect(ranked.map(\.probability) == [0.3, 0.3, 0.2, 0.2])
    }
}

extension BLASSettingTests {
    @Suite struct ConcurrentForward {
        // Each thread has its own workspace over one shared model; with one BLAS thread the
        // results are bit-identical to a serial run.
        @Test func concurrentForwardMatchesSerial() async {
            let model = smallModel(.attention, text: 32, image: 24, audio: 16, hidden: 32, genres: 6)
            let batches = (0..<8).map { index in
                randomBatch(for: model.dimensions, tracksPerUser: [3, 1, 0, 4], distinctTracks: 6, seed: UInt64(index))
            }
            let serial = batches.map { model.forward($0, workspace: ForwardWorkspace()).probabilities }
            let parallel = await withTaskGroup(of: (Int, [Float]).self) { group in
                for (index, batch) in batches.enumerated() {
                    group.addTask {
                        let workspace = ForwardWorkspace()
                        var result: [Float] = []
                        for _ in 0..<20 {
                            result = model.forward(batch, workspace: workspace).probabilities
                        }
                        return (index, result)
                    }
                }
                var results = [[Float]](repeating: [], count: batches.count)
                for await (index, result) in group {
                    results[index] = result
                }
                return results
            }
            #expect(parallel == serial)
        }
    }
}
