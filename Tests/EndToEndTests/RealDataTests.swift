import Foundation
import MMTestSupport
import Testing

/// The command line on public reference data and PyTorch parity tensors.
@Suite(.serialized) struct RealDataTests {
    @Test func gtzanTableLoadsAsClipStore() throws {
        let table = try SharedData.require("datasets/gtzan-features/features_30_sec.csv")
        let folder = TemporaryDirectory("gtzan")
        let copy = folder.path("features_30_sec.csv")
        try FileManager.default.copyItem(at: table, to: copy)

        let output = try BuiltBinary.run([
            "features", "check", "--file", copy.path, "--id-column", "filename", "--ignore", "length,label",
        ])

        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("1,000") || output.stdout.contains("1000"))
        #expect(output.stdout.contains("57"))
    }

    @Test(arguments: ["seed-concat", "mini-concat", "seed-attention", "mini-attention"])
    func modelVerifyPassesParity(_ name: String) throws {
        let weights = try SharedData.require("parity/\(name).weights.safetensors")
        let inputs = try SharedData.require("parity/\(name).inputs.safetensors")
        let expected = try SharedData.require("parity/\(name).expected.safetensors")

        let output = try BuiltBinary.run([
            "model", "verify", "--weights", weights.path, "--inputs", inputs.path, "--expected", expected.path,
        ])

        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
        for tensor in ["fused", "logits", "probabilities", "score"] {
            #expect(output.stdout.contains(tensor))
        }
        #expect(output.stdout.contains("every tensor within 1e-04"))
    }

    @Test func modelVerifyFailsOnOtherReference() throws {
        let weights = try SharedData.require("parity/mini-concat.weights.safetensors")
        let inputs = try SharedData.require("parity/mini-concat.inputs.safetensors")
        let expected = try SharedData.require("parity/mini-attention.expected.safetensors")

        let output = try BuiltBinary.run([
            "model", "verify", "--weights", weights.path, "--inputs", inputs.path, "--expected", expected.path,
        ])

        #expect(output.status == 1)
        #expect(output.stdout.contains("FAILED"))
    }
}
