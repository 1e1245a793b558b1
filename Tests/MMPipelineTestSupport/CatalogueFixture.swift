import Foundation
import MMCore
import MMFeatures
import MMModel
import MMPipeline
import MMTestSupport

/// A generated catalogue with a trained model, a database path and a reports folder in a
/// fresh temporary directory: the starting point of pipeline and end-to-end tests.
///
/// The default size (small dimensions, a hundred users) keeps generation and training
/// to a fraction of a second in release builds; tests that need a run long enough to
/// interrupt ask for the reference dimensions and more users.
public final class CatalogueFixture: @unchecked Sendable {
    // Immutable after init; @unchecked only because URL is not Sendable everywhere.
    public let folder: TemporaryDirectory
    public let data: URL
    public let model: URL
    public let database: String
    public let reports: URL
    public let recipe: SampleCatalogueRecipe
    public let genres: [Genre]

    /// Four genres, with Chinese names.
    public static let genres = [
        Genre(id: 0, name: "blues", nameZh: "蓝调"), Genre(id: 1, name: "jazz", nameZh: "爵士"),
        Genre(id: 2, name: "metal", nameZh: "金属"), Genre(id: 3, name: "pop", nameZh: "流行"),
    ]

    /// A small recipe: 100 users, 300 tracks, 12 listens, dimensions 24/32/16.
    public static var smallRecipe: SampleCatalogueRecipe {
        var recipe = SampleCatalogueRecipe()
        recipe.seed = 7
        recipe.users = 100
        recipe.tracks = 300
        recipe.listensPerUser = 12
        recipe.recentListens = 3
        recipe.textDimension = 24
        recipe.imageDimension = 32
        recipe.audioDimension = 16
        return recipe
    }

    /// The sample recipe's dimensions (512/1024/256) with `users` users.
    public static func referenceRecipe(users: Int, tracks: Int = 2000) -> SampleCatalogueRecipe {
        var recipe = SampleCatalogueRecipe()
        recipe.users = users
        recipe.tracks = tracks
        return recipe
    }

    /// Generates the catalogue and, unless `train` is false, trains a model on it.
    public init(
        _ label: String = "fixture", recipe: SampleCatalogueRecipe = CatalogueFixture.smallRecipe,
        variant: ModelVariant = .concat, hidden: Int = 16, epochs: Int = 3, train: Bool = true
    ) throws {
        folder = TemporaryDirectory(label)
        data = folder.path("data")
        model = folder.path("model.safetensors")
        database = folder.path("mmbatch.db").path
        reports = folder.path("reports")
        self.recipe = recipe
        genres = Self.genres
        try recipe.generate(into: data, genres: genres)
        if train {
            try trainModel(variant: variant, hidden: hidden, epochs: epochs, output: model)
        }
    }

    /// Trains a model on the fixture's catalogue and writes it to `output`.
    public func trainModel(variant: ModelVariant, hidden: Int, epochs: Int, output: URL, seed: UInt64 = 1) throws {
        var training = CatalogueTraining()
        training.dataDirectory = data
        training.output = output
        training.training.variant = variant
        training.training.hiddenSize = hidden
        training.training.maxEpochs = epochs
        training.training.batchSize = 32
        training.training.seed = seed
        _ = try training.run()
    }

    /// Run options pointing at the fixture's files.
    public func runOptions(workers: Int = 2) -> RunOptions {
        var options = RunOptions()
        options.dataDirectory = data
        options.databasePath = database
        options.modelPath = model
        options.reportsDirectory = reports
        options.workers = workers
        return options
    }

    /// Every user id of the catalogue, in file order.
    public var userIDs: [String] {
        (0..<recipe.users).map(SampleCatalogueRecipe.userID)
    }

    /// The common options for the `mmbatch` binary.
    public var commandOptions: [String] {
        ["--data", data.path, "--db", database, "--model", model.path, "--reports", reports.path]
    }

    /// Reads a text file of the fixture.
    public func read(_ url: URL) throws -> String {
        try String(contentsOf: url, encoding: .utf8)
    }
}
