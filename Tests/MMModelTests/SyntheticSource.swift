import MMCore

@testable import MMModel

/// An in-memory catalogue whose label shows in the history text, weakly, and in the
/// covers and clips of most of the user's tracks. Features carry large offsets and
/// scales so that training depends on standardisation.
struct SyntheticSource: TrainingDataSource {
    struct User {
        var text: [Float]
        var tracks: [Int]
        var plays: [Float]
        var label: Int
        var engagement: Float?
    }

    let dimensions: ModelDimensions
    var users: [User] = []
    var covers: [[Float]] = []
    var clips: [[Float]] = []

    init(users userCount: Int, dimensions: ModelDimensions, seed: UInt64, withEngagement: Bool = true) {
        self.dimensions = dimensions
        var random = SeededRandom(seed: seed)
        func prototypes(_ width: Int) -> [[Float]] {
            (0..<dimensions.genres).map { _ in (0..<width).map { _ in Float(random.normal()) } }
        }
        let textPrototypes = prototypes(dimensions.text)
        let coverPrototypes = prototypes(dimensions.image)
        let clipPrototypes = prototypes(dimensions.audio)
        let trackCount = 60
        var trackGenres: [Int] = []
        for _ in 0..<trackCount {
            let genre = random.index(below: dimensions.genres)
            trackGenres.append(genre)
            covers.append(coverPrototypes[genre].map { 50 + 10 * ($0 + 0.5 * Float(random.normal())) })
            clips.append(clipPrototypes[genre].map { -3 + 0.01 * ($0 + 0.5 * Float(random.normal())) })
        }
        for user in 0..<userCount {
            let label = random.index(below: dimensions.genres)
            let text = textPrototypes[label].map { 1000 + 5 * (0.3 * $0 + Float(random.normal())) }
            var tracks: [Int] = []
            if user % 7 != 3 {
                let ofLabel = (0..<trackCount).filter { trackGenres[$0] == label }
                for _ in 0..<4 {
                    tracks.append(random.unit() < 0.75 ? ofLabel[random.index(below: ofLabel.count)] : random.index(below: trackCount))
                }
            }
            let plays = tracks.map { _ in Float(1 + random.index(below: 20)) }
            let engagement: Float? = withEngagement && user % 5 != 0 ? Float(label) / Float(dimensions.genres) : nil
            users.append(User(text: text, tracks: tracks, plays: plays, label: label, engagement: engagement))
        }
    }

    var exampleCount: Int { users.count }

    func makeBatch(_ examples: [Int]) throws -> ModelBatch {
        var batch = ModelBatch()
        batch.userCount = examples.count
        var distinct: [Int: Int32] = [:]
        for example in examples {
            let user = users[example]
            batch.text += user.text
            for (track, plays) in zip(user.tracks, user.plays) {
                if distinct[track] == nil {
                    distinct[track] = Int32(batch.trackCount)
                    batch.trackCount += 1
                    if dimensions.usesImage { batch.covers += covers[track] }
                    if dimensions.usesAudio { batch.clips += clips[track] }
                }
                batch.trackIndices.append(distinct[track]!)
                batch.plays.append(plays)
            }
            batch.trackOffsets.append(Int32(batch.trackIndices.count))
        }
        return batch
    }

    func label(of example: Int) -> Int { users[example].label }

    func engagement(of example: Int) -> Float? { users[example].engagement }

    var columns: FeatureColumns {
        FeatureColumns(
            text: (0..<dimensions.text).map { "t\($0)" },
            image: dimensions.usesImage ? (0..<dimensions.image).map { "c\($0)" } : nil,
            audio: dimensions.usesAudio ? (0..<dimensions.audio).map { "a\($0)" } : nil)
    }

    var genres: [String] { (0..<dimensions.genres).map { "genre\($0)" } }
}
