import Foundation
import MMCore
import MMTestSupport
import Testing

@testable import MMModel

@Suite struct VerificationTests {
    // Forward outputs of PyTorch float32 and of this implementation differ only by
    // summation order, far below the 1e-4 absolute tolerance of the reference sets.
    @Test(arguments: ["seed-concat", "mini-concat", "seed-attention", "mini-attention"])
    func referenceSetPasses(name: String) throws {
        let fixture = try ParityFixture(name)
        let result = try ModelVerification.verify(
            weights: fixture.weightsURL, inputs: fixture.inputsURL, expected: fixture.expectedURL)
        let names = result.comparisons.map(\.name)
        #expect(names == ["fused", "logits", "probabilities", "score", "loss"])
        for comparison in result.comparisons {
            print("\(name) \(comparison.name): max abs error \(comparison.maximumAbsoluteError)")
            #expect(comparison.passed, "\(name) \(comparison.name): \(comparison.maximumAbsoluteError)")
        }
        #expect(result.passed)
    }

    @Test func mismatchFails() throws {
        let fixture = try ParityFixture("mini-concat")
        let folder = TemporaryDirectory("verify")
        var changed = fixture.model
        changed.parameters[changed.layout.tensor(named: "classifier.bias")!.offset] += 0.01
        let weights = folder.path("changed.safetensors")
        try changed.save(to: weights)

        let result = try ModelVerification.verify(weights: weights, inputs: fixture.inputsURL, expected: fixture.expectedURL)
        #expect(!result.passed)
        let logits = try #require(result.comparisons.first { $0.name == "logits" })
        #expect(!logits.passed)
        #expect(abs(logits.maximumAbsoluteError - 0.01) < 1e-4)
        let fused = try #require(result.comparisons.first { $0.name == "fused" })
        #expect(fused.passed)
        let lines = result.messages.map { $0.text(in: .english) }
        #expect(lines.count == result.comparisons.count + 1)
        #expect(lines.contains { $0.hasPrefix("logits: max absolute error") && $0.hasSuffix("FAIL") })
        #expect(lines.last?.contains("exceed the tolerance") == true)
    }

    @Test func inputsOfOtherDimensionsRejected() throws {
        let concat = try ParityFixture("mini-concat")
        let seedInputs = try SharedData.require("parity/seed-concat.inputs.safetensors")
        let error = try #require(throws: ModelError.self) {
            try ModelVerification.verify(weights: concat.weightsURL, inputs: seedInputs, expected: concat.expectedURL)
        }
        #expect(error.message.key == "model.verify.inputShape")
        #expect(error.exitCode == .badInput)
        #expect(error.message.text(in: .english).contains("[B, 64]"))
    }

    @Test func expectedWithoutOutputsRejected() throws {
        let fixture = try ParityFixture("mini-concat")
        let folder = TemporaryDirectory("verify-empty")
        let empty = folder.path("empty.safetensors")
        try SafetensorsWriter.write([NamedTensor(name: "other", shape: [1], values: [0])], metadata: [:], to: empty)
        let error = try #require(throws: ModelError.self) {
            try ModelVerification.verify(weights: fixture.weightsURL, inputs: fixture.inputsURL, expected: empty)
        }
        #expect(error.message.key == "model.verify.nothingToCompare")
    }

    @Test func paddedInputsBecomeDistinctTracks() throws {
        let fixture = try ParityFixture("mini-attention")
        let batch = fixture.inputs.batch
        // User 0 and 3 have all 6 tracks, user 1 the first 3, user 2 none.
        #expect(batch.userCount == 4)
        #expect(batch.trackOffsets == [0, 6, 9, 9, 15])
        #expect(batch.trackCount == 15)
        #expect(batch.trackIndices == (0..<15).map(Int32.init))
        #expect(batch.covers.count == 15 * 96)
        #expect(fixture.labels.count == 4)
    }
}
