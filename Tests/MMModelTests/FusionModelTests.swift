import Foundation
import MMCore
import MMTestSupport
import Testing

@testable import MMModel

let tenGenres = ["blues", "classical", "country", "disco", "hiphop", "jazz", "metal", "pop", "reggae", "rock"]

/// Builds a small randomly initialised model for tests that need no reference values.
func smallModel(
    _ variant: ModelVariant, text: Int = 6, image: Int = 5, audio: Int = 4, hidden: Int = 8, genres: Int = 3,
    seed: UInt64 = 1
) -> FusionModel {
    var random = SeededRandom(seed: seed)
    return FusionModel.initialised(
        variant: variant, dimensions: ModelDimensions(text: text, image: image, audio: audio, hidden: hidden, genres: genres),
        genres: (0..<genres).map { "g\($0)" }, random: &random)
}

@Suite struct FusionModelTests {
    @Test func loadsReferenceWeights() throws {
        let url = try SharedData.require("parity/mini-attention.weights.safetensors")
        let model = try FusionModel.load(from: url)
        #expect(model.variant == .attention)
        #expect(model.dimensions == ModelDimensions(text: 64, image: 96, audio: 32, hidden: 48, genres: 10))
        #expect(model.genres == tenGenres)
        #expect(model.columns == FeatureColumns())
        #expect(model.metadata["torch"] == "2.15.0+cu132")
        #expect(model.tensor(named: "image_attn.query.weight")?.count == 48 * 48)
    }

    @Test func saveIsByteIdenticalAndReloads() throws {
        let folder = TemporaryDirectory("model-save")
        var model = try FusionModel.load(from: try SharedData.require("parity/mini-concat.weights.safetensors"))
        model.columns = FeatureColumns(
            text: (0..<64).map { "t\($0)" }, image: (0..<96).map { "i\($0)" }, audio: (0..<32).map { "a\($0)" })
        let first = folder.path("a.safetensors")
        let second = folder.path("b.safetensors")
        try model.save(to: first, metadata: ["training.epochs": "7"])
        try model.save(to: second, metadata: ["training.epochs": "7"])
        let firstBytes = try Data(contentsOf: first)
        #expect(firstBytes == (try Data(contentsOf: second)))

        let reloaded = try FusionModel.load(from: first)
        #expect(reloaded.parameters == model.parameters)
        #expect(reloaded.columns == model.columns)
        #expect(reloaded.metadata["training.epochs"] == "7")
        #expect(reloaded.metadata["torch"] == "2.15.0+cu132")
        #expect(reloaded.metadata["model"] == nil)
        #expect(reloaded.fileMetadata()["columns.image"]?.hasPrefix("i0,i1,") == true)
    }

    @Test func architectureKeysOverrideExtraMetadata() {
        let model = smallModel(.concat)
        let metadata = model.fileMetadata(adding: ["model": "attention", "hidden_dim": "99", "note": "x"])
        #expect(metadata["model"] == "concat")
        #expect(metadata["hidden_dim"] == "8")
        #expect(metadata["note"] == "x")
        #expect(metadata["columns.text"] == nil)
    }

    @Test func textOnlyLayout() {
        let layout = ParameterLayout(
            variant: .concat, dimensions: ModelDimensions(text: 57, image: 0, audio: 0, hidden: 16, genres: 10))
        #expect(layout.tensors.map(\.name) == [
            "classifier.bias", "classifier.weight", "fusion_fc.bias", "fusion_fc.weight",
            "regressor.bias", "regressor.weight", "text_fc.bias", "text_fc.weight",
        ])
        #expect(layout.tensor(named: "fusion_fc.weight")?.shape == [16, 16])
        #expect(layout.parameterCount == 10 * 16 + 10 + 16 * 16 + 16 + 16 + 1 + 16 * 57 + 16)
    }

    @Test func imageOnlyFusionTakesTwoBlocks() {
        let layout = ParameterLayout(
            variant: .attention, dimensions: ModelDimensions(text: 4, image: 0, audio: 3, hidden: 5, genres: 2))
        #expect(layout.tensor(named: "fusion_fc.weight")?.shape == [5, 10])
        #expect(layout.tensor(named: "audio_attn.key.weight")?.shape == [5, 5])
        #expect(layout.tensor(named: "image_fc.weight") == nil)
        #expect(layout.branches.map(\.fusionColumn) == [5])
    }

    @Test func initialisationIsBoundedByFanIn() {
        let model = smallModel(.attention, text: 100, hidden: 16)
        let textWeights = model.tensor(named: "text_fc.weight")!
        #expect(textWeights.allSatisfy { abs($0) <= 0.1 })
        #expect(textWeights.contains { abs($0) > 0.05 })
        let fusion = model.tensor(named: "fusion_fc.bias")!
        #expect(fusion.allSatisfy { abs($0) <= 1 / Float(48).squareRoot() })
        #expect(smallModel(.attention, text: 100, hidden: 16).parameters == model.parameters)
    }

    @Test(arguments: [
        ("shape", "model.tensor.shape"),
        ("missing", "model.tensor.missing"),
        ("unexpected", "model.tensor.unexpected"),
        ("nan", "model.tensor.nonFinite"),
        ("dimension", "model.metadata.invalid"),
        ("variant", "model.metadata.invalid"),
        ("nodim", "model.metadata.missing"),
        ("genres", "model.metadata.genres"),
        ("columns", "model.columns.count"),
    ])
    func invalidWeightFileRejected(kind: String, key: String) throws {
        let model = smallModel(.concat)
        var tensors = model.layout.tensors.map { tensor in
            NamedTensor(name: tensor.name, shape: tensor.shape, values: model.tensor(named: tensor.name)!)
        }
        var metadata = model.fileMetadata()
        switch kind {
        case "shape": tensors[0] = NamedTensor(name: tensors[0].name, shape: [1], values: [0])
        case "missing": tensors.removeLast()
        case "unexpected": tensors.append(NamedTensor(name: "image_attn.key.bias", shape: [8], values: Array(repeating: 0, count: 8)))
        case "nan": tensors[1].values[2] = .nan
        case "dimension": metadata["hidden_dim"] = "eight"
        case "variant": metadata["model"] = "transformer"
        case "nodim": metadata["audio_dim"] = nil
        case "genres": metadata["genres"] = "g0,,g2"
        default: metadata["columns.text"] = "a,b"
        }
        let folder = TemporaryDirectory("bad-model")
        let url = folder.path("bad.safetensors")
        try SafetensorsWriter.write(tensors, metadata: metadata, to: url)

        let error = try #require(throws: ModelError.self) { try FusionModel.load(from: url) }
        #expect(error.message.key == key)
        #expect(error.exitCode == .badInput)
        let text = error.message.text(in: .english)
        #expect(text.contains(url.path))
        #expect(!error.message.text(in: .chinese).isEmpty)
        if kind == "shape" {
            #expect(text.contains("audio_fc.bias has shape [1]"))
            #expect(text.contains("imply [8]"))
        }
    }
}
