import Foundation
import MMCore
import MMFeatures
import MMModel
import MMQueue

/// `mmbatch bench`: where a run's time goes and how close inference comes to the
/// machine's own matrix-multiplication rate, measured in one invocation so the figures
/// compare with each other.
///
/// Every rate is measured at the run's own settings: `workers` threads with one OpenBLAS
/// thread each, batches of `batchSize` users, the concat model at the catalogue's
/// dimensions. Whole runs start fresh processes of this executable, as cron does, so
/// their peak memory is their own.
public struct Benchmark {
    public var users = 20_000
    public var tracks = 20_000
    public var listensPerUser = 16
    /// An existing catalogue to measure instead of a generated one.
    public var dataDirectory: URL?
    /// The folder that keeps a generated catalogue for reuse (the system's temporary
    /// folder by default).
    public var workDirectory = URL(fileURLWithPath: NSTemporaryDirectory())
    public var workers = SystemInfo.activeCores
    public var batchSize = Defaults.batchSize
    /// Seconds per rate measurement (sgemm, forward pass).
    public var seconds = 3.0
    /// Jobs in the queue measurement.
    public var queueJobs = 100_000

    public init() {}

    public func run() throws -> BenchmarkResult {
        let folder = try prepareFolder()
        let data = dataDirectory ?? folder.appendingPathComponent("catalogue")
        if dataDirectory == nil {
            let catalogue = BenchmarkCatalogue(users: users, tracks: tracks, listensPerUser: listensPerUser)
            if !catalogue.exists(in: data) {
                Log.info(Message("pipeline.bench.generating"), ["path": data.path, "users": users, "tracks": tracks])
                try catalogue.generate(into: data)
            }
        }
        var result = BenchmarkResult(workers: workers, batchSize: batchSize)
        result.cores = SystemInfo.activeCores
        result.blasCore = BLAS.coreName

        Log.info(Message("pipeline.bench.parse"), ["path": data.path])
        var catalogueOptions = CatalogueOptions()
        catalogueOptions.workers = workers
        catalogueOptions.logsWarnings = false
        let parse = try FeatureBenchmark.run(catalogue: data, options: catalogueOptions, repetitions: 2)
        result.csvBytes = parse.csvBytes
        result.csvParseMegabytesPerSecond = parse.parseMegabytesPerSecond
        result.warmLoadSeconds = parse.warmOpenSeconds

        catalogueOptions.includeLabels = false
        let catalogue = try Catalogue.open(data, options: catalogueOptions)
        result.users = catalogue.history.count
        result.tracks = catalogue.covers?.count ?? 0
        result.dataBytes = cacheBytes(of: data, excluding: CatalogueFile.labels.rawValue)
        let modelURL = folder.appendingPathComponent("benchmark-model.safetensors")
        let model = try randomModel(for: catalogue, savingTo: modelURL)
        result.flopsPerUser = model.dimensions.forwardFLOPsPerUser(variant: .concat, tracksPerUser: listensPerUser)

        try measureCompute(model: model, catalogue: catalogue, into: &result)

        Log.info(Message("pipeline.bench.queue"), ["jobs": queueJobs])
        let queue = try QueueBenchmark.run(jobs: queueJobs, batchSize: 512, genres: model.genres.count, directory: folder)
        result.enqueueJobsPerSecond = queue.enqueuePerSecond
        result.claimCompleteJobsPerSecond = queue.claimCompletePerSecond

        try measureRuns(data: data, model: modelURL, folder: folder, into: &result)
        return result
    }

    private func prepareFolder() throws -> URL {
        let name = "mmbatch-bench-\(users)-\(tracks)-\(listensPerUser)"
        let folder = workDirectory.appendingPathComponent(name)
        try AtomicFile.createDirectory(folder)
        return folder
    }

    /// Creates a concat model with PyTorch's initialisation at the catalogue's dimensions.
    private func randomModel(for catalogue: Catalogue, savingTo url: URL) throws -> FusionModel {
        let dimensions = ModelDimensions(
            text: catalogue.history.dimension, image: catalogue.covers?.dimension ?? 0,
            audio: catalogue.clips?.dimension ?? 0, hidden: 512, genres: catalogue.genres.count)
        var random = SeededRandom(seed: 1, stream: "benchmark-model")
        var model = FusionModel.initialised(
            variant: .concat, dimensions: dimensions, genres: catalogue.genres.map(\.name), random: &random)
        model.columns = FeatureColumns(
            text: catalogue.history.columns, image: catalogue.covers?.columns, audio: catalogue.clips?.columns)
        try model.save(to: url)
        return model
    }

    /// Sizes of the cache files of the stores a run reads.
    private func cacheBytes(of data: URL, excluding excluded: String) -> Int {
        let cache = data.appendingPathComponent(".mmcache")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: cache.path)) ?? []
        return names.filter { !$0.hasPrefix(excluded) && $0.hasSuffix(".mmstore") }.reduce(0) { total, name in
            let attributes = try? FileManager.default.attributesOfItem(atPath: cache.appendingPathComponent(name).path)
            return total + ((attributes?[.size] as? Int) ?? 0)
        }
    }
}
