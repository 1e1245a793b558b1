/// The packed input of one forward pass over B users.
///
/// Each distinct track of the batch has one cover row and one clip row; a user's entries
/// point at those rows, so a track played by several users is stored (and, in the
/// attention variant, turned into tokens) once.
public struct ModelBatch: Sendable {
    public var userCount: Int
    /// userCount × textDim, row-major.
    public var text: [Float]
    /// D, the number of distinct tracks in this batch.
    public var trackCount: Int
    /// D × imageDim (empty when the model has no image modality).
    public var covers: [Float]
    /// D × audioDim (empty when the model has no audio modality).
    public var clips: [Float]
    /// userCount + 1 entries; user b's entries are trackOffsets[b]..<trackOffsets[b+1].
    public var trackOffsets: [Int32]
    /// Per entry: the index of the distinct track (0..<D).
    public var trackIndices: [Int32]
    /// Per entry: the play count (> 0). Only the concat variant uses it.
    public var plays: [Float]
    /// Track rows left in place (a memory-mapped feature store) for the concat variant,
    /// which only pools them: `trackIndices` then index these rows and `covers` stays
    /// empty, so a batch copies no track row. The attention variant needs the rows packed.
    public var externalCovers: ExternalRows?
    /// As `externalCovers`, indexed by `clipIndices`.
    public var externalClips: ExternalRows?
    /// Per entry: the row in `externalClips`, used only when those are set (covers and
    /// clips are separate stores with their own row order).
    public var clipIndices: [Int32] = []

    public init(
        userCount: Int, text: [Float], trackCount: Int, covers: [Float], clips: [Float],
        trackOffsets: [Int32], trackIndices: [Int32], plays: [Float]
    ) {
        self.userCount = userCount
        self.text = text
        self.trackCount = trackCount
        self.covers = covers
        self.clips = clips
        self.trackOffsets = trackOffsets
        self.trackIndices = trackIndices
        self.plays = plays
    }

    /// Makes an empty batch, to fill with `append`-style code in the pipeline.
    public init() {
        self.init(userCount: 0, text: [], trackCount: 0, covers: [], clips: [], trackOffsets: [0], trackIndices: [], plays: [])
    }

    public var entryCount: Int { trackIndices.count }

    /// Traps with the offending values when the batch does not fit `dimensions`; a broken
    /// batch is a bug in the code that packed it, never bad user input.
    func checkShape(for dimensions: ModelDimensions) {
        if let external = externalCovers {
            precondition(trackIndices.allSatisfy { $0 >= 0 && Int($0) < external.rowCount },
                "batch entries point outside the \(external.rowCount) external cover rows")
        }
        if let external = externalClips {
            precondition(clipIndices.count == trackIndices.count && clipIndices.allSatisfy { $0 >= 0 && Int($0) < external.rowCount },
                "batch clip entries (\(clipIndices.count)) do not fit \(trackIndices.count) entries and \(external.rowCount) external clip rows")
        }
        precondition(text.count == userCount * dimensions.text,
            "batch text has \(text.count) values for \(userCount) users × T=\(dimensions.text)")
        precondition(trackOffsets.count == userCount + 1 && trackOffsets.first == 0
            && Int(trackOffsets.last ?? -1) == trackIndices.count,
            "batch trackOffsets (\(trackOffsets.count) values, last \(trackOffsets.last ?? -1)) do not fit \(userCount) users and \(trackIndices.count) entries")
        precondition(plays.count == trackIndices.count,
            "batch has \(plays.count) play counts for \(trackIndices.count) entries")
        if dimensions.usesImage && externalCovers == nil {
            precondition(covers.count == trackCount * dimensions.image,
                "batch covers have \(covers.count) values for D=\(trackCount) × I=\(dimensions.image)")
        }
        if dimensions.usesAudio && externalClips == nil {
            precondition(clips.count == trackCount * dimensions.audio,
                "batch clips have \(clips.count) values for D=\(trackCount) × A=\(dimensions.audio)")
        }
        for user in 0..<userCount {
            precondition(trackOffsets[user] <= trackOffsets[user + 1],
                "batch trackOffsets decrease at user \(user)")
        }
        for (entry, track) in trackIndices.enumerated() where externalCovers == nil && externalClips == nil {
            precondition(track >= 0 && Int(track) < trackCount,
                "batch entry \(entry) points at track \(track), outside 0..<\(trackCount)")
        }
    }
}

/// Rows of a row-major float matrix owned by someone else, such as a memory-mapped
/// feature store.
public struct ExternalRows: @unchecked Sendable {
    // The memory belongs to the store, which the caller keeps alive, unchanged, for as
    // long as the batch is used.
    public let base: UnsafePointer<Float>
    public let rowCount: Int

    public init(base: UnsafePointer<Float>, rowCount: Int) {
        self.base = base
        self.rowCount = rowCount
    }
}

/// One genre of a ranking.
public struct RankedGenre: Sendable, Equatable {
    /// The genre's index in the model's genre list.
    public var index: Int
    public var probability: Float

    public init(index: Int, probability: Float) {
        self.index = index
        self.probability = probability
    }
}

/// Sorts genres by probability, highest first, ties by genre index ascending.
public func rankedGenres<Probabilities: Collection<Float>>(_ probabilities: Probabilities) -> [RankedGenre] {
    let ranked = probabilities.enumerated().map { RankedGenre(index: $0.offset, probability: $0.element) }
    return ranked.sorted { left, right in
        left.probability != right.probability ? left.probability > right.probability : left.index < right.index
    }
}

/// The outputs of a forward pass over B users, as flat row-major arrays.
public struct ModelOutput: Sendable {
    public var userCount: Int
    public var hiddenSize: Int
    public var genreCount: Int
    /// f = relu(fusion_fc([t, i, a])), B × H.
    public var fused: [Float]
    /// B × G.
    public var logits: [Float]
    /// softmax(logits) per row, B × G.
    public var probabilities: [Float]
    /// regressor(f), B.
    public var engagement: [Float]
    /// Users (indices into the batch) with a NaN or infinity in any of their outputs, in
    /// ascending order. Their rows must not be written as results.
    public var nonFiniteUsers: [Int]

    public init(userCount: Int = 0, hiddenSize: Int = 0, genreCount: Int = 0) {
        self.userCount = userCount
        self.hiddenSize = hiddenSize
        self.genreCount = genreCount
        fused = []
        logits = []
        probabilities = []
        engagement = []
        nonFiniteUsers = []
    }

    public func probabilities(ofUser user: Int) -> ArraySlice<Float> {
        probabilities[(user * genreCount)..<((user + 1) * genreCount)]
    }

    public func logits(ofUser user: Int) -> ArraySlice<Float> {
        logits[(user * genreCount)..<((user + 1) * genreCount)]
    }

    public func fused(ofUser user: Int) -> ArraySlice<Float> {
        fused[(user * hiddenSize)..<((user + 1) * hiddenSize)]
    }

    /// Returns the user's genres sorted by probability, ties by genre index.
    public func rankedGenres(ofUser user: Int) -> [RankedGenre] {
        MMModel.rankedGenres(probabilities(ofUser: user))
    }

    /// False when any of the user's outputs is NaN or infinite.
    public func isFinite(user: Int) -> Bool {
        !nonFiniteUsers.contains(user)
    }
}
