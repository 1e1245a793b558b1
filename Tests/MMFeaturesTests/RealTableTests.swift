import Foundation
import MMTestSupport
import Testing

@testable import MMFeatures

/// Public tables from the reference data folder, read in place (the folder is read-only,
/// so the cache is off).
@Suite struct RealTableTests {
    static func options(id: String?, ignore: [String] = [], label: String? = nil) -> FeatureReadOptions {
        var options = TestTables.options(id: id)
        options.ignoredColumns = ignore
        options.labelColumn = label
        return options
    }

    @Test func gtzanThirtySecondFeatures() throws {
        let url = try SharedData.require("datasets/gtzan-features/features_30_sec.csv")
        let store = try FeatureStore.open(url, options: Self.options(id: "filename", ignore: ["length", "label"]))
        #expect(store.count == 1000)
        #expect(store.dimension == 57)
        #expect(store.quality.skippedRows == 0)
        #expect(store.columns.first == "chroma_stft_mean")
        #expect(store.columns.last == "mfcc20_var")
        let first = try #require(store.values("blues.00000.au"))
        #expect(first[0] == Float("0.35008811950683594"))
        #expect(first[1] == Float("0.08875656872987747"))
        #expect(store.id(at: 999) == "rock.00099.au")
    }

    @Test func gtzanLabelsKept() throws {
        let url = try SharedData.require("datasets/gtzan-features/features_30_sec.csv")
        let store = try FeatureStore.open(url, options: Self.options(id: "filename", ignore: ["length"], label: "label"))
        #expect(store.dimension == 57)
        let labels = (0..<store.count).compactMap { store.label(at: $0) }
        #expect(Set(labels).count == 10)
        #expect(labels.filter { $0 == "jazz" }.count == 100)
    }

    @Test func gtzanTokenizersAgree() throws {
        let url = try SharedData.require("datasets/gtzan-features/features_30_sec.csv")
        var libcsv = Self.options(id: "filename", ignore: ["length", "label"])
        libcsv.parser = .libcsv
        let automatic = try FeatureStore.open(url, options: Self.options(id: "filename", ignore: ["length", "label"]))
        expectSameContent(automatic, try FeatureStore.open(url, options: libcsv))
    }
}

/// The re-extracted 3-second GTZAN variant: no id column, other columns and order, CRLF
/// without a final newline in test_features.csv.
@Suite struct RealVariantTableTests {
    static let folder = "datasets/gtzan-features/variant-ad5960-5genre-3sec/"

    @Test func variantWithoutIDColumnLoads() throws {
        let url = try SharedData.require(Self.folder + "features_3_sec.csv")
        let store = try FeatureStore.open(url, options: RealTableTests.options(id: nil, label: "label"))
        #expect(store.count == 4995)
        #expect(store.dimension == 53)
        #expect(store.idColumn == "")
        #expect(store.id(at: 0) == "1")
        #expect(store.vector(at: 0)[0] == Float("0.3990033"))
        #expect(store.label(at: 0) == "blues")
        let labels = Set((0..<store.count).compactMap { store.label(at: $0) })
        #expect(labels == ["blues", "classical", "hiphop", "pop", "rock"])
    }

    @Test func variantTestFileCRLFWithoutFinalNewline() throws {
        let url = try SharedData.require(Self.folder + "test_features.csv")
        let store = try FeatureStore.open(url, options: RealTableTests.options(id: nil, label: "label"))
        #expect(store.count == 260)
        #expect(store.dimension == 53)
        #expect(store.quality.skippedRows == 0)
        #expect(store.vector(at: 0)[0] == Float("0.3766601"))
        #expect(store.label(at: 259) == "classical")
        #expect(store.vector(at: 259)[52] == Float("56.279404"))
    }

    @Test func columnsMatchedByNameAcrossVariants() throws {
        let gtzanURL = try SharedData.require("datasets/gtzan-features/features_30_sec.csv")
        let variantURL = try SharedData.require(Self.folder + "test_features.csv")
        let gtzan = try FeatureStore.open(gtzanURL, options: RealTableTests.options(id: "filename", ignore: ["length", "label"]))
        let variant = try FeatureStore.open(variantURL, options: RealTableTests.options(id: nil, label: "label"))
        #expect(gtzan.columns != variant.columns)

        let aligned = try gtzan.selectingColumns(variant.columns)
        #expect(aligned.columns == variant.columns)
        let rolloff = try #require(variant.columns.firstIndex(of: "rolloff_mean"))
        let original = try #require(gtzan.columns.firstIndex(of: "rolloff_mean"))
        #expect(aligned.vector(at: 7)[rolloff] == gtzan.vector(at: 7)[original])

        let error = featureError { _ = try variant.selectingColumns(gtzan.columns) }
        guard case .missingColumns(_, let missing, _) = error else {
            Issue.record("expected .missingColumns, got \(String(describing: error))")
            return
        }
        #expect(missing == ["harmony_mean", "harmony_var", "perceptr_mean", "perceptr_var"])
        #expect(error?.exitCode == .badInput)
    }

    @Test func variantTokenizersAgree() throws {
        for name in ["features_3_sec.csv", "test_features.csv"] {
            let url = try SharedData.require(Self.folder + name)
            var libcsv = RealTableTests.options(id: nil, label: "label")
            libcsv.parser = .libcsv
            expectSameContent(
                try FeatureStore.open(url, options: RealTableTests.options(id: nil, label: "label")),
                try FeatureStore.open(url, options: libcsv))
        }
    }
}

/// HetRec 2011 Last.fm `user_artists.dat` read as a listens table.
@Suite struct RealListensTableTests {
    static let columns = ListenColumns(user: "userID", track: "artistID", plays: "weight")

    @Test func hetrecUserArtistsAsListens() throws {
        let url = try SharedData.require("datasets/hetrec2011-lastfm-2k/user_artists.dat")
        let store = try ListenStore.open(url, columns: Self.columns, options: TestTables.options(id: nil))
        #expect(store.count == 92834)
        #expect(store.userCount == 1892)
        #expect(store.trackCount == 17632)
        #expect(store.quality.skippedRows == 0)
        let listens = store.listens(of: "2")
        #expect(listens.count == 50)
        #expect(listens.first == ListenStore.Listen(trackID: "51", plays: 13883))
    }

    @Test func hetrecTokenizersAgree() throws {
        let url = try SharedData.require("datasets/hetrec2011-lastfm-2k/user_artists.dat")
        var libcsv = TestTables.options(id: nil)
        libcsv.parser = .libcsv
        let automatic = try ListenStore.open(url, columns: Self.columns, options: TestTables.options(id: nil))
        let other = try ListenStore.open(url, columns: Self.columns, options: libcsv)
        #expect(automatic.fingerprint == other.fingerprint)
        #expect(automatic.quality == other.quality)
    }
}
