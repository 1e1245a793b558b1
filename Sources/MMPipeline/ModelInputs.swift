import Foundation
import MMCore
import MMFeatures
import MMModel

/// The catalogue's stores lined up with what a model expects: the same columns in the
/// same order for every modality the model uses.
struct ModelInputs: Sendable {
    let history: FeatureStore
    let covers: FeatureStore?
    let clips: FeatureStore?
    /// The per-track stores a user's tracks must have rows in.
    let trackModalities: TrackModalities

    /// Lines the catalogue up with `model`.
    ///
    /// A model that records its feature column names gets them by name, in its order, so
    /// a store with reordered or extra columns works and a missing column is an error. A
    /// model without names (exported from PyTorch) takes the columns in file order and
    /// only checks their count.
    ///
    /// - Throws: `InputMismatch` naming the file, what it has and what the model expects.
    static func align(model: FusionModel, catalogue: Catalogue, modelPath: String) throws(InputMismatch) -> ModelInputs {
        let dimensions = model.dimensions
        let history = try align(catalogue.history, names: model.columns.text, expected: dimensions.text, modelPath: modelPath)

        var covers: FeatureStore?
        var modalities: TrackModalities = []
        if dimensions.usesImage {
            guard let store = catalogue.covers else {
                throw InputMismatch(Message("pipeline.model.needsModality", [
                    "model": modelPath, "modality": CatalogueFile.covers.rawValue, "data": catalogue.directory.path,
                ]), fileMissing: true)
            }
            covers = try align(store, names: model.columns.image, expected: dimensions.image, modelPath: modelPath)
            modalities.insert(.covers)
        }
        var clips: FeatureStore?
        if dimensions.usesAudio {
            guard let store = catalogue.clips else {
                throw InputMismatch(Message("pipeline.model.needsModality", [
                    "model": modelPath, "modality": CatalogueFile.clips.rawValue, "data": catalogue.directory.path,
                ]), fileMissing: true)
            }
            clips = try align(store, names: model.columns.audio, expected: dimensions.audio, modelPath: modelPath)
            modalities.insert(.clips)
        }
        return ModelInputs(history: history, covers: covers, clips: clips, trackModalities: modalities)
    }

    private static func align(
        _ store: FeatureStore, names: [String]?, expected: Int, modelPath: String
    ) throws(InputMismatch) -> FeatureStore {
        if let names {
            do {
                return try store.selectingColumns(names)
            } catch let error as MMError {
                throw InputMismatch(error.message)
            } catch {
                throw InputMismatch(Message("pipeline.run.failed", ["reason": "\(error)"]))
            }
        }
        guard store.dimension == expected else {
            throw InputMismatch(Message("pipeline.model.dimension", [
                "path": store.url.path, "found": "\(store.dimension)", "expected": "\(expected)", "model": modelPath,
            ]))
        }
        return store
    }
}

/// A catalogue that does not fit the model: a modality file it lacks, a missing column,
/// a different dimension. Every user of the run fails with this reason: transiently for
/// a missing file, which may be back by the next run, permanently otherwise.
struct InputMismatch: Error {
    let message: Message
    let fileMissing: Bool

    init(_ message: Message, fileMissing: Bool = false) {
        self.message = message
        self.fileMissing = fileMissing
    }
}
