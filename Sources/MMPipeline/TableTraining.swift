import Foundation
import MMCore
import MMFeatures
import MMModel

/// The rows of one labelled feature table as training examples: each row's features go
/// in the model's text slot, with no tracks and no engagement target. Used for tagging
/// tracks with a genre from their audio descriptors.
final class TableTrainingSource: TrainingDataSource {
    let store: FeatureStore
    /// The distinct labels, sorted; a row's label is its index here.
    let genres: [String]
    private let labels: [Int]

    init(store: FeatureStore) throws {
        guard let labelColumn = store.labelColumn else {
            throw PipelineError.tableNeedsLabel(path: store.url.path)
        }
        var texts: [String] = []
        texts.reserveCapacity(store.count)
        for row in 0..<store.count {
            guard let label = store.label(at: row), !label.isEmpty else {
                throw PipelineError.tableRowWithoutLabel(path: store.url.path, row: row + 1, column: labelColumn)
            }
            texts.append(label)
        }
        genres = Array(Set(texts)).sorted()
        let index = Dictionary(uniqueKeysWithValues: genres.enumerated().map { ($1, $0) })
        labels = texts.map { index[$0]! }
        self.store = store
    }

    var exampleCount: Int { store.count }

    var columns: FeatureColumns { FeatureColumns(text: store.columns) }

    func makeBatch(_ examples: [Int]) throws -> ModelBatch {
        var batch = ModelBatch()
        batch.userCount = examples.count
        batch.text.reserveCapacity(examples.count * store.dimension)
        for example in examples {
            batch.text.append(contentsOf: store.vector(at: example))
            batch.trackOffsets.append(0)
        }
        return batch
    }

    func label(of example: Int) -> Int { labels[example] }

    func engagement(of example: Int) -> Float? { nil }
}

/// `mmbatch train --table FILE --label-column C --folds K`: stratified K-fold
/// cross-validation of the classifier on one feature table, and optionally a final model
/// trained on every row.
public struct TableTraining {
    public var table: URL
    public var readOptions = FeatureReadOptions()
    public var training = TrainingOptions.table
    public var folds = 5
    /// Where to save a model trained on all rows; nil saves none.
    public var output: URL?

    public init(table: URL) {
        self.table = table
    }

    public struct Outcome: Sendable {
        public var crossValidation: CrossValidationResult?
        public var genres: [String]
        public var rows: Int
        public var dimension: Int
    }

    public func run() throws -> Outcome {
        let store = try FeatureStore.open(table, options: readOptions)
        guard store.count > 0 else {
            throw PipelineError.allRowsRejected(path: table.path, rows: store.quality.rowsRead)
        }
        let source = try TableTrainingSource(store: store)
        Log.info(Message("pipeline.table.started"), [
            "table": table.path, "rows": store.count, "dimension": store.dimension, "genres": source.genres.count,
            "folds": folds,
        ])
        BLAS.setThreadCount(SystemInfo.activeCores)

        var result: CrossValidationResult?
        if folds >= 2 {
            let progress = ProgressReporter(Message("pipeline.table.progress"), total: folds, unit: "folds", interval: 0)
            result = try CrossValidation.run(
                source: source, columns: source.columns, genres: source.genres, options: training, foldCount: folds,
                fingerprint: store.fingerprint, progress: progress)
        }
        if let output {
            let trained = try Trainer(options: training).train(
                source: source, columns: source.columns, genres: source.genres, fingerprint: store.fingerprint)
            try trained.model.save(to: output)
            Log.info(Message("pipeline.train.saved"), ["path": output.path, "epochs": trained.epochsRun])
        }
        return Outcome(crossValidation: result, genres: source.genres, rows: store.count, dimension: store.dimension)
    }
}
