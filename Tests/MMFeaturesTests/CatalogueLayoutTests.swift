import Testing

@testable import MMFeatures

@Suite struct CatalogueLayoutTests {
    @Test func fileNames() {
        #expect(CatalogueFile.allCases.map(\.rawValue) == ["history.csv", "covers.csv", "clips.csv", "listens.csv", "genres.csv", "labels.csv"])
    }
}
