import Foundation
import MMCore

/// Where a store's data came from on this open.
public enum CacheStatus: Sendable, Equatable {
    /// Mapped from a current binary copy; no CSV parsing.
    case reused
    /// Parsed from the CSV and written to the cache folder.
    case built
    /// Parsed from the CSV and kept in memory, because `useCache` is off.
    case disabled
    /// Parsed from the CSV and kept in memory, because the cache folder is not writable.
    case unwritable
}

/// A table of float vectors keyed by string ids: `history.csv`, `covers.csv`,
/// `clips.csv` or any numeric table such as GTZAN's features.
///
/// Rows are stored contiguously as float32, row-major (`count × dimension`), in a
/// memory-mapped cache file or in memory. Lookups by id use a hash index in the same
/// memory, so opening from the cache does no per-row work. The store is immutable after
/// open and safe to share between threads.
public final class FeatureStore: @unchecked Sendable {
    // Immutable after init: every pointer refers to memory kept alive by `owners` and
    // never written again.
    public let url: URL
    /// The id column's name, or "" when the table has no id column and the ids are data
    /// row numbers ("1", "2", …).
    public let idColumn: String
    /// Feature column names in vector order.
    public let columns: [String]
    /// The label column kept per row, if one was requested.
    public let labelColumn: String?
    /// Rows read, rows skipped by reason with the first examples, duplicate ids, and
    /// counts of subnormal and underflowed values.
    public let quality: StoreQuality
    /// A hash of the parsed content (column names, ids, labels and float bits) as 16
    /// hex digits: the same table gives the same fingerprint wherever the file lives, and
    /// any change to a kept value changes it.
    public let fingerprint: String
    public let cacheStatus: CacheStatus

    public var dimension: Int { columns.count }
    public let count: Int

    let vectors: UnsafePointer<Float>
    let ids: IDTable
    let index: IDIndex
    let labels: IDTable?
    /// The cache file the store was mapped from, for deep checks.
    let cacheFile: CacheFile?
    private let owners: [AnyObject]

    init(parts: FeatureStoreParts, url: URL, cacheStatus: CacheStatus, cacheFile: CacheFile?) {
        self.url = url
        idColumn = parts.idColumn
        columns = parts.columns
        labelColumn = parts.labelColumn
        quality = parts.quality
        fingerprint = parts.fingerprint
        count = parts.count
        vectors = parts.vectors
        ids = parts.ids
        index = parts.index
        labels = parts.labels
        owners = parts.owners
        self.cacheStatus = cacheStatus
        self.cacheFile = cacheFile
    }

    /// The row of `id`, or nil. Constant time: one hash and usually one comparison.
    public func row(of id: String) -> Int? {
        var key = id
        return key.withUTF8 { row(ofBytes: $0) }
    }

    func row(ofBytes key: UnsafeBufferPointer<UInt8>) -> Int? {
        index.row(of: key, ids: ids)
    }

    public func id(at row: Int) -> String {
        precondition(row >= 0 && row < count, "row \(row) is outside 0..<\(count) of \(url.path)")
        return ids.string(at: row)
    }

    /// The vector of `row`, valid while the store lives.
    public func vector(at row: Int) -> UnsafeBufferPointer<Float> {
        precondition(row >= 0 && row < count, "row \(row) is outside 0..<\(count) of \(url.path)")
        return UnsafeBufferPointer(start: vectors + row * dimension, count: dimension)
    }

    /// The vector of the row with `id`, or nil.
    public func vector(of id: String) -> UnsafeBufferPointer<Float>? {
        row(of: id).map { vector(at: $0) }
    }

    /// Copies the vector of `row` to `destination`, which has room for `dimension` floats.
    public func copyRow(_ row: Int, into destination: UnsafeMutablePointer<Float>) {
        precondition(row >= 0 && row < count, "row \(row) is outside 0..<\(count) of \(url.path)")
        destination.update(from: vectors + row * dimension, count: dimension)
    }

    /// All vectors, row-major (`count × dimension`), valid while the store lives.
    public var matrix: UnsafeBufferPointer<Float> {
        UnsafeBufferPointer(start: vectors, count: count * dimension)
    }

    /// The label of `row` when the store has a label column.
    public func label(at row: Int) -> String? {
        precondition(row >= 0 && row < count, "row \(row) is outside 0..<\(count) of \(url.path)")
        return labels?.string(at: row)
    }

    /// A store with the columns `names` in that order, matched by name. Returns this
    /// store when the order is already the same; otherwise the vectors are copied (the
    /// ids and index are shared). Throws `FeatureError.missingColumns` (exit code 3)
    /// when the store lacks any of them.
    /// NOTE: the copy lives in memory, not in the cache, so a reordered 1 GB store costs
    /// 1 GB of memory and one copy per open.
    public func selectingColumns(_ names: [String]) throws -> FeatureStore {
        if names == columns {
            return self
        }
        precondition(Set(names).count == names.count, "selectingColumns needs distinct names, got \(names)")
        var positions: [String: Int] = [:]
        for (position, name) in columns.enumerated() {
            positions[name] = position
        }
        let missing = names.filter { positions[$0] == nil }
        guard missing.isEmpty else {
            throw FeatureError.missingColumns(path: url.path, missing: missing, available: columns)
        }

        let sources = names.map { positions[$0]! }
        let width = names.count
        let region = MemoryRegion(byteCount: count * width * MemoryLayout<Float>.stride)
        let output = region.base.bindMemory(to: Float.self, capacity: count * width)
        for row in 0..<count {
            let source = vectors + row * dimension
            let destination = output + row * width
            for (column, position) in sources.enumerated() {
                destination[column] = source[position]
            }
        }

        var hash = Hash64()
        hash.update(fingerprint + "\u{1E}" + names.joined(separator: "\u{1F}"))
        let parts = FeatureStoreParts(
            columns: names, idColumn: idColumn, labelColumn: labelColumn, count: count,
            vectors: UnsafePointer(output), ids: ids, index: index, labels: labels, quality: quality,
            fingerprint: hash.hexDigest(), owners: owners + [region])
        return FeatureStore(parts: parts, url: url, cacheStatus: cacheStatus, cacheFile: nil)
    }

    /// Verifies the checksum of every float in the cache file (a deep check). Returns
    /// nil when the store did not come from a cache file.
    public func verifyPayload(workers: Int? = nil) -> Bool? {
        cacheFile?.payloadIsIntact(workers: max(1, workers ?? SystemInfo.activeCores))
    }
}

/// The pieces a `FeatureStore` is made of, from a parse or from a cache file.
struct FeatureStoreParts {
    var columns: [String]
    var idColumn: String
    var labelColumn: String?
    var count: Int
    var vectors: UnsafePointer<Float>
    var ids: IDTable
    var index: IDIndex
    var labels: IDTable?
    var quality: StoreQuality
    var fingerprint: String
    var owners: [AnyObject]
}
