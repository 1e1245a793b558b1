import Foundation
import MMCore

/// How to open a catalogue folder.
public struct CatalogueOptions: Sendable {
    /// Makes any skipped row in any file fatal (exit code 3).
    public var strict = false
    public var useCache = true
    public var rebuildCache = false
    /// The encoding of every file of the catalogue.
    public var encoding: TextEncoding = .utf8
    /// The cache folder; nil means `.mmcache` inside the catalogue folder.
    public var cacheDirectory: URL?
    /// Threads for parsing; nil means every core this process may use.
    public var workers: Int?
    public var parser: CSVParserChoice = .automatic
    public var logsWarnings = true
    /// Opens labels.csv when it exists; a nightly run needs no labels and skips it.
    public var includeLabels = true

    public init(strict: Bool = false, useCache: Bool = true, rebuildCache: Bool = false, encoding: TextEncoding = .utf8) {
        self.strict = strict
        self.useCache = useCache
        self.rebuildCache = rebuildCache
        self.encoding = encoding
    }

    func readOptions(idColumn: String?) -> FeatureReadOptions {
        var options = FeatureReadOptions(
            idColumn: idColumn, encoding: encoding, strict: strict, useCache: useCache, rebuildCache: rebuildCache)
        options.cacheDirectory = cacheDirectory
        options.workers = workers
        options.parser = parser
        options.logsWarnings = logsWarnings
        return options
    }
}

/// The per-track modalities a model uses, so tracks without them can be dropped.
public struct TrackModalities: OptionSet, Sendable, Hashable {
    public let rawValue: Int

    public init(rawValue: Int) {
        self.rawValue = rawValue
    }

    public static let covers = TrackModalities(rawValue: 1)
    public static let clips = TrackModalities(rawValue: 2)
    public static let all: TrackModalities = [.covers, .clips]
}

/// One catalogue folder: the feature stores, listens, genres and (optionally) labels.
///
/// `history.csv`, `genres.csv` and (when covers or clips exist) `listens.csv` are
/// required; `covers.csv`, `clips.csv` and `labels.csv` are optional.
public struct Catalogue: Sendable {
    public let directory: URL
    public let history: FeatureStore
    public let covers: FeatureStore?
    public let clips: FeatureStore?
    public let listens: ListenStore
    public let genres: [Genre]
    public let labels: LabelStore?
    let trackRows: TrackRows

    /// Opens every file of `directory`. Throws `FeatureError` (exit code 3) for a missing
    /// folder or required file, or any problem `FeatureStore.open` reports.
    public static func open(_ directory: URL, options: CatalogueOptions = CatalogueOptions()) throws -> Catalogue {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw FeatureError.missingCatalogue(path: directory.path)
        }
        func file(_ name: CatalogueFile) -> URL {
            directory.appendingPathComponent(name.rawValue)
        }
        func exists(_ name: CatalogueFile) -> Bool {
            FileManager.default.fileExists(atPath: file(name).path)
        }

        let genres = try GenreTable.read(file(.genres), encoding: options.encoding)
        let history = try FeatureStore.open(file(.history), options: options.readOptions(idColumn: "user_id"))
        let covers = exists(.covers) ? try FeatureStore.open(file(.covers), options: options.readOptions(idColumn: "track_id")) : nil
        let clips = exists(.clips) ? try FeatureStore.open(file(.clips), options: options.readOptions(idColumn: "track_id")) : nil
        let listens: ListenStore
        if exists(.listens) || covers != nil || clips != nil {
            listens = try ListenStore.open(file(.listens), options: options.readOptions(idColumn: nil))
        } else {
            listens = ListenStore.empty(url: file(.listens))
        }
        let labels = options.includeLabels && exists(.labels)
            ? try LabelStore.open(file(.labels), genres: genres, options: options.readOptions(idColumn: nil)) : nil
        return Catalogue(
            directory: directory, history: history, covers: covers, clips: clips, listens: listens, genres: genres,
            labels: labels, trackRows: TrackRows(listens: listens, covers: covers, clips: clips))
    }

    /// The modalities this catalogue has.
    public var availableModalities: TrackModalities {
        var modalities: TrackModalities = []
        if covers != nil {
            modalities.insert(.covers)
        }
        if clips != nil {
            modalities.insert(.clips)
        }
        return modalities
    }

    /// A hash of every file's content fingerprint and the genres, for recording which
    /// data a model was trained on.
    public var fingerprint: String {
        var hash = Hash64()
        for part in [history.fingerprint, covers?.fingerprint ?? "-", clips?.fingerprint ?? "-", listens.fingerprint,
                     labels?.table.fingerprint ?? "-"] {
            hash.update(part + "\u{1F}")
        }
        hash.update(genres.map(\.name).joined(separator: ","))
        return hash.hexDigest()
    }
}
