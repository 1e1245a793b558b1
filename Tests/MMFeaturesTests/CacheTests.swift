import Foundation
import MMCore
import MMTestSupport
import Testing

@testable import MMFeatures

/// A table in a test folder read through the cache in `<folder>/.mmcache`.
struct CachedTable {
    let tables = TestTables()
    let url: URL

    init(_ text: String = "user_id,a,b\nu1,1,2\nu2,3,4\n", name: String = "history.csv") {
        url = tables.write(name, text)
    }

    var options: FeatureReadOptions {
        var options = TestTables.options()
        options.useCache = true
        return options
    }

    func open(rebuild: Bool = false, strict: Bool = false) throws -> FeatureStore {
        var options = options
        options.rebuildCache = rebuild
        options.strict = strict
        return try FeatureStore.open(url, options: options)
    }

    var cacheFolder: URL { tables.folder.path(".mmcache") }

    /// Returns the table's only cache file.
    func cacheFile() throws -> URL {
        let names = try FileManager.default.contentsOfDirectory(atPath: cacheFolder.path).filter { $0.hasSuffix(".mmstore") }
        try #require(names.count == 1, "cache files: \(names)")
        return cacheFolder.appendingPathComponent(names[0])
    }

    /// Returns the offset of a section in the cache file.
    func sectionOffset(_ tag: String) throws -> Int {
        let url = try cacheFile()
        let key = try #require(SourceKey.read(path: self.url.path))
        let optionsHash = options.resultHash(kind: "features", for: self.url)
        let file = try CacheFile.open(url: url, kind: .featureStore, key: key, optionsHash: optionsHash).get()
        let section = try #require(file.section(tag))
        return file.mapping.bytes.baseAddress!.distance(to: section.baseAddress!)
    }
}

/// Overwrites bytes of a file in place, keeping its inode, size and (when asked) mtime.
func patch(_ url: URL, at offset: Int, with bytes: [UInt8], keepingModificationTime: Bool = false) throws {
    var before = stat()
    stat(url.path, &before)
    let handle = try FileHandle(forUpdating: url)
    try handle.seek(toOffset: UInt64(offset))
    try handle.write(contentsOf: bytes)
    try handle.close()
    if keepingModificationTime {
        var times = [before.st_atim, before.st_mtim]
        #expect(utimensat(AT_FDCWD, url.path, &times, 0) == 0)
    }
}

/// Flips every bit of one byte of a file in place.
func flipByte(_ url: URL, at offset: Int) throws {
    let data = try Data(contentsOf: url)
    try patch(url, at: offset, with: [~data[offset]])
}

@Suite struct CacheTests {
    @Test func firstOpenBuildsSecondReuses() throws {
        let table = CachedTable()
        let built = try table.open()
        #expect(built.cacheStatus == .built)
        #expect(FileManager.default.fileExists(atPath: try table.cacheFile().path))
        let reused = try table.open()
        #expect(reused.cacheStatus == .reused)
        expectSameContent(built, reused)
        #expect(reused.values("u2") == [3, 4])
        #expect(reused.row(of: "u3") == nil)
    }

    @Test func emptyTablesCached() throws {
        let table = CachedTable("user_id,a,b\n")
        #expect(try table.open().cacheStatus == .built)
        let reused = try table.open()
        #expect(reused.cacheStatus == .reused)
        #expect(reused.count == 0)
        #expect(reused.dimension == 2)
        #expect(reused.row(of: "u1") == nil)

        let url = table.tables.write("listens.csv", "user_id,track_id,plays\n")
        var options = TestTables.options(id: nil)
        options.useCache = true
        #expect(try ListenStore.open(url, options: options).cacheStatus == .built)
        let listens = try ListenStore.open(url, options: options)
        #expect(listens.cacheStatus == .reused)
        #expect(listens.count == 0)
        #expect(listens.listens(of: "u1") == [])
    }

    @Test func changedFileRebuilds() throws {
        let table = CachedTable()
        _ = try table.open()
        table.tables.write("history.csv", "user_id,a,b\nu1,1,2\nu2,3,5\nu3,0,0\n")
        let store = try table.open()
        #expect(store.cacheStatus == .built)
        #expect(store.values("u2") == [3, 5])
        #expect(store.count == 3)
    }

    @Test func sameSizeEditWithOldMtimeSeenInEdges() throws {
        let table = CachedTable()
        _ = try table.open()
        // "u2,3,4" becomes "u2,3,5": same size, same inode, same mtime, but the edit is in
        // the first MiB, which the key hashes.
        try patch(table.url, at: 24, with: Array("5".utf8), keepingModificationTime: true)
        let store = try table.open()
        #expect(store.cacheStatus == .built)
        #expect(store.values("u2") == [3, 5])
    }

    @Test func editInMiddleOfLargeFileUnseen() throws {
        // The one edit the key cannot see: same size, mtime and inode, and an unchanged
        // first and last MiB. `rebuildCache` is the remedy.
        var text = "user_id,a\n"
        for index in 0..<300_000 {
            text += "u\(index),\(index % 10)\n"
        }
        let table = CachedTable(text)
        #expect(text.utf8.count > 5 << 19)
        _ = try table.open()
        let bytes = Array(text.utf8)
        var lineStart = bytes.count / 2
        while bytes[lineStart - 1] != UInt8(ascii: "\n") {
            lineStart -= 1
        }
        let comma = bytes[lineStart...].firstIndex(of: UInt8(ascii: ","))!
        let id = String(decoding: bytes[lineStart..<comma], as: UTF8.self)
        let digitOffset = comma + 1
        let oldDigit = bytes[digitOffset]
        let newDigit = oldDigit == UInt8(ascii: "9") ? UInt8(ascii: "0") : oldDigit + 1
        try patch(table.url, at: digitOffset, with: [newDigit], keepingModificationTime: true)

        let stale = try table.open()
        #expect(stale.cacheStatus == .reused)
        #expect(stale.values(id) == [Float(oldDigit - 48)])
        let rebuilt = try table.open(rebuild: true)
        #expect(rebuilt.cacheStatus == .built)
        #expect(rebuilt.values(id) == [Float(newDigit - 48)])
    }

    @Test func truncatedCacheRebuilt() throws {
        let table = CachedTable()
        _ = try table.open()
        let cache = try table.cacheFile()
        let size = try FileManager.default.attributesOfItem(atPath: cache.path)[.size] as! Int
        #expect(truncate(cache.path, off_t(size - 5)) == 0)
        let store = try table.open()
        #expect(store.cacheStatus == .built)
        #expect(store.values("u2") == [3, 4])
        #expect(try table.open().cacheStatus == .reused)
    }

    @Test func cacheCutInsideHeaderRebuilt() throws {
        let table = CachedTable()
        _ = try table.open()
        #expect(truncate(try table.cacheFile().path, 40) == 0)
        #expect(try table.open().cacheStatus == .built)
    }

    @Test func damagedHeaderRebuilt() throws {
        let table = CachedTable()
        _ = try table.open()
        try flipByte(try table.cacheFile(), at: 100)
        let store = try table.open()
        #expect(store.cacheStatus == .built)
        #expect(store.values("u1") == [1, 2])
    }

    @Test func damagedIndexRebuilt() throws {
        for tag in ["IDBY", "INDX", "IDOF", "META"] {
            let table = CachedTable()
            _ = try table.open()
            let offset = try table.sectionOffset(tag)
            try flipByte(try table.cacheFile(), at: offset)
            let store = try table.open()
            #expect(store.cacheStatus == .built, "\(tag)")
            #expect(store.values("u2") == [3, 4], "\(tag)")
        }
    }

    @Test func otherFormatVersionRebuilt() throws {
        let table = CachedTable()
        _ = try table.open()
        try patch(try table.cacheFile(), at: 8, with: [99, 0, 0, 0])
        #expect(try table.open().cacheStatus == .built)
    }

    @Test func foreignFileInPlaceOfCacheRebuilt() throws {
        let table = CachedTable()
        _ = try table.open()
        let cache = try table.cacheFile()
        try Data(repeating: 0x41, count: 4096).write(to: cache)
        #expect(try table.open().cacheStatus == .built)
    }

    @Test func rebuildOptionForcesParse() throws {
        let table = CachedTable()
        _ = try table.open()
        #expect(try table.open(rebuild: true).cacheStatus == .built)
        #expect(try table.open().cacheStatus == .reused)
    }

    @Test func payloadDamageFoundOnlyByDeepCheck() throws {
        let table = CachedTable()
        _ = try table.open()
        let offset = try table.sectionOffset("VECS")
        try patch(try table.cacheFile(), at: offset, with: [0x00, 0x00, 0x40, 0x40])
        let store = try table.open()
        #expect(store.cacheStatus == .reused)
        #expect(store.values("u1") == [3, 2])
        #expect(store.verifyPayload() == false)

        let summary = try FeatureCheck.checkFile(table.url, options: table.options, deep: true)
        #expect(summary.payloadIntact == false)
        #expect(summary.cacheStatus == .built)
        let repaired = try table.open()
        #expect(repaired.values("u1") == [1, 2])
        #expect(repaired.verifyPayload() == true)
    }

    @Test func optionsKeepSeparateCopies() throws {
        let table = CachedTable()
        _ = try table.open()
        var options = table.options
        options.ignoredColumns = ["b"]
        let narrow = try FeatureStore.open(table.url, options: options)
        #expect(narrow.cacheStatus == .built)
        #expect(narrow.columns == ["a"])
        #expect(try table.open().cacheStatus == .reused)
        #expect(try FeatureStore.open(table.url, options: options).cacheStatus == .reused)
    }

    @Test func strictFailsFromCachedQuality() throws {
        let table = CachedTable("user_id,a,b\nu1,1,2\nu2,x,4\n")
        let lenient = try table.open()
        #expect(lenient.count == 1)
        let error = featureError { _ = try table.open(strict: true) }
        guard case .badRow(let example) = error else {
            Issue.record("expected .badRow, got \(String(describing: error))")
            return
        }
        #expect(example.line == 3)
        #expect(example.column == "a")
        #expect(example.value == "x")
        #expect(example.file == table.url.path)
    }

    @Test func writesLeaveNoTemporaryFiles() throws {
        let table = CachedTable()
        try FileManager.default.createDirectory(at: table.cacheFolder, withIntermediateDirectories: true)
        // A temporary file of a process that no longer exists (pid 2^22 + 1 is above the
        // default pid_max).
        let leftover = table.cacheFolder.appendingPathComponent(".history.csv.x.mmstore.tmp-4194305-1")
        try Data([1, 2, 3]).write(to: leftover)
        _ = try table.open()
        let names = try FileManager.default.contentsOfDirectory(atPath: table.cacheFolder.path)
        #expect(names.count == 1)
        #expect(names.allSatisfy { $0.hasSuffix(".mmstore") })
        #expect(names.allSatisfy { !$0.hasPrefix(".") })
    }

    @Test func listensCacheReusedAndRebuilt() throws {
        let tables = TestTables()
        let url = tables.write("listens.csv", "user_id,track_id,plays\nu1,t1,3\nu1,t2,1\n")
        var options = TestTables.options(id: nil)
        options.useCache = true
        #expect(try ListenStore.open(url, options: options).cacheStatus == .built)
        let reused = try ListenStore.open(url, options: options)
        #expect(reused.cacheStatus == .reused)
        #expect(reused.listens(of: "u1") == [.init(trackID: "t1", plays: 3), .init(trackID: "t2", plays: 1)])
        #expect(reused.verifyPayload() == true)
        tables.write("listens.csv", "user_id,track_id,plays\nu1,t1,4\n")
        let changed = try ListenStore.open(url, options: options)
        #expect(changed.cacheStatus == .built)
        #expect(changed.listens(of: "u1") == [.init(trackID: "t1", plays: 4)])
    }

    @Test func catalogueCacheFolderOption() throws {
        let catalogue = SmallCatalogue()
        let elsewhere = TemporaryDirectory("cache")
        var options = SmallCatalogue.options
        options.useCache = true
        options.cacheDirectory = elsewhere.url
        _ = try Catalogue.open(catalogue.url, options: options)
        let reused = try Catalogue.open(catalogue.url, options: options)
        #expect(reused.history.cacheStatus == .reused)
        #expect(reused.listens.cacheStatus == .reused)
        #expect(reused.labels?.table.cacheStatus == .reused)
        let names = try FileManager.default.contentsOfDirectory(atPath: elsewhere.url.path)
        #expect(names.filter { $0.hasSuffix(".mmstore") }.count == 5)
        #expect(!FileManager.default.fileExists(atPath: catalogue.folder.path(".mmcache").path))
    }
}

/// Tests that capture log lines, which is process-wide.
@Suite(.serialized) struct CacheWarningTests {
    @Test func unwritableCacheWarnsOnceAndContinues() throws {
        let tables = TestTables()
        let first = tables.write("history.csv", "user_id,a\nu1,1\n")
        let second = tables.write("covers.csv", "track_id,a\nt1,1\n")
        // A folder below a regular file cannot be created, even by root.
        let blocked = first.appendingPathComponent("cache")
        let lines = LogCapture()
        defer { lines.stop() }

        var options = TestTables.options()
        options.useCache = true
        options.cacheDirectory = blocked
        options.logsWarnings = true
        let store = try FeatureStore.open(first, options: options)
        options.idColumn = "track_id"
        let other = try FeatureStore.open(second, options: options)

        #expect(store.cacheStatus == .unwritable)
        #expect(other.cacheStatus == .unwritable)
        #expect(store.values("u1") == [1])
        let warnings = lines.lines.filter { $0.contains(" WARN ") && $0.contains(blocked.path) }
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("continuing without a cache") == true)
    }

    @Test func skippedRowsLoggedWithSummary() throws {
        let tables = TestTables()
        var text = "user_id,a\n"
        for index in 0..<10 {
            text += "u\(index),bad\n"
        }
        let url = tables.write("history.csv", text + "u1,1\n")
        let lines = LogCapture()
        defer { lines.stop() }
        var options = TestTables.options()
        options.logsWarnings = true
        _ = try FeatureStore.open(url, options: options)

        let mine = lines.lines.filter { $0.contains(url.path) && $0.contains(" WARN ") }
        #expect(mine.count == StoreQuality.examplesPerReason + 1)
        #expect(mine[0].contains("\(url.path):2: row skipped: column 'a', value 'bad': expected a decimal number"))
        #expect(mine.last?.contains("skipped 10 of 11 rows (not a number: 10)") == true)
    }
}

/// Collects log lines while alive.
final class LogCapture: @unchecked Sendable {
    // `lock` protects `collected`, which the log sink appends to from any thread.
    private let lock = NSLock()
    private var collected: [String] = []

    init() {
        Log.setSink { [self] line in
            lock.lock()
            collected.append(line)
            lock.unlock()
        }
    }

    var lines: [String] {
        lock.lock()
        defer { lock.unlock() }
        return collected
    }

    func stop() {
        Log.setSink { line in FileHandle.standardError.write(Data(line.utf8)) }
    }
}
