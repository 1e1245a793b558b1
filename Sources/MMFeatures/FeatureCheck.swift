import Foundation
import MMCore

/// Minimum, maximum and mean of one feature column.
public struct ColumnSummary: Sendable, Equatable {
    public let name: String
    public let minimum: Float
    public let maximum: Float
    public let mean: Double
}

/// The `features check` report of one feature table.
public struct StoreSummary: Sendable {
    public let path: String
    public let rows: Int
    public let dimension: Int
    public let quality: StoreQuality
    /// Every feature column, in vector order.
    public let columns: [ColumnSummary]
    /// Rows whose every value is zero (often a placeholder for missing data).
    public let allZeroRows: Int
    public let cacheStatus: CacheStatus
    /// The result of the deep check of the cache payload: nil when no deep check ran or
    /// the store was not read from a cache file.
    public let payloadIntact: Bool?

    /// Returns at most `count` columns with the largest means, largest first.
    public func largestMeans(_ count: Int = 5) -> [ColumnSummary] {
        Array(columns.sorted { ($0.mean, $1.name) > ($1.mean, $0.name) }.prefix(count))
    }

    /// Returns at most `count` columns with the smallest means, smallest first.
    public func smallestMeans(_ count: Int = 5) -> [ColumnSummary] {
        Array(columns.sorted { ($0.mean, $0.name) < ($1.mean, $1.name) }.prefix(count))
    }
}

/// The `features check` report of the listens table.
public struct ListenSummary: Sendable {
    public let path: String
    public let listens: Int
    public let users: Int
    public let tracks: Int
    public let quality: StoreQuality
    public let cacheStatus: CacheStatus
    /// Users with listens but no history row.
    public let usersWithoutHistory: Int
    /// Distinct listened tracks without a row in covers.csv (0 without covers).
    public let tracksWithoutCover: Int
    public let tracksWithoutClip: Int
    public let payloadIntact: Bool?
}

/// The `features check` report of a whole catalogue folder.
public struct CatalogueCheck: Sendable {
    public let directory: String
    /// Summaries of history, then covers and clips when present.
    public let stores: [StoreSummary]
    public let listens: ListenSummary
    public let genres: [Genre]
    public let labels: StoreSummary?
    /// Labelled users without a history row.
    public let labelsWithoutHistory: Int
    public let fingerprint: String

    /// Skipped rows over every table.
    public var skippedRows: Int {
        (stores + [labels].compactMap { $0 }).reduce(listens.quality.skippedRows) { $0 + $1.quality.skippedRows }
    }
}

/// The checks behind `mmbatch features check`.
public enum FeatureCheck {
    /// Opens one table and summarises it. With `deep`, also verifies the checksum of
    /// every value in its cache file and rebuilds a damaged cache.
    public static func checkFile(_ url: URL, options: FeatureReadOptions, deep: Bool = false) throws -> StoreSummary {
        var store = try FeatureStore.open(url, options: options)
        var intact: Bool?
        if deep {
            intact = store.verifyPayload(workers: options.workers)
            if intact == false {
                Log.warning(Message("features.cache.payloadDamaged", ["path": url.path]))
                var rebuild = options
                rebuild.rebuildCache = true
                store = try FeatureStore.open(url, options: rebuild)
            }
        }
        return summarize(store, payloadIntact: intact, workers: options.resolvedWorkers)
    }

    /// Opens a catalogue folder and summarises every table, with cross-checks between
    /// them. With `deep`, verifies the cache payload of every table.
    public static func checkCatalogue(_ directory: URL, options: CatalogueOptions, deep: Bool = false) throws -> CatalogueCheck {
        var catalogue = try Catalogue.open(directory, options: options)
        var payload: [String: Bool] = [:]
        if deep {
            var damaged = false
            for store in [catalogue.history, catalogue.covers, catalogue.clips, catalogue.labels?.table].compactMap({ $0 }) {
                payload[store.url.path] = store.verifyPayload(workers: options.workers)
                damaged = damaged || payload[store.url.path] == false
            }
            payload[catalogue.listens.url.path] = catalogue.listens.verifyPayload(workers: options.workers)
            damaged = damaged || payload[catalogue.listens.url.path] == false
            if damaged {
                Log.warning(Message("features.cache.payloadDamaged", ["path": directory.path]))
                var rebuild = options
                rebuild.rebuildCache = true
                catalogue = try Catalogue.open(directory, options: rebuild)
            }
        }

        let workers = max(1, options.workers ?? SystemInfo.activeCores)
        let stores = [catalogue.history, catalogue.covers, catalogue.clips].compactMap { $0 }
            .map { summarize($0, payloadIntact: payload[$0.url.path], workers: workers) }
        let labels = catalogue.labels.map { summarize($0.table, payloadIntact: payload[$0.url.path], workers: workers) }
        let labelsWithoutHistory = catalogue.labels.map { labels in
            (0..<labels.count).filter { catalogue.history.row(of: labels.userID(at: $0)) == nil }.count
        } ?? 0
        return CatalogueCheck(
            directory: directory.path, stores: stores,
            listens: summarize(catalogue, payloadIntact: payload[catalogue.listens.url.path]),
            genres: catalogue.genres, labels: labels, labelsWithoutHistory: labelsWithoutHistory,
            fingerprint: catalogue.fingerprint)
    }

    /// Computes per-column minimum, maximum and mean and counts all-zero rows, on
    /// `workers` threads over blocks of rows.
    public static func summarize(_ store: FeatureStore, payloadIntact: Bool? = nil, workers: Int = SystemInfo.activeCores) -> StoreSummary {
        let dimension = store.dimension
        let blockRows = max(1, (store.count + workers * 4 - 1) / max(1, workers * 4))
        let blocks = (store.count + blockRows - 1) / blockRows
        let partials = Parallel.map(count: blocks, workers: workers) { block in
            var minimum = [Float](repeating: .infinity, count: dimension)
            var maximum = [Float](repeating: -.infinity, count: dimension)
            var sum = [Double](repeating: 0, count: dimension)
            var zeroRows = 0
            for row in (block * blockRows)..<min(store.count, (block + 1) * blockRows) {
                let vector = store.vector(at: row)
                var allZero = true
                for column in 0..<dimension {
                    let value = vector[column]
                    minimum[column] = min(minimum[column], value)
                    maximum[column] = max(maximum[column], value)
                    sum[column] += Double(value)
                    allZero = allZero && value == 0
                }
                if allZero {
                    zeroRows += 1
                }
            }
            return (minimum, maximum, sum, zeroRows)
        }

        var minimum = [Float](repeating: .infinity, count: dimension)
        var maximum = [Float](repeating: -.infinity, count: dimension)
        var sum = [Double](repeating: 0, count: dimension)
        var zeroRows = 0
        for partial in partials {
            for column in 0..<dimension {
                minimum[column] = min(minimum[column], partial.0[column])
                maximum[column] = max(maximum[column], partial.1[column])
                sum[column] += partial.2[column]
            }
            zeroRows += partial.3
        }
        let columns = (0..<dimension).map { column in
            ColumnSummary(
                name: store.columns[column], minimum: store.count > 0 ? minimum[column] : 0,
                maximum: store.count > 0 ? maximum[column] : 0,
                mean: store.count > 0 ? sum[column] / Double(store.count) : 0)
        }
        return StoreSummary(
            path: store.url.path, rows: store.count, dimension: dimension, quality: store.quality, columns: columns,
            allZeroRows: zeroRows, cacheStatus: store.cacheStatus, payloadIntact: payloadIntact)
    }

    static func summarize(_ catalogue: Catalogue, payloadIntact: Bool?) -> ListenSummary {
        let listens = catalogue.listens
        let usersWithoutHistory = (0..<listens.userCount).filter { user in
            catalogue.history.row(ofBytes: listens.users.bytes(at: user)) == nil
        }.count
        func missing(from store: FeatureStore?) -> Int {
            guard let store else { return 0 }
            return (0..<listens.trackCount).filter { store.row(ofBytes: listens.tracks.bytes(at: $0)) == nil }.count
        }
        return ListenSummary(
            path: listens.url.path, listens: listens.count, users: listens.userCount, tracks: listens.trackCount,
            quality: listens.quality, cacheStatus: listens.cacheStatus, usersWithoutHistory: usersWithoutHistory,
            tracksWithoutCover: missing(from: catalogue.covers), tracksWithoutClip: missing(from: catalogue.clips),
            payloadIntact: payloadIntact)
    }
}
