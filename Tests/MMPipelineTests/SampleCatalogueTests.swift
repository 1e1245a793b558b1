import Foundation
import MMFeatures
import MMPipelineTestSupport
import MMTestSupport
import Testing

@testable import MMPipeline

@Suite struct SampleCatalogueTests {
    @Test func sameSeedSameBytes() throws {
        let first = TemporaryDirectory("sample-a")
        let second = TemporaryDirectory("sample-b")
        let recipe = CatalogueFixture.smallRecipe
        try recipe.generate(into: first.url, genres: CatalogueFixture.genres)
        try recipe.generate(into: second.url, genres: CatalogueFixture.genres)
        for file in CatalogueFile.allCases {
            let a = try Data(contentsOf: first.path(file.rawValue))
            let b = try Data(contentsOf: second.path(file.rawValue))
            #expect(a == b, "\(file.rawValue) differs between two generations with the same seed")
        }
    }

    @Test func otherSeedOtherValues() throws {
        let first = TemporaryDirectory("sample-a")
        let second = TemporaryDirectory("sample-b")
        var recipe = CatalogueFixture.smallRecipe
        try recipe.generate(into: first.url, genres: CatalogueFixture.genres)
        recipe.seed += 1
        try recipe.generate(into: second.url, genres: CatalogueFixture.genres)
        let a = try Data(contentsOf: first.path("history.csv"))
        let b = try Data(contentsOf: second.path("history.csv"))
        #expect(a != b)
    }

    @Test func filesFollowCatalogueLayout() throws {
        let folder = TemporaryDirectory("sample")
        let recipe = CatalogueFixture.smallRecipe
        try recipe.generate(into: folder.url, genres: CatalogueFixture.genres)
        let catalogue = try Catalogue.open(folder.url)

        #expect(catalogue.history.count == recipe.users)
        #expect(catalogue.history.dimension == recipe.textDimension)
        #expect(catalogue.covers?.count == recipe.tracks)
        #expect(catalogue.covers?.dimension == recipe.imageDimension)
        #expect(catalogue.clips?.dimension == recipe.audioDimension)
        #expect(catalogue.listens.count == recipe.users * recipe.listensPerUser)
        #expect(catalogue.genres.map(\.nameZh) == ["蓝调", "爵士", "金属", "流行"])
        let labels = try #require(catalogue.labels)
        #expect(labels.count == recipe.users)
        for row in 0..<labels.count {
            let engagement = labels.label(at: row).engagement
            #expect(engagement >= 0 && engagement <= 1)
        }
    }

    @Test func recentTracksBelongToLabelGenre() throws {
        // The recipe's promise: every user has `recentListens` low-play tracks of the
        // current genre, so the label is recoverable from the tracks.
        let folder = TemporaryDirectory("sample")
        let recipe = CatalogueFixture.smallRecipe
        try recipe.generate(into: folder.url, genres: CatalogueFixture.genres)
        let catalogue = try Catalogue.open(folder.url)
        let labels = try #require(catalogue.labels)
        let listens = catalogue.listens.listens(of: SampleCatalogueRecipe.userID(0))
        #expect(listens.count == recipe.listensPerUser)
        #expect(Set(listens.map(\.trackID)).count == listens.count)
        #expect(labels.label(for: SampleCatalogueRecipe.userID(0)) != nil)
    }

    @Test func fixedDecimalFormatting() {
        #expect(formatFixed(1.23456, decimals: 4) == "1.2346")
        #expect(formatFixed(-0.00004, decimals: 4) == "0.0000")
        #expect(formatFixed(-2.5, decimals: 4) == "-2.5000")
        #expect(formatFixed(0.05, decimals: 2) == "0.05")
        #expect(formatFixed(12, decimals: 0) == "12")
    }
}
