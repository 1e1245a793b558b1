import Foundation
import MMTestSupport
import Testing

@testable import MMFeatures

@Suite struct EncodingTests {
    @Test func invalidByteNamedWithOffsetAndHint() {
        let tables = TestTables()
        let bytes = Array("user_id,a\nu1,1\nu".utf8) + [0xE9] + Array(",2\n".utf8)
        let url = tables.write("table.csv", bytes: bytes)
        let error = featureError { _ = try FeatureStore.open(url, options: TestTables.options()) }
        #expect(error == .invalidUTF8(path: url.path, offset: 16, line: 3, byte: 0xE9))
        #expect(error?.exitCode == .badInput)
        let text = error?.message.text(in: .english) ?? ""
        #expect(text.contains("byte 16 (line 3) is 0xE9"))
        #expect(text.contains("--encoding latin1 or --encoding cp1252"))
    }

    @Test func invalidByteInHeaderFound() {
        let tables = TestTables()
        let url = tables.write("table.csv", bytes: [0xEF, 0xBB, 0xBF] + Array("user_id,caf".utf8) + [0xE9] + Array("\nu1,1\n".utf8))
        let error = featureError { _ = try FeatureStore.open(url, options: TestTables.options()) }
        #expect(error == .invalidUTF8(path: url.path, offset: 14, line: 1, byte: 0xE9))
    }

    @Test func overlongAndSurrogateRejected() {
        for sequence: [UInt8] in [[0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82]] {
            let tables = TestTables()
            let url = tables.write("table.csv", bytes: Array("user_id,a\nu".utf8) + sequence + Array(",1\n".utf8))
            let error = featureError { _ = try FeatureStore.open(url, options: TestTables.options()) }
            #expect(error == .invalidUTF8(path: url.path, offset: 11, line: 2, byte: sequence[0]))
        }
    }

    @Test func multibyteUTF8Accepted() throws {
        let tables = TestTables()
        let store = try tables.store("user_id,a\n用户1,1\nü🎵,2\n")
        #expect(store.values("用户1") == [1])
        #expect(store.values("ü🎵") == [2])
    }

    @Test func utf16FileRejected() {
        let tables = TestTables()
        let url = tables.write("table.csv", bytes: [0xFF, 0xFE] + Array("u\0s\0".utf8))
        let error = featureError { _ = try FeatureStore.open(url, options: TestTables.options()) }
        #expect(error == .utf16(path: url.path))
    }

    @Test func latin1Converted() throws {
        let tables = TestTables()
        var options = TestTables.options()
        options.encoding = .latin1
        let bytes = Array("user_id,a\ncaf".utf8) + [0xE9] + Array(",1\nx".utf8) + [0x80] + Array(",2\n".utf8)
        let store = try tables.store(bytes: bytes, options: options)
        #expect(store.values("café") == [1])
        #expect(store.values("x\u{80}") == nil)
        #expect(store.quality.skipped == [.invalidID: 1])
    }

    @Test func cp1252HighBytesMapped() throws {
        let tables = TestTables()
        var options = TestTables.options()
        options.encoding = .cp1252
        let bytes = Array("user_id,a\n".utf8) + [0x80, 0x93, 0x94, 0x96, 0xE9] + Array(",1\n".utf8)
        let store = try tables.store(bytes: bytes, options: options)
        #expect(store.id(at: 0) == "€“”–é")
    }

    @Test func encodingNamesParsed() {
        #expect(TextEncoding(name: "UTF-8") == .utf8)
        #expect(TextEncoding(name: "latin-1") == .latin1)
        #expect(TextEncoding(name: "ISO-8859-1") == .latin1)
        #expect(TextEncoding(name: "windows-1252") == .cp1252)
        #expect(TextEncoding(name: "ebcdic") == nil)
    }
}

/// The Windows-1252 and Latin-1 tables of the reference data.
@Suite struct RealEncodingTests {
    @Test func spotifyTop50NeedsEncoding() throws {
        let url = try SharedData.require("datasets/spotify-top-songs-kaggle/top50.csv")
        let error = featureError { _ = try FeatureStore.open(url, options: TestTables.options(id: "Track.Name")) }
        #expect(error == .invalidUTF8(path: url.path, offset: 183, line: 2, byte: 0xF1))
    }

    @Test func spotifyTop50AsCP1252() throws {
        let url = try SharedData.require("datasets/spotify-top-songs-kaggle/top50.csv")
        var options = RealTableTests.options(id: "Track.Name", ignore: ["unnamed_1", "Artist.Name"], label: "Genre")
        options.encoding = .cp1252
        let store = try FeatureStore.open(url, options: options)
        #expect(store.count == 50)
        #expect(store.dimension == 10)
        #expect(store.quality.skippedRows == 0)
        let row = try #require(store.row(of: "Señorita"))
        #expect(store.label(at: row) == "canadian pop")
        #expect(Array(store.vector(at: row)) == [117, 55, 76, -6, 8, 75, 191, 4, 3, 79])
        #expect(store.row(of: "fuck, i'm lonely (with Anne-Marie) - from “13 Reasons Why: Season 3”") != nil)
        var libcsv = options
        libcsv.parser = .libcsv
        expectSameContent(store, try FeatureStore.open(url, options: libcsv))
    }

    @Test func spotifyTop10sAsCP1252() throws {
        let url = try SharedData.require("datasets/spotify-top-songs-kaggle/top10s.csv")
        let error = featureError { _ = try FeatureStore.open(url, options: TestTables.options(id: "unnamed_1")) }
        #expect(error == .invalidUTF8(path: url.path, offset: 5115, line: 58, byte: 0xE9))

        var options = RealTableTests.options(id: "unnamed_1", ignore: ["artist", "top genre"], label: "title")
        options.encoding = .cp1252
        let store = try FeatureStore.open(url, options: options)
        #expect(store.count == 603)
        #expect(store.dimension == 11)
        let row = try #require(store.row(of: "71"))
        #expect(store.label(at: row) == "Just Can’t Get Enough")
        #expect(store.vector(at: row)[0] == 2011)
    }

    @Test func hetrecTagsAsLatin1() throws {
        let url = try SharedData.require("datasets/hetrec2011-lastfm-2k/tags.dat")
        let error = featureError { _ = try FeatureStore.open(url, options: TestTables.options(id: "tagValue")) }
        #expect(error == .invalidUTF8(path: url.path, offset: 48269, line: 2815, byte: 0xE1))

        var options = TestTables.options(id: "tagValue")
        options.encoding = .latin1
        let store = try FeatureStore.open(url, options: options)
        #expect(store.count == 11946)
        #expect(store.columns == ["tagID"])
        #expect(store.values("tropicália") == [2863])
        #expect(store.row(of: "fußball") != nil)
    }
}
