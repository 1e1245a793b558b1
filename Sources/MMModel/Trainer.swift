import MMCore

/// Trains a fusion model with Adam on a data source.
///
/// Steps: a seeded split by example, per-feature standardisation learned on the training
/// examples, PyTorch-style initialisation, then epochs of seeded shuffled mini-batches
/// with early stopping on the validation loss. The best epoch's weights are kept and the
/// standardisation is folded into the first layers, so the saved file is a plain
/// `state_dict`. The same seed, data and BLAS thread count give byte-identical weights.
public struct Trainer {
    public var options: TrainingOptions

    public init(options: TrainingOptions) {
        self.options = options
    }

    /// Trains a model.
    ///
    /// - Parameters:
    ///   - columns: the feature column names of the source; their counts are the input
    ///     sizes. `text` is required, and `image`/`audio` for each modality in
    ///     `options.modalities`.
    ///   - genres: the G genre names; labels index into them.
    ///   - fingerprint: identifies the training data, recorded in the metadata.
    ///   - progress: advanced once per epoch.
    public func train(
        source: some TrainingDataSource, columns: FeatureColumns, genres: [String], fingerprint: String,
        progress: ProgressReporter? = nil
    ) throws -> TrainingResult {
        let dimensions = try modelDimensions(columns: columns, genres: genres)
        let labels = try checkedLabels(source, genreCount: genres.count)
        let split = try resolveSplit(exampleCount: source.exampleCount)
        let targets = (0..<source.exampleCount).map { source.engagement(of: $0) }

        let scaling = try learnScaling(source: source, examples: split.training, dimensions: dimensions)
        var initRandom = SeededRandom(seed: options.seed, stream: "init")
        var model = FusionModel.initialised(
            variant: options.variant, dimensions: dimensions, genres: genres, random: &initRandom)
        var run = TrainingRun(
            options: options, labels: labels, targets: targets, scaling: scaling,
            optimizer: AdamOptimizer(
                parameterCount: model.parameters.count, learningRate: options.learningRate,
                weightDecay: options.weightDecay))

        var shuffleRandom = SeededRandom(seed: options.seed, stream: "shuffle")
        var history: [EpochRecord] = []
        var best = (epoch: 0, loss: Double.infinity, parameters: model.parameters)
        for epoch in 1...options.maxEpochs {
            var order = split.training
            shuffleRandom.shuffle(&order)
            var record = try run.trainEpoch(&model, source: source, order: order, epoch: epoch)
            if !split.validation.isEmpty {
                let validation = try run.evaluate(model, source: source, examples: split.validation)
                record.validationLoss = validation.loss
                record.validationAccuracy = validation.accuracy
            }
            history.append(record)
            report(record, progress: progress)

            let criterion = record.validationLoss ?? -Double(epoch)
            if criterion < best.loss {
                best = (epoch, criterion, model.parameters)
            } else if epoch - best.epoch >= options.patience {
                break
            }
        }
        progress?.finish()

        model.parameters = best.parameters
        scaling.fold(into: model.layout, parameters: &model.parameters)
        model.columns = selectedColumns(columns)
        model.metadata = trainingMetadata(
            fingerprint: fingerprint, history: history, bestEpoch: best.epoch, split: split)
        if history.count < options.maxEpochs {
            Log.info(
                Message("model.train.stoppedEarly", ["epoch": "\(history.count)", "best": "\(best.epoch)", "patience": "\(options.patience)"]))
        }
        return TrainingResult(
            model: model, history: history, bestEpoch: best.epoch, epochsRun: history.count,
            stoppedEarly: history.count < options.maxEpochs, split: split)
    }

    // MARK: - Checks

    private func modelDimensions(columns: FeatureColumns, genres: [String]) throws(ModelError) -> ModelDimensions {
        guard options.hiddenSize > 0, options.batchSize > 0, options.maxEpochs > 0, options.patience > 0,
            options.learningRate > 0, options.learningRate.isFinite, options.weightDecay >= 0,
            (0..<1).contains(options.dropout),
            (0..<1).contains(options.validationFraction)
        else {
            throw ModelError("model.train.options", ["options": options.summary], exitCode: .usage)
        }
        guard genres.count >= 2 else {
            throw ModelError("model.train.genres", ["count": "\(genres.count)"])
        }
        guard let text = columns.text, !text.isEmpty else {
            throw ModelError("model.train.columns", ["modality": "text"])
        }
        var sizes: [Modality: Int] = [:]
        for modality in Modality.allCases where options.modalities.contains(modality) {
            guard let names = columns[modality], !names.isEmpty else {
                throw ModelError("model.train.columns", ["modality": modality.rawValue])
            }
            sizes[modality] = names.count
        }
        return ModelDimensions(
            text: text.count, image: sizes[.image] ?? 0, audio: sizes[.audio] ?? 0, hidden: options.hiddenSize,
            genres: genres.count)
    }

    private func checkedLabels(_ source: some TrainingDataSource, genreCount: Int) throws(ModelError) -> [Int] {
        guard source.exampleCount > 0 else {
            throw ModelError("model.train.noExamples")
        }
        let labels = (0..<source.exampleCount).map { source.label(of: $0) }
        if let example = labels.firstIndex(where: { !(0..<genreCount).contains($0) }) {
            throw ModelError(
                "model.train.label", ["example": "\(example)", "label": "\(labels[example])", "count": "\(genreCount)"],
                exitCode: .internalError)
        }
        return labels
    }

    /// Returns the explicit split after checking it, or a seeded random one.
    private func resolveSplit(exampleCount: Int) throws(ModelError) -> TrainingSplit {
        if let split = options.split {
            let all = split.training + split.validation
            guard !split.training.isEmpty, Set(all).count == all.count,
                all.allSatisfy({ (0..<exampleCount).contains($0) })
            else {
                throw ModelError(
                    "model.train.split",
                    ["training": "\(split.training.count)", "validation": "\(split.validation.count)", "count": "\(exampleCount)"],
                    exitCode: .internalError)
            }
            return split
        }
        var order = Array(0..<exampleCount)
        var random = SeededRandom(seed: options.seed, stream: "split")
        random.shuffle(&order)
        var validationCount = Int((options.validationFraction * Double(exampleCount)).rounded())
        if options.validationFraction > 0 {
            validationCount = max(1, validationCount)
        }
        guard validationCount < exampleCount else {
            throw ModelError("model.train.tooFew", ["count": "\(exampleCount)", "fraction": "\(options.validationFraction)"])
        }
        return TrainingSplit(
            training: order[validationCount...].sorted(), validation: order[..<validationCount].sorted())
    }

    // MARK: - Standardisation

    /// Learns μ and σ per input feature on the training examples: over their history rows
    /// and over the track rows of their batches.
    private func learnScaling(
        source: some TrainingDataSource, examples: [Int], dimensions: ModelDimensions
    ) throws -> InputScaling {
        var text = FeatureStatistics(width: dimensions.text)
        var tracks: [Modality: FeatureStatistics] = [:]
        for modality in Modality.allCases where dimensions.inputs(of: modality) > 0 {
            tracks[modality] = FeatureStatistics(width: dimensions.inputs(of: modality))
        }
        for start in stride(from: 0, to: examples.count, by: options.batchSize) {
            let chunk = Array(examples[start..<min(start + options.batchSize, examples.count)])
            let batch = try source.makeBatch(chunk)
            batch.checkShape(for: dimensions)
            batch.text.withUnsafeBufferPointer { text.add($0.baseAddress!, rowCount: batch.userCount) }
            for modality in Modality.allCases where tracks[modality] != nil {
                let rows = modality == .image ? batch.covers : batch.clips
                rows.withUnsafeBufferPointer { buffer in
                    if let base = buffer.baseAddress {
                        tracks[modality]!.add(base, rowCount: batch.trackCount)
                    }
                }
            }
        }
        return InputScaling(text: text.scaling(), tracks: tracks.mapValues { $0.scaling() })
    }

    // MARK: - Records

    private func report(_ record: EpochRecord, progress: ProgressReporter?) {
        let accuracy = record.validationAccuracy ?? record.trainingAccuracy
        let detail = Message("model.train.epochDetail", [
            "epoch": "\(record.epoch)",
            "loss": AppLocale.current.formatDecimal(record.trainingLoss, decimals: 4),
            "validationLoss": record.validationLoss.map { AppLocale.current.formatDecimal($0, decimals: 4) } ?? "–",
            "accuracy": AppLocale.current.formatPercent(accuracy),
        ])
        progress?.advance(detail: detail.text())
        Log.debug(detail)
    }

    private func selectedColumns(_ columns: FeatureColumns) -> FeatureColumns {
        FeatureColumns(
            text: columns.text,
            image: options.modalities.contains(.image) ? columns.image : nil,
            audio: options.modalities.contains(.audio) ? columns.audio : nil)
    }

    private func trainingMetadata(
        fingerprint: String, history: [EpochRecord], bestEpoch: Int, split: TrainingSplit
    ) -> [String: String] {
        let best = history[bestEpoch - 1]
        var metadata = [
            "mmbatch_version": SystemInfo.version,
            "training.fingerprint": fingerprint,
            "training.options": options.summary,
            "training.epochs": "\(history.count)",
            "training.best_epoch": "\(bestEpoch)",
            "training.examples": "\(split.training.count)",
            "training.validation_examples": "\(split.validation.count)",
            "training.train_loss": "\(best.trainingLoss)",
        ]
        if let loss = best.validationLoss, let accuracy = best.validationAccuracy {
            metadata["training.validation_loss"] = "\(loss)"
            metadata["training.validation_accuracy"] = "\(accuracy)"
        }
        return metadata
    }
}
