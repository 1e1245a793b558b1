import Foundation
import MMCore
import Synchronization

/// The contents of a feature store's `META` cache section.
struct FeatureStoreMetadata: Codable {
    var columns: [String]
    var idColumn: String
    var labelColumn: String?
    var count: Int
    var quality: StoreQuality
    var fingerprint: String
}

extension FeatureStore {
    /// Opens a feature table: maps its current binary copy from the cache folder, or
    /// parses the CSV (on every core) and writes that copy.
    ///
    /// Skipped rows are logged (the first few of each reason, then a summary). Throws
    /// `FeatureError` (exit code 3) for a missing or unreadable file, a file that is not
    /// UTF-8 (unless `options.encoding` names another encoding), a bad header, and, under
    /// `options.strict`, the first skipped row. A cache folder that cannot be written is
    /// warned about once and the store is kept in memory.
    public static func open(_ url: URL, options: FeatureReadOptions = FeatureReadOptions()) throws -> FeatureStore {
        let optionsHash = options.resultHash(kind: "features", for: url)
        let cacheURL = StoreCache.url(for: url, options: options, optionsHash: optionsHash)

        if options.useCache && !options.rebuildCache, let key = SourceKey.read(path: url.path) {
            switch CacheFile.open(url: cacheURL, kind: .featureStore, key: key, optionsHash: optionsHash) {
            case .success(let file):
                if let store = storeFromCache(file, url: url, status: .reused) {
                    try finishOpening(store, options: options)
                    return store
                }
                StoreCache.logRebuild(url, reason: .damagedIndex)
            case .failure(let reason):
                StoreCache.logRebuild(url, reason: reason)
            }
        }

        let started = monotonicSeconds()
        let parsed = try FeatureTableParser.parse(url: url, options: options)
        let parseSeconds = monotonicSeconds() - started
        for column in parsed.unknownIgnoredColumns {
            Log.warning(Message("features.header.unknownIgnored", ["path": url.path, "column": column]))
        }
        Log.info(Message("features.store.parsed", [
            "path": url.path, "rows": String(parsed.parts.count), "dimension": String(parsed.parts.columns.count),
        ]), ["seconds": parseSeconds, "mb_per_s": Double(parsed.key.size) / 1e6 / max(parseSeconds, 1e-9)])

        let store: FeatureStore
        if options.useCache {
            store = writeCache(parsed, url: url, cacheURL: cacheURL, optionsHash: optionsHash, workers: options.resolvedWorkers)
        } else {
            store = FeatureStore(parts: parsed.parts, url: url, cacheStatus: .disabled, cacheFile: nil)
        }
        try finishOpening(store, options: options)
        return store
    }

    /// Writes the cache file and returns the store mapped from it, or the in-memory store
    /// when the cache cannot be written.
    private static func writeCache(
        _ parsed: ParsedFeatureTable, url: URL, cacheURL: URL, optionsHash: UInt64, workers: Int
    ) -> FeatureStore {
        let parts = parsed.parts
        let metadata = FeatureStoreMetadata(
            columns: parts.columns, idColumn: parts.idColumn, labelColumn: parts.labelColumn, count: parts.count,
            quality: parts.quality, fingerprint: parts.fingerprint)
        let json = OwnedBuffer.copying(StoreCache.encode(metadata))
        do {
            try CacheFile.write(
                to: cacheURL, kind: .featureStore, key: parsed.key, optionsHash: optionsHash,
                sections: parsed.cacheSections(metadata: json.bytes), workers: workers)
        } catch {
            StoreCache.warnUnwritable(cacheURL.deletingLastPathComponent(), error: error)
            return FeatureStore(parts: parts, url: url, cacheStatus: .unwritable, cacheFile: nil)
        }
        // Map the file just written so the parsed buffers can be freed: the data then
        // lives once, in the page cache.
        if case .success(let file) = CacheFile.open(url: cacheURL, kind: .featureStore, key: parsed.key, optionsHash: optionsHash),
            let store = storeFromCache(file, url: url, status: .built)
        {
            return store
        }
        return FeatureStore(parts: parts, url: url, cacheStatus: .built, cacheFile: nil)
    }

    /// Builds a store over a validated cache file, or returns nil when its sections do not
    /// fit together (which the checksums make unlikely).
    static func storeFromCache(_ file: CacheFile, url: URL, status: CacheStatus) -> FeatureStore? {
        guard let metaBytes = file.section("META"),
            var metadata = try? JSONDecoder().decode(FeatureStoreMetadata.self, from: Data(metaBytes)),
            let vectors = file.section("VECS"), let offsets = file.section("IDOF"), let idBytes = file.section("IDBY"),
            let slots = file.section("INDX")
        else { return nil }
        let count = metadata.count
        guard let ids = StoreCache.idTable(offsets: offsets, bytes: idBytes, count: count),
            vectors.count == count * metadata.columns.count * MemoryLayout<Float>.stride,
            let index = StoreCache.index(slots, count: count)
        else { return nil }

        var labels: IDTable?
        if metadata.labelColumn != nil {
            guard let labelOffsets = file.section("LBOF"), let labelBytes = file.section("LBBY"),
                let table = StoreCache.idTable(offsets: labelOffsets, bytes: labelBytes, count: count)
            else { return nil }
            labels = table
        }

        metadata.quality.relocate(to: url.path)
        let parts = FeatureStoreParts(
            columns: metadata.columns, idColumn: metadata.idColumn, labelColumn: metadata.labelColumn, count: count,
            vectors: vectors.baseAddress.map { $0.assumingMemoryBound(to: Float.self) } ?? UnsafePointer(bitPattern: 64)!,
            ids: ids, index: index, labels: labels, quality: metadata.quality, fingerprint: metadata.fingerprint,
            owners: [file])
        return FeatureStore(parts: parts, url: url, cacheStatus: status, cacheFile: file)
    }

    /// Logs the skipped rows and, under `strict`, throws the first.
    private static func finishOpening(_ store: FeatureStore, options: FeatureReadOptions) throws(FeatureError) {
        let quality = store.quality
        if options.logsWarnings {
            StoreCache.logQuality(quality)
            if options.idColumn == nil, quality.rowsKept == 0, let first = quality.firstExample,
                first.reason == .notANumber, first.column == store.columns.first
            {
                Log.warning(Message("features.header.idHint", ["path": store.url.path, "column": first.column]))
            }
        }
        if options.strict, let first = quality.firstExample {
            throw FeatureError.badRow(first)
        }
    }
}

/// Cache folder layout, logging and the checks shared by the stores.
enum StoreCache {
    /// `<cache folder>/<file name>.<options hash>.mmstore`, so tables read with different
    /// options keep separate copies and a changed CSV replaces its own copy.
    static func url(for url: URL, options: FeatureReadOptions, optionsHash: UInt64) -> URL {
        let folder = options.cacheDirectory ?? url.deletingLastPathComponent().appendingPathComponent(".mmcache")
        let hex = String(optionsHash, radix: 16)
        let padded = String(repeating: "0", count: 16 - hex.count) + hex
        return folder.appendingPathComponent(url.lastPathComponent + "." + padded + ".mmstore")
    }

    static func encode<Value: Encodable>(_ value: Value) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // These values hold only strings, integers and string dictionaries, which JSON
        // encodes without error.
        return Array(try! encoder.encode(value))
    }

    static func idTable(offsets: UnsafeRawBufferPointer, bytes: UnsafeRawBufferPointer, count: Int) -> IDTable? {
        guard offsets.count == (count + 1) * 8, let offsetBase = offsets.baseAddress else { return nil }
        let typed = offsetBase.assumingMemoryBound(to: UInt64.self)
        guard typed[0] == 0, Int(typed[count]) == bytes.count else { return nil }
        let byteBase = bytes.baseAddress ?? UnsafeRawPointer(offsetBase)
        return IDTable(offsets: typed, bytes: byteBase.assumingMemoryBound(to: UInt8.self), count: count)
    }

    static func index(_ slots: UnsafeRawBufferPointer, count: Int) -> IDIndex? {
        let slotCount = slots.count / 8
        guard slots.count % 8 == 0, slotCount >= IDIndex.slotCount(for: count), slotCount & (slotCount - 1) == 0,
            let base = slots.baseAddress
        else {
            return nil
        }
        return IDIndex(slots: base.assumingMemoryBound(to: UInt64.self), slotCount: slotCount)
    }

    static func logRebuild(_ url: URL, reason: CacheRejection) {
        guard reason != .missing else { return }
        Log.info(Message("features.cache.rebuilding", [
            "path": url.path, "reason": Message("features.cache.reason." + reason.rawValue).text(),
        ]))
    }

    private static let warnedFolders = Mutex(Set<String>())

    /// Warns once per process and folder that the cache cannot be written.
    static func warnUnwritable(_ folder: URL, error: OutputError) {
        let first = warnedFolders.withLock { $0.insert(folder.path).inserted }
        if first {
            Log.warning(Message("features.cache.unwritable", ["path": folder.path, "reason": error.reason]))
        }
    }

    /// Logs the examples of skipped rows, then one summary line with the counts by reason.
    static func logQuality(_ quality: StoreQuality) {
        for example in quality.examples {
            Log.warning(example.warning)
        }
        if quality.skippedRows > 0 {
            Log.warning(Message("features.rows.skippedSummary", [
                "path": quality.file, "skipped": String(quality.skippedRows), "read": String(quality.rowsRead),
                "reasons": reasonSummary(quality.skipped),
            ]))
        }
        if quality.subnormalValues > 0 || quality.underflowedValues > 0 {
            Log.info(Message("features.values.tiny", [
                "path": quality.file, "subnormal": String(quality.subnormalValues),
                "underflowed": String(quality.underflowedValues),
            ]))
        }
    }

    /// "not a number: 3, duplicate id: 1" in the process-wide locale, most frequent first.
    static func reasonSummary(_ counts: [BadRowReason: Int]) -> String {
        counts.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
            .map { Message("features.reasonName." + $0.key.rawValue).text() + ": " + String($0.value) }
            .joined(separator: ", ")
    }
}

extension StoreQuality {
    /// Points the quality record at the file's current path (a cache may have been built
    /// when the folder was opened through another path).
    mutating func relocate(to path: String) {
        file = path
        for index in examples.indices {
            examples[index].file = path
        }
    }
}
