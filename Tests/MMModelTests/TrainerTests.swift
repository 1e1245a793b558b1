import Foundation
import MMCore
import MMTestSupport
import Testing

@testable import MMModel

@Suite struct TrainerTests {
    static let dimensions = ModelDimensions(text: 12, image: 10, audio: 6, hidden: 16, genres: 3)

    static func options(_ variant: ModelVariant, epochs: Int = 30) -> TrainingOptions {
        var options = TrainingOptions()
        options.variant = variant
        options.hiddenSize = 16
        options.batchSize = 32
        options.maxEpochs = epochs
        options.patience = 5
        options.learningRate = 3e-3
        options.seed = 4
        return options
    }

    @Test(arguments: ModelVariant.allCases)
    func trainingLearnsSyntheticGenres(variant: ModelVariant) throws {
        let source = SyntheticSource(users: 300, dimensions: Self.dimensions, seed: 2)
        let result = try Trainer(options: Self.options(variant)).train(
            source: source, columns: source.columns, genres: source.genres, fingerprint: "synthetic")
        let best = result.history[result.bestEpoch - 1]
        print("\(variant): best epoch \(result.bestEpoch) of \(result.epochsRun), validation accuracy \(best.validationAccuracy!)")
        // Chance is 1/3; the tracks alone carry the label for most users.
        #expect(best.validationAccuracy! > 0.75)
        #expect(result.history.first!.trainingLoss > best.trainingLoss)
        #expect(result.split.validation.count == 60)
        #expect(result.split.training.count == 240)

        // The saved model, which has the standardisation folded in, reproduces the
        // validation accuracy on raw features.
        let evaluation = try result.model.evaluate(source: source, examples: result.split.validation)
        #expect(abs(evaluation.metrics.accuracy - best.validationAccuracy!) < 1e-9)
        #expect(evaluation.nonFiniteExamples.isEmpty)
    }

    @Test func metadataRecordsTraining() throws {
        let source = SyntheticSource(users: 80, dimensions: Self.dimensions, seed: 5)
        let result = try Trainer(options: Self.options(.concat, epochs: 3)).train(
            source: source, columns: source.columns, genres: source.genres, fingerprint: "abc123")
        let metadata = result.metadata
        #expect(metadata["training.fingerprint"] == "abc123")
        #expect(metadata["training.epochs"] == "\(result.epochsRun)")
        #expect(metadata["training.best_epoch"] == "\(result.bestEpoch)")
        #expect(metadata["mmbatch_version"] == SystemInfo.version)
        #expect(metadata["training.options"]?.contains("variant=concat") == true)
        #expect(metadata["training.options"]?.contains("modalities=text,image,audio") == true)
        let best = result.history[result.bestEpoch - 1]
        #expect(metadata["training.validation_loss"] == "\(best.validationLoss!)")
        #expect(metadata["training.validation_accuracy"] == "\(best.validationAccuracy!)")
        #expect(result.model.columns == source.columns)

        let folder = TemporaryDirectory("metadata")
        let url = folder.path("model.safetensors")
        try result.model.save(to: url)
        let reloaded = try FusionModel.load(from: url)
        #expect(reloaded.metadata == metadata)
        #expect(reloaded.columns == source.columns)
    }

    @Test func earlyStoppingKeepsBestEpoch() throws {
        let source = SyntheticSource(users: 60, dimensions: Self.dimensions, seed: 6)
        var options = Self.options(.concat, epochs: 200)
        options.patience = 2
        options.learningRate = 3e-2
        let result = try Trainer(options: options).train(
            source: source, columns: source.columns, genres: source.genres, fingerprint: "")
        #expect(result.stoppedEarly)
        #expect(result.epochsRun < 200)
        #expect(result.epochsRun == result.bestEpoch + 2)
        let losses = result.history.map { $0.validationLoss! }
        #expect(losses.min() == losses[result.bestEpoch - 1])

        let evaluation = try result.model.evaluate(source: source, examples: result.split.validation)
        #expect(abs(evaluation.metrics.accuracy - result.history[result.bestEpoch - 1].validationAccuracy!) < 1e-9)
    }

    @Test func explicitSplitAndTextOnly() throws {
        let textOnly = ModelDimensions(text: 12, image: 0, audio: 0, hidden: 16, genres: 3)
        let source = SyntheticSource(users: 50, dimensions: textOnly, seed: 7, withEngagement: false)
        var options = Self.options(.concat, epochs: 2)
        options.modalities = []
        options.split = TrainingSplit(training: Array(0..<40), validation: Array(40..<50))
        let result = try Trainer(options: options).train(
            source: source, columns: source.columns, genres: source.genres, fingerprint: "")
        #expect(result.split == options.split)
        #expect(result.model.dimensions == ModelDimensions(text: 12, image: 0, audio: 0, hidden: 16, genres: 3))
        #expect(result.model.layout.tensor(named: "image_fc.weight") == nil)
        #expect(result.model.columns.image == nil)
        #expect(result.metadata["training.validation_examples"] == "10")
    }

    @Test func modalitiesCanBeLeftOut() throws {
        let source = SyntheticSource(users: 40, dimensions: Self.dimensions, seed: 8)
        var options = Self.options(.attention, epochs: 1)
        options.modalities = [.audio]
        let result = try Trainer(options: options).train(
            source: source, columns: source.columns, genres: source.genres, fingerprint: "")
        #expect(result.model.dimensions.image == 0)
        #expect(result.model.dimensions.audio == 6)
        #expect(result.model.columns.image == nil)
        #expect(result.model.layout.tensor(named: "fusion_fc.weight")?.shape == [16, 32])
    }

    @Test func invalidSetupRejected() throws {
        let source = SyntheticSource(users: 10, dimensions: Self.dimensions, seed: 9)
        var columns = source.columns
        columns.image = nil
        let missing = try #require(throws: ModelError.self) {
            try Trainer(options: Self.options(.concat)).train(
                source: source, columns: columns, genres: source.genres, fingerprint: "")
        }
        #expect(missing.message.key == "model.train.columns")
        #expect(missing.message.text(in: .english).contains("image"))

        var bad = Self.options(.concat)
        bad.validationFraction = 1
        let options = try #require(throws: ModelError.self) {
            try Trainer(options: bad).train(source: source, columns: source.columns, genres: source.genres, fingerprint: "")
        }
        #expect(options.exitCode == .usage)

        let empty = SyntheticSource(users: 0, dimensions: Self.dimensions, seed: 9)
        let none = try #require(throws: ModelError.self) {
            try Trainer(options: Self.options(.concat)).train(
                source: empty, columns: empty.columns, genres: empty.genres, fingerprint: "")
        }
        #expect(none.message.key == "model.train.noExamples")
    }
}

@Suite struct StandardisationTests {
    /// Builds a scaling with offsets and spreads far from 0 and 1, and one constant feature.
    static func scaling(width: Int, seed: UInt64) -> FeatureScaling {
        var random = SeededRandom(seed: seed)
        let mean = (0..<width).map { _ in Float(random.normal() * 20) }
        var inverse = (0..<width).map { _ in Float(1 / (0.1 + 5 * random.unit())) }
        inverse[0] = 1
        return FeatureScaling(mean: mean, inverseDeviation: inverse)
    }

    // The folded model on raw inputs computes the same function as the unfolded model on
    // standardised inputs, including a concat user without tracks, whose raw zero pool
    // standardises to (0 − μ)/σ in both.
    @Test(arguments: ModelVariant.allCases)
    func foldedModelMatchesStandardisedInputs(variant: ModelVariant) {
        let model = smallModel(variant, text: 7, image: 5, audio: 4, hidden: 8, genres: 3, seed: 21)
        let scaling = InputScaling(
            text: Self.scaling(width: 7, seed: 1),
            tracks: [.image: Self.scaling(width: 5, seed: 2), .audio: Self.scaling(width: 4, seed: 3)])
        var batch = randomBatch(for: model.dimensions, tracksPerUser: [3, 0, 2, 1], distinctTracks: 4, seed: 9)
        batch.text = batch.text.map { $0 * 10 + 30 }
        batch.covers = batch.covers.map { $0 * 3 - 7 }

        let workspace = ForwardWorkspace()
        var standardised = ModelOutput()
        model.forward(batch, workspace: workspace, scaling: scaling, into: &standardised)
        var folded = model
        scaling.fold(into: folded.layout, parameters: &folded.parameters)
        let raw = folded.forward(batch, workspace: workspace)

        expectClose(raw.logits, standardised.logits, relative: 1e-4, absolute: 1e-4, "\(variant) logits")
        expectClose(raw.engagement, standardised.engagement, relative: 1e-4, absolute: 1e-4, "\(variant) engagement")
        expectClose(raw.fused, standardised.fused, relative: 1e-4, absolute: 1e-4, "\(variant) fused")
    }

    @Test func statisticsUsePopulationDeviation() {
        var statistics = FeatureStatistics(width: 2)
        let rows: [Float] = [1_000_001, 5, 1_000_003, 5, 1_000_005, 5]
        rows.withUnsafeBufferPointer { statistics.add($0.baseAddress!, rowCount: 3) }
        let scaling = statistics.scaling()
        #expect(scaling.mean == [1_000_003, 5])
        // σ of (1, 3, 5) is sqrt(8/3); a constant feature keeps 1/σ = 1.
        #expect(abs(scaling.inverseDeviation[0] - Float((3.0 / 8.0).squareRoot())) < 1e-6)
        #expect(scaling.inverseDeviation[1] == 1)
    }
}

extension BLASSettingTests {
    @Suite struct TrainingDeterminism {
        @Test func sameSeedGivesIdenticalWeightFiles() throws {
            let source = SyntheticSource(users: 120, dimensions: TrainerTests.dimensions, seed: 3)
            var options = TrainerTests.options(.attention, epochs: 4)
            options.dropout = 0.1
            let folder = TemporaryDirectory("determinism")
            var files: [Data] = []
            for name in ["first", "second"] {
                let result = try Trainer(options: options).train(
                    source: source, columns: source.columns, genres: source.genres, fingerprint: "fp")
                let url = folder.path("\(name).safetensors")
                try result.model.save(to: url)
                files.append(try Data(contentsOf: url))
            }
            #expect(files[0] == files[1])

            var reseeded = options
            reseeded.seed = 5
            let other = try Trainer(options: reseeded).train(
                source: source, columns: source.columns, genres: source.genres, fingerprint: "fp")
            #expect(Data(other.model.encoded()) != files[0])
        }
    }
}
