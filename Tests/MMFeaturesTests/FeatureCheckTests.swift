import Foundation
import MMCore
import MMTestSupport
import Testing

@testable import MMFeatures

@Suite struct FeatureCheckTests {
    @Test func fileSummaryStatistics() throws {
        let tables = TestTables()
        let url = tables.write("history.csv", "user_id,a,b,c\nu1,1,-2,0\nu2,3,4,0\nu3,0,0,0\nu4,x,1,1\nu1,9,9,9\n")
        let summary = try FeatureCheck.checkFile(url, options: TestTables.options())
        #expect(summary.rows == 3)
        #expect(summary.dimension == 3)
        #expect(summary.allZeroRows == 1)
        #expect(summary.columns[0] == ColumnSummary(name: "a", minimum: 0, maximum: 3, mean: 4.0 / 3.0))
        #expect(summary.columns[1].minimum == -2)
        #expect(summary.largestMeans(1).map(\.name) == ["a"])
        #expect(summary.smallestMeans(1).map(\.name) == ["c"])
        #expect(summary.quality.skipped == [.notANumber: 1, .duplicateID: 1])
        #expect(summary.payloadIntact == nil)
    }

    @Test func fileSummaryRendersInBothLanguages() throws {
        let tables = TestTables()
        let url = tables.write("history.csv", "user_id,a,b\nu1,1,2\nu2,nan,1\n")
        let summary = try FeatureCheck.checkFile(url, options: TestTables.options())
        let english = summary.render(in: .english)
        #expect(english.contains("1 rows × 2 columns (cache: off)"))
        #expect(english.contains("skipped 1 of 2 rows (NaN or infinity: 1)"))
        #expect(english.contains("line 3, column 'a', value 'nan': NaN and infinities are not allowed"))
        #expect(english.contains("largest column means: b (2), a (1)"))
        let chinese = summary.render(in: .chinese)
        #expect(chinese.contains("2 行中跳过了 1 行"))
        #expect(chinese.contains("第 3 行，列 'a'，值 'nan'"))
    }

    @Test func catalogueCheckCrossReferences() throws {
        let catalogue = SmallCatalogue()
        let check = try FeatureCheck.checkCatalogue(catalogue.url, options: SmallCatalogue.options)
        #expect(check.stores.map(\.rows) == [3, 5, 4])
        #expect(check.listens.listens == 8)
        #expect(check.listens.usersWithoutHistory == 1)
        #expect(check.listens.tracksWithoutCover == 1)
        #expect(check.listens.tracksWithoutClip == 2)
        #expect(check.labels?.rows == 2)
        #expect(check.labelsWithoutHistory == 0)
        #expect(check.skippedRows == 2)
        let text = check.render(in: .english)
        #expect(text.contains("genres.csv: 3 genres: rock, jazz, pop"))
        #expect(text.contains("users without a history row: 1; listened tracks without a cover: 1, without a clip: 2"))
        #expect(check.render(in: .chinese).contains("3 个流派：摇滚, 爵士, 流行"))
    }

    @Test func deepCheckReportsIntactPayload() throws {
        let catalogue = SmallCatalogue()
        var options = SmallCatalogue.options
        options.useCache = true
        _ = try FeatureCheck.checkCatalogue(catalogue.url, options: options)
        let check = try FeatureCheck.checkCatalogue(catalogue.url, options: options, deep: true)
        #expect(check.stores.allSatisfy { $0.payloadIntact == true })
        #expect(check.stores.allSatisfy { $0.cacheStatus == .reused })
        #expect(check.listens.payloadIntact == true)
        #expect(check.render(in: .english).contains("cache payload checksum: intact"))
    }
}
