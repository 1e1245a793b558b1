import Foundation
import MMCore
import MMFeatures
import MMModel

/// `mmbatch demo`: the nightly job end to end on the sample catalogue.
///
/// Generates the catalogue if it is missing, trains the sample model on 80 % of the
/// users if it is missing, enqueues every user, runs the batch and returns where the
/// report is. Each step that already has its output is skipped, so a second demo only
/// enqueues and runs again.
public struct Demo {
    public var run = RunOptions()
    public var genresFile = URL(fileURLWithPath: Defaults.genresFile)
    public var recipe = SampleCatalogueRecipe()
    public var variant: ModelVariant = .concat
    public var seed: UInt64 = 1

    public init() {}

    public struct Outcome: Sendable {
        public var generatedCatalogue: Bool
        /// The training outcome when the demo trained the model.
        public var training: CatalogueTraining.Outcome?
        public var enqueued: Int
        public var run: RunOutcome
    }

    public func execute() throws -> Outcome {
        let history = run.dataDirectory.appendingPathComponent(CatalogueFile.history.rawValue)
        var generated = false
        if !FileManager.default.fileExists(atPath: history.path) {
            let genres = try GenreTable.read(genresFile)
            Log.info(Message("pipeline.demo.generating"), [
                "data": run.dataDirectory.path, "users": recipe.users, "tracks": recipe.tracks, "seed": recipe.seed,
            ])
            try recipe.generate(into: run.dataDirectory, genres: genres)
            generated = true
        }

        var training: CatalogueTraining.Outcome?
        if !FileManager.default.fileExists(atPath: run.modelPath.path) {
            var trainer = CatalogueTraining()
            trainer.dataDirectory = run.dataDirectory
            trainer.output = run.modelPath
            trainer.training.variant = variant
            trainer.training.seed = seed
            trainer.reportDirectory = run.reportsDirectory
            trainer.locale = run.locale
            training = try trainer.run()
        }

        let users = try catalogueUserIDs(dataDirectory: run.dataDirectory)
        let summary = try QueueOperations(databasePath: run.databasePath).enqueue(userIDs: users, priority: 0, runAfter: nil)
        let outcome = try BatchRunner(options: run).run()
        return Outcome(
            generatedCatalogue: generated, training: training, enqueued: summary.added + summary.alreadyWaiting,
            run: outcome)
    }
}

/// Every user id of the catalogue's history.csv, in file order.
public func catalogueUserIDs(dataDirectory: URL) throws -> [String] {
    let url = dataDirectory.appendingPathComponent(CatalogueFile.history.rawValue)
    let store = try FeatureStore.open(url, options: FeatureReadOptions(idColumn: "user_id"))
    if store.quality.skippedRows > 0 {
        Log.warning(Message("pipeline.enqueue.skippedRows"), ["rows": store.quality.skippedRows, "path": url.path])
    }
    return (0..<store.count).map(store.id(at:))
}
