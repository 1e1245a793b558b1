import Foundation
import MMCore

/// The contents of a listens store's `META` cache section.
struct ListenStoreMetadata: Codable {
    var columns: ListenColumns
    var count: Int
    var userCount: Int
    var trackCount: Int
    var quality: StoreQuality
    var fingerprint: String
}

extension ListenStore {
    /// Opens a listens table, from its binary copy in the cache folder when current.
    ///
    /// `columns` names the user, track and plays columns (HetRec's `user_artists.dat`
    /// uses `userID`, `artistID`, `weight`); other columns are ignored. Of `options`, the
    /// delimiter, encoding, strictness, cache, parser and worker settings apply. Throws
    /// `FeatureError` (exit code 3) as `FeatureStore.open` does, and when a named column
    /// is missing.
    public static func open(
        _ url: URL, columns: ListenColumns = ListenColumns(), options: FeatureReadOptions = FeatureReadOptions()
    ) throws -> ListenStore {
        let kind = ["listens", columns.user, columns.track, columns.plays].joined(separator: "\u{1F}")
        let optionsHash = options.resultHash(kind: kind, for: url)
        let cacheURL = StoreCache.url(for: url, options: options, optionsHash: optionsHash)

        if options.useCache && !options.rebuildCache, let key = SourceKey.read(path: url.path) {
            switch CacheFile.open(url: cacheURL, kind: .listenStore, key: key, optionsHash: optionsHash) {
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
        let parsed = try ListenTableParser.parse(url: url, columns: columns, options: options)
        Log.info(Message("features.listens.parsed", [
            "path": url.path, "listens": String(parsed.parts.count), "users": String(parsed.parts.users.count),
        ]), ["seconds": monotonicSeconds() - started])

        var store = ListenStore(parts: parsed.parts, url: url, cacheStatus: options.useCache ? .built : .disabled, cacheFile: nil)
        if options.useCache {
            let metadata = ListenStoreMetadata(
                columns: columns, count: parsed.parts.count, userCount: parsed.parts.users.count,
                trackCount: parsed.parts.tracks.count, quality: parsed.parts.quality, fingerprint: parsed.parts.fingerprint)
            let json = OwnedBuffer.copying(StoreCache.encode(metadata))
            do {
                try CacheFile.write(
                    to: cacheURL, kind: .listenStore, key: parsed.key, optionsHash: optionsHash,
                    sections: parsed.cacheSections(metadata: json.bytes), workers: options.resolvedWorkers)
                if case .success(let file) = CacheFile.open(url: cacheURL, kind: .listenStore, key: parsed.key, optionsHash: optionsHash),
                    let mapped = storeFromCache(file, url: url, status: .built)
                {
                    store = mapped
                }
            } catch {
                StoreCache.warnUnwritable(cacheURL.deletingLastPathComponent(), error: error)
                store = ListenStore(parts: parsed.parts, url: url, cacheStatus: .unwritable, cacheFile: nil)
            }
        }
        try finishOpening(store, options: options)
        return store
    }

    private static func finishOpening(_ store: ListenStore, options: FeatureReadOptions) throws(FeatureError) {
        if options.logsWarnings {
            StoreCache.logQuality(store.quality)
        }
        if options.strict, let first = store.quality.firstExample {
            throw FeatureError.badRow(first)
        }
    }

    static func storeFromCache(_ file: CacheFile, url: URL, status: CacheStatus) -> ListenStore? {
        guard let metaBytes = file.section("META"),
            var metadata = try? JSONDecoder().decode(ListenStoreMetadata.self, from: Data(metaBytes)),
            let userOffsets = file.section("USOF"), let userBytes = file.section("USBY"),
            let slots = file.section("UIDX"), let trackOffsets = file.section("TKOF"),
            let trackBytes = file.section("TKBY"), let starts = file.section("LSTA"),
            let trackIndices = file.section("LTRK"), let plays = file.section("LPLY"),
            let users = StoreCache.idTable(offsets: userOffsets, bytes: userBytes, count: metadata.userCount),
            let tracks = StoreCache.idTable(offsets: trackOffsets, bytes: trackBytes, count: metadata.trackCount),
            let index = StoreCache.index(slots, count: metadata.userCount),
            starts.count == (metadata.userCount + 1) * 8, trackIndices.count == metadata.count * 4,
            plays.count == metadata.count * 4, let startBase = starts.baseAddress
        else { return nil }
        let typedStarts = startBase.assumingMemoryBound(to: UInt64.self)
        guard typedStarts[0] == 0, Int(typedStarts[metadata.userCount]) == metadata.count else { return nil }

        metadata.quality.relocate(to: url.path)
        let fallback = UnsafeRawPointer(startBase)
        let parts = ListenStoreParts(
            columns: metadata.columns, quality: metadata.quality, fingerprint: metadata.fingerprint,
            count: metadata.count, users: users, userIndex: index, tracks: tracks, starts: typedStarts,
            trackIndices: (trackIndices.baseAddress ?? fallback).assumingMemoryBound(to: UInt32.self),
            plays: (plays.baseAddress ?? fallback).assumingMemoryBound(to: UInt32.self), owners: [file])
        return ListenStore(parts: parts, url: url, cacheStatus: status, cacheFile: file)
    }
}

/// A listens table parsed from CSV, with the buffers that back it.
struct ParsedListenTable {
    var parts: ListenStoreParts
    var key: SourceKey
    let buffers: [String: OwnedBuffer]

    func cacheSections(metadata: UnsafeRawBufferPointer) -> [CacheSection] {
        var sections = [CacheSection(tag: "META", checkedAtOpen: true, bytes: metadata)]
        for tag in ["USOF", "USBY", "UIDX", "TKOF", "TKBY", "LSTA"] {
            sections.append(CacheSection(tag: tag, checkedAtOpen: true, bytes: buffers[tag]!.bytes))
        }
        for tag in ["LTRK", "LPLY"] {
            sections.append(CacheSection(tag: tag, checkedAtOpen: false, bytes: buffers[tag]!.bytes))
        }
        return sections
    }
}

/// Parses a listens table: chunks in parallel, then a merge that interns user and track
/// ids, groups the listens by user (stable, so file order is kept) and drops repeated
/// user–track pairs.
enum ListenTableParser {
    static func parse(url: URL, columns: ListenColumns, options: FeatureReadOptions) throws(FeatureError) -> ParsedListenTable {
        let source = try CSVSource(url: url, encoding: options.encoding, delimiter: options.resolvedDelimiter(for: url))
        let roles = try roles(header: source.header, columns: columns, path: source.path)
        let workers = options.resolvedWorkers
        let plan = try source.plan(workers: workers)
        let builders = Parallel.map(count: plan.chunks.count, workers: workers) { index in
            var builder = ListenRowBuilder(roles: roles, header: source.header, file: source.path)
            source.scan(plan.chunks[index], plan: plan, parser: options.parser, into: &builder)
            return builder
        }

        var quality = StoreQuality(file: source.path)
        for builder in builders {
            quality.merge(builder.quality)
        }
        let total = builders.reduce(0) { $0 + $1.count }
        var users = IDIndexBuilder(capacity: min(total, 1 << 16))
        var tracks = IDIndexBuilder(capacity: min(total, 1 << 16))
        var listenUsers = [UInt32](), listenTracks = [UInt32](), listenPlays = [UInt32](), listenLines = [Int32]()
        listenUsers.reserveCapacity(total)
        listenTracks.reserveCapacity(total)
        // Listens usually come grouped by user, so the previous row's user is checked
        // before hashing.
        var previousUser: (bytes: ArraySlice<UInt8>, index: Int)?
        for builder in builders {
            for row in 0..<builder.count {
                let userBytes = builder.user(at: row)
                let user: Int
                if let previousUser, previousUser.bytes == userBytes {
                    user = previousUser.index
                } else {
                    user = userBytes.withUnsafeBufferPointer { users.insert($0, hash: builder.userHashes[row]) }
                        ?? users.count - 1
                    previousUser = (userBytes, user)
                }
                let track = builder.track(at: row).withUnsafeBufferPointer { tracks.insert($0, hash: builder.trackHashes[row]) }
                    ?? tracks.count - 1
                listenUsers.append(UInt32(user))
                listenTracks.append(UInt32(track))
                listenPlays.append(builder.plays[row])
                listenLines.append(builder.lines[row])
            }
        }

        let grouped = group(
            users: listenUsers, tracks: listenTracks, plays: listenPlays, lines: listenLines,
            userCount: users.count, trackCount: tracks.count, columns: columns, userTable: users,
            trackTable: tracks, quality: &quality)
        quality.examples.sort { ($0.line, $0.reason) < ($1.line, $1.reason) }

        let buffers: [String: OwnedBuffer] = [
            "USOF": .copying(users.offsets), "USBY": .copying(users.bytes), "UIDX": .copying(users.slots),
            "TKOF": .copying(tracks.offsets), "TKBY": .copying(tracks.bytes), "LSTA": .copying(grouped.starts),
            "LTRK": .copying(grouped.tracks), "LPLY": .copying(grouped.plays),
        ]
        let payload = CacheFile.payloadChecksum(
            ["LTRK", "LPLY"].map { CacheSection(tag: $0, checkedAtOpen: false, bytes: buffers[$0]!.bytes) }, workers: workers)
        let fingerprint = FeatureTableParser.contentFingerprint(
            columns: [columns.track, columns.plays], idColumn: columns.user, labelColumn: nil,
            tables: ["USOF", "USBY", "TKOF", "TKBY", "LSTA"].map { buffers[$0]!.bytes }, payloadChecksum: payload)

        func pointer<T>(_ tag: String, _ type: T.Type) -> UnsafePointer<T> {
            UnsafePointer(buffers[tag]!.base.assumingMemoryBound(to: T.self))
        }
        let parts = ListenStoreParts(
            columns: columns, quality: quality, fingerprint: fingerprint, count: grouped.tracks.count,
            users: IDTable(offsets: pointer("USOF", UInt64.self), bytes: pointer("USBY", UInt8.self), count: users.count),
            userIndex: IDIndex(slots: pointer("UIDX", UInt64.self), slotCount: users.slots.count),
            tracks: IDTable(offsets: pointer("TKOF", UInt64.self), bytes: pointer("TKBY", UInt8.self), count: tracks.count),
            starts: pointer("LSTA", UInt64.self), trackIndices: pointer("LTRK", UInt32.self),
            plays: pointer("LPLY", UInt32.self), owners: Array(buffers.values))
        return ParsedListenTable(parts: parts, key: source.key, buffers: buffers)
    }

    private static func roles(header: [String], columns: ListenColumns, path: String) throws(FeatureError) -> [Int8] {
        var positions: [String: Int] = [:]
        for (position, name) in header.enumerated() {
            if let first = positions[name] {
                throw FeatureError.duplicateColumn(path: path, column: name, first: first + 1, second: position + 1)
            }
            positions[name] = position
        }
        let required = [columns.user, columns.track, columns.plays]
        let missing = required.filter { positions[$0] == nil }
        guard missing.isEmpty else {
            throw FeatureError.missingColumns(path: path, missing: missing, available: header)
        }
        return header.map { name in
            switch name {
            case columns.user: ListenRowBuilder.userRole
            case columns.track: ListenRowBuilder.trackRole
            case columns.plays: ListenRowBuilder.playsRole
            default: ListenRowBuilder.ignoredRole
            }
        }
    }

    /// Groups listens by user with a counting sort (stable), then keeps the first listen
    /// of each user–track pair and records the others as duplicates.
    private static func group(
        users: [UInt32], tracks: [UInt32], plays: [UInt32], lines: [Int32], userCount: Int, trackCount: Int,
        columns: ListenColumns, userTable: IDIndexBuilder, trackTable: IDIndexBuilder, quality: inout StoreQuality
    ) -> (starts: [UInt64], tracks: [UInt32], plays: [UInt32]) {
        var starts = [Int](repeating: 0, count: userCount + 1)
        for user in users {
            starts[Int(user) + 1] += 1
        }
        for index in 0..<userCount {
            starts[index + 1] += starts[index]
        }
        var next = starts
        var order = [Int](repeating: 0, count: users.count)
        for (listen, user) in users.enumerated() {
            order[next[Int(user)]] = listen
            next[Int(user)] += 1
        }

        var lastUser = [Int32](repeating: -1, count: trackCount)
        var firstListen = [Int](repeating: 0, count: trackCount)
        var keptStarts: [UInt64] = [0]
        var keptTracks: [UInt32] = []
        var keptPlays: [UInt32] = []
        keptTracks.reserveCapacity(users.count)
        keptPlays.reserveCapacity(users.count)
        for user in 0..<userCount {
            for position in starts[user]..<starts[user + 1] {
                let listen = order[position]
                let track = Int(tracks[listen])
                if lastUser[track] == Int32(user) {
                    let value = idString(userTable, user) + "," + idString(trackTable, track)
                    quality.record(BadRowExample(
                        file: quality.file, line: Int(lines[listen]), column: columns.track, value: value,
                        reason: .duplicateID, details: ["first": String(lines[firstListen[track]])]))
                    quality.rowsKept -= 1
                    continue
                }
                lastUser[track] = Int32(user)
                firstListen[track] = listen
                keptTracks.append(UInt32(track))
                keptPlays.append(plays[listen])
            }
            keptStarts.append(UInt64(keptTracks.count))
        }
        return (keptStarts, keptTracks, keptPlays)
    }

    private static func idString(_ table: IDIndexBuilder, _ row: Int) -> String {
        let start = Int(table.offsets[row])
        let end = Int(table.offsets[row + 1])
        return String(decoding: table.bytes[start..<end], as: UTF8.self)
    }
}
