import Foundation
import MMCore
import MMFeatures
import MMModel
import MMReports

/// `mmbatch evaluate`: how much each modality and the attention variant add, measured on
/// held-out users over several seeds.
///
/// For each seed the labelled users are split 80/20 at random. On the 80 % it trains a
/// history-only model and each requested variant (early stopping on a further 20 % of
/// them), and takes the genre frequencies and mean engagement as the majority baseline.
/// Every model is scored on the same held-out 20 %. A given `--model` is scored on those
/// users too; it was trained elsewhere, so its figures are optimistic if it saw them.
public struct ModelEvaluation {
    public var dataDirectory = URL(fileURLWithPath: Defaults.dataDirectory)
    public var labelsFile: URL?
    /// A trained model to score beside the ones trained here.
    public var model: URL?
    public var seeds: [UInt64] = [1, 2, 3]
    public var variants: [ModelVariant] = [.concat, .attention]
    /// Options of every model trained here; variant, modalities, seed and split are set
    /// per model.
    public var training = TrainingOptions()
    public var testFraction = 0.2
    public var maxTracks = Defaults.maxTracks
    /// The folder for evaluation.html and evaluation.json; nil writes none.
    public var reportDirectory: URL?
    public var locale: AppLocale = .english

    public init() {}

    public struct Outcome: Sendable {
        public var report: EvaluationReport
        public var reportURL: URL?
    }

    public func run() throws -> Outcome {
        let start = Date()
        let catalogue = try Catalogue.open(dataDirectory)
        let labels = try labelsFile.map { try LabelStore.open($0, genres: catalogue.genres) } ?? catalogue.labels
        guard let labels else {
            throw PipelineError.unreadableFile(
                path: dataDirectory.appendingPathComponent(CatalogueFile.labels.rawValue).path,
                reason: String(cString: strerror(ENOENT)))
        }
        var modalities: Set<Modality> = []
        if catalogue.covers != nil { modalities.insert(.image) }
        if catalogue.clips != nil { modalities.insert(.audio) }
        let full = try CatalogueTrainingSource(catalogue: catalogue, labels: labels, modalities: modalities, maxTracks: maxTracks)
        let historyOnly = try CatalogueTrainingSource(catalogue: catalogue, labels: labels, modalities: [], maxTracks: 0)
        guard full.exampleCount >= 10 else {
            throw PipelineError.noUsers(data: labels.url.path)
        }
        let givenModel = try model.map { try FusionModel.load(from: $0) }
        let genres = catalogue.genres.map(\.name)
        BLAS.setThreadCount(SystemInfo.activeCores)

        var perModel: [String: [ModelMetrics]] = [:]
        var order: [(name: String, kind: EvaluatedModel.Kind)] = []
        func record(_ name: String, _ kind: EvaluatedModel.Kind, _ metrics: ModelMetrics) {
            if perModel[name] == nil {
                order.append((name, kind))
            }
            perModel[name, default: []].append(metrics)
        }
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: genres.count), count: genres.count)
        let confusionModel = variants.last?.rawValue ?? "history"
        var testUsers = 0

        for seed in seeds {
            let split = splitUsers(count: full.exampleCount, seed: seed)
            testUsers = split.test.count
            Log.info(Message("pipeline.evaluate.seed"), ["seed": seed, "train": split.train.count, "test": split.test.count])

            for variant in variants {
                let metrics = try trainAndScore(source: full, variant: variant, modalities: modalities, seed: seed, split: split, genres: genres)
                record(variant.rawValue, .model, ModelMetrics(metrics))
                if variant.rawValue == confusionModel {
                    add(metrics.confusion, to: &confusion)
                }
            }
            if let givenModel {
                let source = givenModel.dimensions.usesImage || givenModel.dimensions.usesAudio ? full : historyOnly
                let metrics = try givenModel.evaluate(source: source, examples: split.test).metrics
                record(Message("pipeline.evaluate.givenModel").text(in: locale), .model, ModelMetrics(metrics))
            }
            let history = try trainAndScore(source: historyOnly, variant: .concat, modalities: [], seed: seed, split: split, genres: genres)
            record("history", .historyOnly, ModelMetrics(history))
            record("majority", .majorityBaseline, ModelMetrics(majority(full, split: split, genreCount: genres.count)))
        }

        let models = order.map { EvaluatedModel(name: $0.name, kind: $0.kind, metrics: MetricsOverSeeds(seeds: perModel[$0.name]!)) }
        var gap: MetricsOverSeeds?
        if let attention = perModel[ModelVariant.attention.rawValue], let concat = perModel[ModelVariant.concat.rawValue] {
            gap = MetricsOverSeeds(seeds: zip(attention, concat).map { $0.minus($1) })
        }
        let report = EvaluationReport(
            dataFingerprint: catalogue.fingerprint, testUsers: testUsers, seeds: seeds,
            genres: catalogue.genres.map { GenreName($0.name, chinese: $0.nameZh) }, models: models,
            confusion: ConfusionMatrix(modelName: confusionModel, counts: confusion), attentionMinusConcat: gap,
            start: start, end: Date())
        let url = try reportDirectory.map { try ReportWriter(reportsDirectory: $0, locale: locale).writeEvaluation(report) }
        return Outcome(report: report, reportURL: url)
    }

    private struct UserSplit {
        var train: [Int]
        var test: [Int]
    }

    private func splitUsers(count: Int, seed: UInt64) -> UserSplit {
        var order = Array(0..<count)
        var random = SeededRandom(seed: seed, stream: "evaluate-split")
        random.shuffle(&order)
        let testCount = max(1, Int((testFraction * Double(count)).rounded()))
        return UserSplit(train: order[testCount...].sorted(), test: order[..<testCount].sorted())
    }

    private func trainAndScore(
        source: CatalogueTrainingSource, variant: ModelVariant, modalities: Set<Modality>, seed: UInt64,
        split: UserSplit, genres: [String]
    ) throws -> EvaluationMetrics {
        var options = training
        options.variant = variant
        options.modalities = modalities
        options.seed = seed
        var inner = split.train
        var random = SeededRandom(seed: seed, stream: "evaluate-inner")
        random.shuffle(&inner)
        let validationCount = max(1, Int((options.validationFraction * Double(inner.count)).rounded()))
        options.split = TrainingSplit(training: inner[validationCount...].sorted(), validation: inner[..<validationCount].sorted())
        let trained = try Trainer(options: options).train(
            source: source, columns: source.columns, genres: genres, fingerprint: "")
        return try trained.model.evaluate(source: source, examples: split.test).metrics
    }

    /// Scores the majority baseline: the training genre frequencies as every user's
    /// probabilities and the training mean as every user's engagement.
    private func majority(_ source: CatalogueTrainingSource, split: UserSplit, genreCount: Int) -> EvaluationMetrics {
        var frequencies = [Float](repeating: 0, count: genreCount)
        var engagement: Float = 0
        for example in split.train {
            frequencies[source.label(of: example)] += 1
            engagement += source.engagement(of: example) ?? 0
        }
        let total = Float(split.train.count)
        frequencies = frequencies.map { $0 / total }
        engagement /= total
        let probabilities = split.test.flatMap { _ in frequencies }
        return EvaluationMetrics(
            probabilities: probabilities, genreCount: genreCount, labels: split.test.map(source.label(of:)),
            engagement: [Float](repeating: engagement, count: split.test.count),
            engagementTargets: split.test.map(source.engagement(of:)))
    }

    private func add(_ counts: [[Int]], to total: inout [[Int]]) {
        for row in counts.indices {
            for column in counts[row].indices {
                total[row][column] += counts[row][column]
            }
        }
    }
}

extension ModelMetrics {
    /// Returns the per-metric difference `self − other`, nil where either is nil.
    func minus(_ other: ModelMetrics) -> ModelMetrics {
        func difference(_ a: Double?, _ b: Double?) -> Double? {
            guard let a, let b else { return nil }
            return a - b
        }
        return ModelMetrics(
            top1Accuracy: difference(top1Accuracy, other.top1Accuracy),
            top3Accuracy: difference(top3Accuracy, other.top3Accuracy), macroF1: difference(macroF1, other.macroF1),
            ndcgAt3: difference(ndcgAt3, other.ndcgAt3), engagementRMSE: difference(engagementRMSE, other.engagementRMSE),
            expectedCalibrationError: difference(expectedCalibrationError, other.expectedCalibrationError))
    }
}
