import Foundation
import MMCore

extension FusionModel {
    /// Loads a weight file: the variant and dimensions come from its metadata, and every
    /// tensor must exist with the shape those imply. A file with tensors of another
    /// variant or of an unused modality, non-finite values, or `columns.*` whose count
    /// differs from the dimension is rejected.
    public static func load(from url: URL) throws(ModelError) -> FusionModel {
        let file = try SafetensorsFile.read(from: url)
        return try FusionModel(file: file)
    }

    /// Builds a model from an already read safetensors file.
    public init(file: SafetensorsFile) throws(ModelError) {
        let path = file.path
        let metadata = file.metadata
        let variant = try Self.readVariant(metadata, path: path)
        let genres = try Self.readGenres(metadata, path: path)
        let dimensions = ModelDimensions(
            text: try Self.readDimension("text_dim", metadata, path: path, minimum: 1),
            image: try Self.readDimension("image_dim", metadata, path: path, minimum: 0),
            audio: try Self.readDimension("audio_dim", metadata, path: path, minimum: 0),
            hidden: try Self.readDimension("hidden_dim", metadata, path: path, minimum: 1),
            genres: genres.count)
        let layout = ParameterLayout(variant: variant, dimensions: dimensions)
        let parameters = try Self.readParameters(file, layout: layout)
        let columns = try Self.readColumns(metadata, dimensions: dimensions, path: path)

        self.init(
            variant: variant, dimensions: dimensions, genres: genres, parameters: parameters,
            columns: columns, metadata: metadata)
    }

    private static func readVariant(_ metadata: [String: String], path: String) throws(ModelError) -> ModelVariant {
        guard let name = metadata["model"] else {
            throw ModelError("model.metadata.missing", ["path": path, "key": "model"])
        }
        guard let variant = ModelVariant(rawValue: name) else {
            throw ModelError(
                "model.metadata.invalid",
                ["path": path, "key": "model", "value": name, "expected": "concat | attention"])
        }
        return variant
    }

    private static func readGenres(_ metadata: [String: String], path: String) throws(ModelError) -> [String] {
        guard let list = metadata["genres"] else {
            throw ModelError("model.metadata.missing", ["path": path, "key": "genres"])
        }
        let genres = list.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let valid = !genres.isEmpty && !genres.contains { $0.isEmpty } && Set(genres).count == genres.count
        guard valid else {
            throw ModelError("model.metadata.genres", ["path": path, "value": list])
        }
        return genres
    }

    private static func readDimension(
        _ key: String, _ metadata: [String: String], path: String, minimum: Int
    ) throws(ModelError) -> Int {
        guard let text = metadata[key] else {
            throw ModelError("model.metadata.missing", ["path": path, "key": key])
        }
        guard let value = Int(text), value >= minimum, value <= 1 << 20 else {
            throw ModelError(
                "model.metadata.invalid",
                ["path": path, "key": key, "value": text, "expected": "\(minimum)…\(1 << 20)"])
        }
        return value
    }

    /// Copies every tensor into the flat vector after checking names, shapes and values.
    private static func readParameters(_ file: SafetensorsFile, layout: ParameterLayout) throws(ModelError) -> [Float] {
        let path = file.path
        let expectedNames = Set(layout.tensors.map(\.name))
        if let unexpected = file.tensors.keys.sorted().first(where: { !expectedNames.contains($0) }) {
            throw ModelError(
                "model.tensor.unexpected",
                ["path": path, "tensor": unexpected, "variant": layout.variant.rawValue, "dims": describe(layout.dimensions)])
        }

        var parameters = [Float](repeating: 0, count: layout.parameterCount)
        for tensor in layout.tensors {
            guard let entry = file.tensors[tensor.name], let values = try file.floats(tensor.name) else {
                throw ModelError(
                    "model.tensor.missing",
                    ["path": path, "tensor": tensor.name, "variant": layout.variant.rawValue, "dims": describe(layout.dimensions)])
            }
            guard entry.shape == tensor.shape else {
                throw ModelError(
                    "model.tensor.shape",
                    ["path": path, "tensor": tensor.name, "shape": describeShape(entry.shape),
                     "expected": describeShape(tensor.shape), "dims": describe(layout.dimensions)])
            }
            if let index = values.firstIndex(where: { !$0.isFinite }) {
                throw ModelError(
                    "model.tensor.nonFinite",
                    ["path": path, "tensor": tensor.name, "index": "\(index)", "value": "\(values[index])"])
            }
            parameters.replaceSubrange(tensor.offset..<(tensor.offset + tensor.count), with: values)
        }
        return parameters
    }

    private static func readColumns(
        _ metadata: [String: String], dimensions: ModelDimensions, path: String
    ) throws(ModelError) -> FeatureColumns {
        func names(_ key: String, dimension: Int) throws(ModelError) -> [String]? {
            guard let list = metadata[key], !list.isEmpty else { return nil }
            let names = list.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard names.count == dimension else {
                throw ModelError(
                    "model.columns.count",
                    ["path": path, "key": key, "count": "\(names.count)", "dimension": "\(dimension)"])
            }
            return names
        }
        return FeatureColumns(
            text: try names("columns.text", dimension: dimensions.text),
            image: try names("columns.image", dimension: dimensions.image),
            audio: try names("columns.audio", dimension: dimensions.audio))
    }

    static func describe(_ dimensions: ModelDimensions) -> String {
        "T=\(dimensions.text) I=\(dimensions.image) A=\(dimensions.audio) H=\(dimensions.hidden) G=\(dimensions.genres)"
    }
}
