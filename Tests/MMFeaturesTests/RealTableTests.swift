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
