import Foundation
import MMTestSupport
import Testing

@testable import MMFeatures

/// A small catalogue folder written into a test's own directory.
struct SmallCatalogue {
    let folder = TemporaryDirectory("catalogue")

    init(covers: Bool = true, clips: Bool = true, labels: Bool = true) {
        folder.write("genres.csv", "id,name,name_zh\n0,rock,摇滚\n1,jazz,爵士\n2,pop,流行\n")
        folder.write("history.csv", "user_id,h0,h1\nu1,0.1,0.2\nu2,0.3,0.4\nu3,0.5,0.6\n")
        if covers {
            folder.write("covers.csv", "track_id,c0\nt1,1\nt2,2\nt3,3\nt4,4\nt5,5\n")
        }
        if clips {
            folder.write("clips.csv", "track_id,a0,a1\nt1,1,1\nt2,2,2\nt3,3,3\nt5,5,5\n")
        }
        folder.write("listens.csv", """
            user_id,track_id,plays
            u1,t3,5
            u1,t1,9
            u1,t2,5
            u1,t4,20
            u1,t9,50
            u2,t4,3
            u1,t5,1
            u4,t1,2

            """)
        if labels {
            folder.write("labels.csv", "user_id,genre,engagement\nu1,rock,0.5\nu2,jazz,1\nu3,metal,0.2\nu4,pop,1.5\n")
        }
    }

    var url: URL { folder.url }

    static var options: CatalogueOptions {
        var options = CatalogueOptions(useCache: false)
        options.logsWarnings = false
        return options
    }

    func open() throws -> Catalogue {
        try Catalogue.open(url, options: Self.options)
    }
}

@Suite struct CatalogueTests {
    @Test func opensEveryFile() throws {
        let catalogue = try SmallCatalogue().open()
        #expect(catalogue.history.count == 3)
        #expect(catalogue.covers?.count == 5)
        #expect(catalogue.clips?.dimension == 2)
        #expect(catalogue.listens.count == 8)
        #expect(catalogue.listens.userCount == 3)
        #expect(catalogue.genres.map(\.name) == ["rock", "jazz", "pop"])
        #expect(catalogue.genres[2] == Genre(id: 2, name: "pop", nameZh: "流行"))
        #expect(catalogue.availableModalities == .all)
    }

    @Test func userInputChoosesMostPlayedWithBothModalities() throws {
        let catalogue = try SmallCatalogue().open()
        let input = try catalogue.userInput(for: "u1", maxTracks: 3).get()
        #expect(input.historyRow == 0)
        #expect(input.listenCount == 6)
        // t9 is in neither store and t4 has no clip: both dropped before choosing.
        #expect(input.droppedTracks == 2)
        #expect(input.tracks.map(\.trackID) == ["t1", "t2", "t3"])
        #expect(input.tracks.map(\.plays) == [9, 5, 5])
        #expect(input.tracks[1].coverRow == 1)
        #expect(input.tracks[1].clipRow == 1)
        #expect(!input.hasNoUsableTracks)
    }

    @Test func userInputWithCoversOnly() throws {
        let catalogue = try SmallCatalogue().open()
        let input = try catalogue.userInput(for: "u1", maxTracks: 2, modalities: .covers).get()
        #expect(input.tracks.map(\.trackID) == ["t4", "t1"])
        #expect(input.tracks[0].clipRow == nil)
        #expect(input.droppedTracks == 1)
    }

    @Test func userWithoutUsableTracksFlagged() throws {
        let catalogue = try SmallCatalogue().open()
        let onlyDropped = try catalogue.userInput(for: "u2").get()
        #expect(onlyDropped.hasNoUsableTracks)
        #expect(onlyDropped.droppedTracks == 1)
        let noListens = try catalogue.userInput(for: "u3").get()
        #expect(noListens.hasNoUsableTracks)
        #expect(noListens.listenCount == 0)
    }

    @Test func userWithoutHistoryFails() throws {
        let catalogue = try SmallCatalogue().open()
        let result = catalogue.userInput(for: "u4")
        let path = catalogue.history.url.path
        #expect(throws: UserInputFailure.missingHistory(userID: "u4", path: path)) { try result.get() }
        if case .failure(let failure) = result {
            #expect(failure.exitCode == .badInput)
            #expect(failure.message.text(in: .english).hasPrefix("no usable row in \(path)"))
        }
    }

    @Test func labelsCheckedAgainstGenres() throws {
        let catalogue = try SmallCatalogue().open()
        let labels = try #require(catalogue.labels)
        #expect(labels.count == 2)
        #expect(labels.label(for: "u2") == UserLabel(genreIndex: 1, genre: "jazz", engagement: 1))
        #expect(labels.label(for: "u3") == nil)
        #expect(labels.quality.skipped[.unknownLabel] == 1)
        #expect(labels.quality.skipped[.outOfBounds] == 1)
    }

    @Test func optionalFilesMayBeAbsent() throws {
        let catalogue = try SmallCatalogue(covers: false, clips: false, labels: false).open()
        #expect(catalogue.covers == nil)
        #expect(catalogue.clips == nil)
        #expect(catalogue.labels == nil)
        #expect(catalogue.availableModalities == [])
        let input = try catalogue.userInput(for: "u1").get()
        #expect(input.tracks.count == 6)
        #expect(input.tracks.first?.trackID == "t9")
    }

    @Test func missingFolderFails() {
        let folder = TemporaryDirectory("missing")
        let missing = folder.path("nothing-here")
        let error = featureError { _ = try Catalogue.open(missing, options: SmallCatalogue.options) }
        #expect(error == .missingCatalogue(path: missing.path))
    }

    @Test func missingHistoryFileFails() throws {
        let catalogue = SmallCatalogue()
        try FileManager.default.removeItem(at: catalogue.folder.path("history.csv"))
        let error = featureError { _ = try catalogue.open() }
        guard case .unreadable(let path, _) = error else {
            Issue.record("expected .unreadable, got \(String(describing: error))")
            return
        }
        #expect(path.hasSuffix("history.csv"))
        #expect(error?.exitCode == .badInput)
    }

    @Test func fingerprintCombinesStores() throws {
        let catalogue = SmallCatalogue()
        let first = try catalogue.open().fingerprint
        #expect(try catalogue.open().fingerprint == first)
        catalogue.folder.write("covers.csv", "track_id,c0\nt1,1\nt2,2\nt3,3\nt4,4\nt5,6\n")
        #expect(try catalogue.open().fingerprint != first)
    }
}

@Suite struct ListenStoreTests {
    @Test func groupsByUserInFileOrder() throws {
        let tables = TestTables()
        let url = tables.write("listens.csv", "user_id,track_id,plays\nu1,t1,3\nu2,t1,1\nu1,t2,4\n")
        let store = try ListenStore.open(url, options: TestTables.options(id: nil))
        #expect(store.listens(of: "u1") == [.init(trackID: "t1", plays: 3), .init(trackID: "t2", plays: 4)])
        #expect(store.listens(of: "u2") == [.init(trackID: "t1", plays: 1)])
        #expect(store.listens(of: "u3") == [])
        #expect(store.trackCount == 2)
    }

    @Test func invalidPlaysSkipped() throws {
        let tables = TestTables()
        let url = tables.write("listens.csv", """
            user_id,track_id,plays
            u1,t1,0
            u1,t2,-3
            u1,t3,2.5
            u1,t4,
            u1,t5,99999999999
            u1,t6,+7
            ,t7,1
            u1,,1
            u1,t8,007

            """)
        let store = try ListenStore.open(url, options: TestTables.options(id: nil))
        #expect(store.listens(of: "u1") == [.init(trackID: "t6", plays: 7), .init(trackID: "t8", plays: 7)])
        #expect(store.quality.skipped[.invalidPlays] == 4)
        #expect(store.quality.skipped[.emptyCell] == 1)
        #expect(store.quality.skipped[.emptyID] == 2)
        let first = try #require(store.quality.firstExample)
        #expect(first.line == 2)
        #expect(first.column == "plays")
        #expect(first.value == "0")
    }

    @Test func duplicatePairKeepsFirst() throws {
        let tables = TestTables()
        let url = tables.write("listens.csv", "user_id,track_id,plays\nu1,t1,3\nu1,t2,1\nu1,t1,8\n")
        let store = try ListenStore.open(url, options: TestTables.options(id: nil))
        #expect(store.listens(of: "u1") == [.init(trackID: "t1", plays: 3), .init(trackID: "t2", plays: 1)])
        #expect(store.quality.duplicateIDs == 1)
        let example = try #require(store.quality.examples.first)
        #expect(example.line == 4)
        #expect(example.details["first"] == "2")
        #expect(example.value == "u1,t1")
    }

    @Test func missingColumnFails() {
        let tables = TestTables()
        let url = tables.write("listens.csv", "user_id,track,plays\nu1,t1,3\n")
        let error = featureError { _ = try ListenStore.open(url, options: TestTables.options(id: nil)) }
        #expect(error == .missingColumns(path: url.path, missing: ["track_id"], available: ["user_id", "track", "plays"]))
    }
}

@Suite struct GenreTableTests {
    @Test func readsInOrder() throws {
        let tables = TestTables()
        let url = tables.write("genres.csv", "id,name,name_zh\r\n0,blues,蓝调\r\n1,rock,摇滚\r\n")
        let genres = try GenreTable.read(url)
        #expect(genres == [Genre(id: 0, name: "blues", nameZh: "蓝调"), Genre(id: 1, name: "rock", nameZh: "摇滚")])
        #expect(genres[1].displayName(in: .chinese) == "摇滚")
    }

    @Test func problemsAreFatal() {
        let cases: [(String, String)] = [
            ("id,name,name_zh\n0,blues,蓝调\n2,rock,摇滚\n", "should be 1"),
            ("id,name,name_zh\n0,blues,蓝调\n1,blues,摇滚\n", "already appears on line 2"),
            ("id,name,name_zh\n0,blues,蓝调\n1,,摇滚\n", "must not be empty"),
            ("id,name,name_zh\n0,blues,蓝调\n1,rock\n", "expected 3 fields, found 2"),
            ("id,name,name_zh\n0,blues,蓝调\n", "at least 2"),
        ]
        for (text, expected) in cases {
            let tables = TestTables()
            let url = tables.write("genres.csv", text)
            let error = featureError { _ = try GenreTable.read(url) }
            #expect(error?.exitCode == .badInput)
            #expect(error?.message.text(in: .english).contains(expected) == true, "\(String(describing: error))")
        }
    }
}
