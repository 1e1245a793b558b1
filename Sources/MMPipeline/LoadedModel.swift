import Foundation
import MMCore
import MMModel

/// A model with the fingerprint of the file it came from.
struct LoadedModel: Sendable {
    let model: FusionModel
    let url: URL
    /// Hash of the weight file's bytes, recorded with every run.
    let fingerprint: String

    static func load(_ url: URL) throws -> LoadedModel {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw PipelineError.modelMissing(path: url.path)
        }
        let model = try FusionModel.load(from: url)
        return LoadedModel(model: model, url: url, fingerprint: try fileFingerprint(url))
    }
}

/// The hex `Hash64` of a file's bytes.
func fileFingerprint(_ url: URL) throws -> String {
    guard let data = FileManager.default.contents(atPath: url.path) else {
        throw PipelineError.unreadableFile(path: url.path, reason: String(cString: strerror(errno)))
    }
    var hash = Hash64()
    data.withUnsafeBytes { hash.update($0) }
    return hash.hexDigest()
}

extension BatchRunner {
    func loadModel() throws -> LoadedModel {
        let model = try LoadedModel.load(options.modelPath)
        Log.info(Message("pipeline.model.loaded"), [
            "path": options.modelPath.path, "variant": model.model.variant.rawValue,
            "fingerprint": model.fingerprint, "genres": model.model.genres.count,
        ])
        return model
    }
}
