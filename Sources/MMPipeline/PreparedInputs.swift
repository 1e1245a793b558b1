import Foundation
import MMCore
import MMFeatures
import MMModel
import MMQueue
import MMReports

/// The catalogue opened and lined up with the model, or the reason every user of the
/// run must fail.
struct PreparedInputs {
    /// A problem that every user of the run meets.
    struct Problem {
        /// The reason in English, as jobs record it.
        let reason: String
        let kind: FailureKind
        /// The reason for the user, in their language.
        let message: Message
    }

    enum State {
        case ready(Catalogue, ModelInputs)
        case unusable(Problem)
    }

    let state: State
    let storeDescriptions: [FeatureStoreDescription]
    /// Chinese genre names from genres.csv by English name, for the reports.
    let chineseGenreNames: [String: String]

    /// Opens the catalogue and lines it up with the model.
    ///
    /// A file that cannot be opened or read is a transient problem: the run records it on
    /// every job it claims, which are retried with backoff, because the file may be back
    /// by the next run. A catalogue that does not fit the model (a missing modality or
    /// column, another dimension) is permanent: its users are dead with the reason until
    /// someone fixes the data or the model and runs `mmbatch retry --dead`. Any other
    /// invalid file (a bad header, a bad row under `--strict`) stops the run with exit
    /// code 3 before it claims anything. A run with an unusable catalogue exits with
    /// code 3 too, after recording the problem on the jobs it claimed.
    static func prepare(model: LoadedModel, options: RunOptions) throws -> PreparedInputs {
        var catalogueOptions = CatalogueOptions(
            strict: options.strict, useCache: true, rebuildCache: options.rebuildCache, encoding: options.encoding)
        catalogueOptions.workers = options.workers
        catalogueOptions.includeLabels = false
        let catalogue: Catalogue
        do {
            catalogue = try Catalogue.open(options.dataDirectory, options: catalogueOptions)
        } catch let error as FeatureError where error.isUnreadableFile {
            Log.error(Message("pipeline.catalogue.unreadable"), ["error": describe(error)])
            return PreparedInputs(
                state: .unusable(Problem(reason: describe(error), kind: .transient, message: error.message)),
                storeDescriptions: [], chineseGenreNames: [:])
        }

        let descriptions = describeStores(catalogue)
        let chinese = Dictionary(catalogue.genres.map { ($0.name, $0.nameZh) }, uniquingKeysWith: { first, _ in first })
        do {
            let inputs = try ModelInputs.align(model: model.model, catalogue: catalogue, modelPath: model.url.path)
            return PreparedInputs(state: .ready(catalogue, inputs), storeDescriptions: descriptions, chineseGenreNames: chinese)
        } catch {
            let reason = error.message.text(in: .english)
            let kind: FailureKind = error.fileMissing ? .transient : .permanent
            Log.error(Message(error.fileMissing ? "pipeline.catalogue.unreadable" : "pipeline.catalogue.mismatch"), ["error": reason])
            return PreparedInputs(
                state: .unusable(Problem(reason: reason, kind: kind, message: error.message)),
                storeDescriptions: descriptions, chineseGenreNames: chinese)
        }
    }

    static func describeStores(_ catalogue: Catalogue) -> [FeatureStoreDescription] {
        var stores: [FeatureStoreDescription] = []
        func add(_ name: CatalogueFile, _ store: FeatureStore?) {
            guard let store else { return }
            stores.append(FeatureStoreDescription(
                name: name.rawValue, path: store.url.path, fingerprint: store.fingerprint, rows: store.count,
                dimension: store.dimension, badRows: reasonCounts(store.quality),
                duplicateIDs: store.quality.duplicateIDs))
        }
        add(.history, catalogue.history)
        add(.covers, catalogue.covers)
        add(.clips, catalogue.clips)
        stores.append(FeatureStoreDescription(
            name: CatalogueFile.listens.rawValue, path: catalogue.listens.url.path,
            fingerprint: catalogue.listens.fingerprint, rows: catalogue.listens.count, dimension: 0,
            badRows: reasonCounts(catalogue.listens.quality), duplicateIDs: catalogue.listens.quality.duplicateIDs))
        return stores
    }

    private static func reasonCounts(_ quality: StoreQuality) -> [ReasonCount] {
        // The catalogue key of each reason's short name, which the report shows translated.
        quality.skipped.sorted { $0.key < $1.key }.map {
            ReasonCount(reason: "features.reasonName." + $0.key.rawValue, count: $0.value)
        }
    }
}

extension FeatureError {
    /// Whether the file could not be opened or read at all, as opposed to being invalid.
    var isUnreadableFile: Bool {
        switch self {
        case .unreadable, .notRegularFile: true
        default: false
        }
    }
}
