/// The two fusion variants, which share one weight-file format.
public enum ModelVariant: String, Sendable, CaseIterable {
    /// Play-weighted mean pooling of each user's tracks, then one layer per modality.
    case concat
    /// Cross-modal attention from the history embedding to the user's track tokens.
    case attention
}

/// The optional track modalities; the history text is always used.
public enum Modality: String, Sendable, CaseIterable, Hashable {
    case image
    case audio
}

/// A model's sizes: T, I, A (0 for a modality the model does not use), H and G.
public struct ModelDimensions: Sendable, Hashable {
    public var text: Int
    public var image: Int
    public var audio: Int
    public var hidden: Int
    public var genres: Int

    public init(text: Int, image: Int, audio: Int, hidden: Int, genres: Int) {
        precondition(text > 0 && hidden > 0 && genres > 0 && image >= 0 && audio >= 0,
            "invalid model dimensions T=\(text) I=\(image) A=\(audio) H=\(hidden) G=\(genres)")
        self.text = text
        self.image = image
        self.audio = audio
        self.hidden = hidden
        self.genres = genres
    }

    /// The reference sizes: T 512, I 1024, A 256, H 512, G 10.
    public static let reference = ModelDimensions(text: 512, image: 1024, audio: 256, hidden: 512, genres: 10)

    public var usesImage: Bool { image > 0 }
    public var usesAudio: Bool { audio > 0 }

    /// k, the number of modalities fused (text plus the track modalities used).
    public var modalityCount: Int { 1 + (usesImage ? 1 : 0) + (usesAudio ? 1 : 0) }

    /// The input width of `fusion_fc`: k·H.
    public var fusionInputs: Int { modalityCount * hidden }

    /// The input width of a track modality, 0 when unused.
    public func inputs(of modality: Modality) -> Int {
        switch modality {
        case .image: image
        case .audio: audio
        }
    }
}

/// The feature column names a model was trained on, per modality; nil where unknown
/// (a file exported from PyTorch) or where the modality is unused.
public struct FeatureColumns: Sendable, Equatable {
    public var text: [String]?
    public var image: [String]?
    public var audio: [String]?

    public init(text: [String]? = nil, image: [String]? = nil, audio: [String]? = nil) {
        self.text = text
        self.image = image
        self.audio = audio
    }

    public subscript(modality: Modality) -> [String]? {
        get {
            switch modality {
            case .image: image
            case .audio: audio
            }
        }
        set {
            switch modality {
            case .image: image = newValue
            case .audio: audio = newValue
            }
        }
    }
}
