import Foundation
import MMCore

/// A multimodal fusion classifier: its layout, its parameters in one flat vector, the
/// genre names of its outputs and the metadata of its weight file.
///
/// Layers (`Linear(n, m)` holds `weight` [m, n] and `bias` [m] and computes x Wᵀ + b):
/// `text_fc` (T→H), `image_fc` (I→H), `audio_fc` (A→H), in the attention variant
/// `image_attn.{query,key,value}` and `audio_attn.{query,key,value}` (H→H each),
/// `fusion_fc` (k·H→H), `classifier` (H→G) and `regressor` (H→1). A modality of size 0
/// has no layers, and `fusion_fc` then takes the modalities it has in the order t, i, a.
///
/// The value is immutable during inference, so threads may share one model while each
/// uses its own `ForwardWorkspace`.
public struct FusionModel: Sendable {
    public let layout: ParameterLayout
    /// Every parameter, laid out as `layout.tensors` describes.
    public var parameters: [Float]
    /// The G genre names, in output order.
    public var genres: [String]
    public var columns: FeatureColumns
    /// Metadata other than the keys that describe the architecture, genres and columns
    /// (for example the training fingerprint, options, epochs and metrics).
    public var metadata: [String: String]

    public var variant: ModelVariant { layout.variant }
    public var dimensions: ModelDimensions { layout.dimensions }

    /// Metadata keys that `save` always writes from the model itself.
    public static let architectureKeys: Set<String> = [
        "model", "text_dim", "image_dim", "audio_dim", "hidden_dim", "genres",
        "columns.text", "columns.image", "columns.audio",
    ]

    public init(
        variant: ModelVariant, dimensions: ModelDimensions, genres: [String], parameters: [Float],
        columns: FeatureColumns = FeatureColumns(), metadata: [String: String] = [:]
    ) {
        let layout = ParameterLayout(variant: variant, dimensions: dimensions)
        precondition(
            parameters.count == layout.parameterCount,
            "\(parameters.count) parameters for a layout of \(layout.parameterCount)")
        precondition(genres.count == dimensions.genres, "\(genres.count) genre names for G=\(dimensions.genres)")
        self.layout = layout
        self.parameters = parameters
        self.genres = genres
        self.columns = columns
        self.metadata = metadata.filter { !Self.architectureKeys.contains($0.key) }
    }

    /// A model initialised as PyTorch's `nn.Linear` does: every weight and bias uniform in
    /// ±1/sqrt(fan_in), drawn from `random` layer by layer in forward order.
    public static func initialised(
        variant: ModelVariant, dimensions: ModelDimensions, genres: [String], random: inout SeededRandom
    ) -> FusionModel {
        let layout = ParameterLayout(variant: variant, dimensions: dimensions)
        var parameters = [Float](repeating: 0, count: layout.parameterCount)
        for layer in layout.layers {
            let bound = 1 / Float(layer.inputs).squareRoot()
            for index in 0..<(layer.outputs * layer.inputs) {
                parameters[layer.weightOffset + index] = random.uniform(-bound, bound)
            }
            for index in 0..<layer.outputs {
                parameters[layer.biasOffset + index] = random.uniform(-bound, bound)
            }
        }
        return FusionModel(variant: variant, dimensions: dimensions, genres: genres, parameters: parameters)
    }

    /// The values of one parameter tensor, by its `state_dict` name.
    public func tensor(named name: String) -> [Float]? {
        guard let tensor = layout.tensor(named: name) else { return nil }
        return Array(parameters[tensor.offset..<(tensor.offset + tensor.count)])
    }

    // MARK: - Saving

    /// The full metadata that `save` writes: `metadata`, then `extra`, then the
    /// architecture keys (`model`, the dimensions, `genres`, `columns.*`), which always
    /// describe the model itself and so override the same keys in the other two.
    public func fileMetadata(adding extra: [String: String] = [:]) -> [String: String] {
        var result = metadata
        for (key, value) in extra {
            result[key] = value
        }
        result["model"] = variant.rawValue
        result["text_dim"] = String(dimensions.text)
        result["image_dim"] = String(dimensions.image)
        result["audio_dim"] = String(dimensions.audio)
        result["hidden_dim"] = String(dimensions.hidden)
        result["genres"] = genres.joined(separator: ",")
        for (key, names) in [("columns.text", columns.text), ("columns.image", columns.image), ("columns.audio", columns.audio)] {
            result[key] = names?.joined(separator: ",")
        }
        return result
    }

    /// The weight file's bytes: F32 tensors by `state_dict` name, deterministic for the
    /// same parameters and metadata.
    public func encoded(metadata extra: [String: String] = [:]) -> [UInt8] {
        let tensors = layout.tensors.map { tensor in
            NamedTensor(
                name: tensor.name, shape: tensor.shape,
                values: Array(parameters[tensor.offset..<(tensor.offset + tensor.count)]))
        }
        return SafetensorsWriter.encode(tensors, metadata: fileMetadata(adding: extra))
    }

    /// Writes the model as a safetensors weight file, atomically.
    public func save(to url: URL, metadata extra: [String: String] = [:]) throws(OutputError) {
        try AtomicFile.write(bytes: encoded(metadata: extra), to: url)
    }
}
