import Foundation
import MMCore
import MMTestSupport
import Testing

@testable import MMFeatures

@Suite struct ScanPlanTests {
    private func plan(_ text: String, blockBytes: Int?) throws -> ScanPlan {
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBytes { data throws(FeatureError) in
            let read: ((Range<Int>, (UnsafeRawBufferPointer) -> Void) -> Void)? = blockBytes.map { size in
                { range, body in
                    var start = range.lowerBound
                    while start < range.upperBound {
                        let end = min(start + size, range.upperBound)
                        body(UnsafeRawBufferPointer(rebasing: data[start..<end]))
                        start = end
                    }
                }
            }
            return try ScanPlanner.plan(data, fileOffset: 0, firstLine: 1, workers: 2, checkUTF8: true, path: "t", read: read)
        }
    }

    @Test func lineBreaksCountedAcrossBlocks() throws {
        let text = "a\r\nb\rc\n\r\n\rd\r"
        for blockBytes in [nil, 1, 2, 3] {
            let result = try plan(text, blockBytes: blockBytes)
            #expect(result.chunks.count == 1)
            #expect(result.chunks[0].lineBreaks == 6, "blocks of \(String(describing: blockBytes))")
            #expect(result.chunks[0].endsWithLineBreak)
            #expect(!result.hasQuotes)
        }
    }

    @Test func quotesFound() throws {
        #expect(try plan("a,\"b\"\n", blockBytes: 2).hasQuotes)
        #expect(try !plan("a,b\n", blockBytes: 2).hasQuotes)
    }

    @Test func largeDataSplitAtLineFeeds() throws {
        var text = ""
        for index in 0..<400_000 {
            text += "row\(index),1\r\n"
        }
        let result = try plan(text, blockBytes: 4096)
        #expect(result.chunks.count > 1)
        #expect(result.recordCapacity == 400_000)
        var expectedLine = 1
        for chunk in result.chunks {
            #expect(chunk.firstLine == expectedLine)
            #expect(chunk.endsWithLineBreak)
            expectedLine += chunk.lineBreaks
        }
        #expect(result.chunks.last?.range.upperBound == text.utf8.count)
    }

    @Test func parallelParseMatchesSingleThread() throws {
        var text = "user_id,a,b\n"
        for index in 0..<120_000 {
            text += index % 1000 == 7 ? "u\(index),bad,1\n" : "u\(index),\(index % 97),-\(index % 13).5\n"
        }
        let tables = TestTables()
        let url = tables.write("big.csv", text)
        var single = TestTables.options()
        single.workers = 1
        var many = TestTables.options()
        many.workers = 4
        let first = try FeatureStore.open(url, options: single)
        let second = try FeatureStore.open(url, options: many)
        expectSameContent(first, second)
        #expect(first.count == 120_000 - 120)
        #expect(second.quality.examples.map(\.line) == [9, 1009, 2009])
    }
}

@Suite struct FeatureBenchmarkTests {
    @Test func benchmarkReportsEveryFile() throws {
        let catalogue = SmallCatalogue()
        var options = SmallCatalogue.options
        options.workers = 2
        let result = try FeatureBenchmark.run(catalogue: catalogue.url, options: options, repetitions: 1)
        #expect(result.files.map { ($0.file as NSString).lastPathComponent } == [
            "history.csv", "covers.csv", "clips.csv", "listens.csv", "labels.csv",
        ])
        #expect(result.files.map(\.rows) == [3, 5, 4, 8, 4])
        #expect(result.csvBytes > 0)
        #expect(result.parseMegabytesPerSecond > 0)
        #expect(result.warmOpenSeconds > 0)
        #expect(result.cacheBytes > 0)
        #expect(result.workers == 2)
        let text = result.render(in: .english)
        #expect(text.contains("covers.csv:"))
        #expect(text.contains("warm open from the cache:"))
        #expect(result.render(in: .chinese).contains("从缓存热启动"))
    }
}
