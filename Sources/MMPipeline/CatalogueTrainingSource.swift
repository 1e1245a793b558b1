import Foundation
import MMCore
import MMFeatures
import MMModel

/// The labelled users of a catalogue as training examples: a user in labels.csv with a
/// history row is an example, packed from the same stores and by the same rules as a
/// nightly run, so training and inference see identical inputs.
final class CatalogueTrainingSource: TrainingDataSource {
    let userIDs: [String]
    let labels: [Int]
    let engagements: [Float]
    let inputs: ModelInputs
    /// Labelled users without a history row, left out.
    let usersWithoutHistory: Int
    private let assembler: BatchAssembler

    /// - Parameter modalities: the track modalities the model will use.
    init(catalogue: Catalogue, labels: LabelStore, modalities: Set<Modality>, maxTracks: Int) throws {
        var trackModalities: TrackModalities = []
        if modalities.contains(.image) {
            guard catalogue.covers != nil else {
                throw PipelineError.catalogueLacks(file: CatalogueFile.covers.rawValue, data: catalogue.directory.path)
            }
            trackModalities.insert(.covers)
        }
        if modalities.contains(.audio) {
            guard catalogue.clips != nil else {
                throw PipelineError.catalogueLacks(file: CatalogueFile.clips.rawValue, data: catalogue.directory.path)
            }
            trackModalities.insert(.clips)
        }
        inputs = ModelInputs(
            history: catalogue.history, covers: trackModalities.contains(.covers) ? catalogue.covers : nil,
            clips: trackModalities.contains(.clips) ? catalogue.clips : nil, trackModalities: trackModalities)

        var userIDs: [String] = []
        var labelIndices: [Int] = []
        var engagements: [Float] = []
        var withoutHistory = 0
        for row in 0..<labels.count {
            let userID = labels.userID(at: row)
            guard catalogue.history.row(of: userID) != nil else {
                withoutHistory += 1
                continue
            }
            let label = labels.label(at: row)
            userIDs.append(userID)
            labelIndices.append(label.genreIndex)
            engagements.append(label.engagement)
        }
        if withoutHistory > 0 {
            Log.warning(Message("pipeline.train.usersWithoutHistory"), ["users": withoutHistory, "labels": labels.url.path])
        }
        self.userIDs = userIDs
        self.labels = labelIndices
        self.engagements = engagements
        usersWithoutHistory = withoutHistory
        assembler = BatchAssembler(inputs: inputs, catalogue: catalogue, maxTracks: maxTracks)
    }

    var exampleCount: Int { userIDs.count }

    /// The feature column names of the stores the model will use.
    var columns: FeatureColumns {
        FeatureColumns(text: inputs.history.columns, image: inputs.covers?.columns, audio: inputs.clips?.columns)
    }

    func makeBatch(_ examples: [Int]) throws -> ModelBatch {
        assembler.assemble(examples.lazy.map { self.userIDs[$0] })
        // Every example has a history row, so none is missing from the batch.
        precondition(assembler.missing.isEmpty, "training example without history: \(assembler.missing.first!.position)")
        return assembler.batch
    }

    func label(of example: Int) -> Int { labels[example] }

    func engagement(of example: Int) -> Float? { engagements[example] }
}
