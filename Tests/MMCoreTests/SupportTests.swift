import Foundation
import MMTestSupport
import Testing

@testable import MMCore

@Suite struct AtomicFileTests {
    @Test func writeReplacesWholeFile() throws {
        let folder = TemporaryDirectory("atomic")
        let target = folder.path("report.html")
        try AtomicFile.write("old", to: target)
        try AtomicFile.write("new contents", to: target)
        #expect(try String(contentsOf: target, encoding: .utf8) == "new contents")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.url.path)
        #expect(names == ["report.html"])
    }

    @Test func droppedWriterLeavesOldFile() throws {
        let folder = TemporaryDirectory("atomic")
        let target = folder.path("out.csv")
        try AtomicFile.write("kept", to: target)
        do {
            let writer = try AtomicFileWriter(url: target)
            try writer.write("half")
        }
        #expect(try String(contentsOf: target, encoding: .utf8) == "kept")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path) == ["out.csv"])
    }

    @Test func missingFolderIsOutputError() {
        let folder = TemporaryDirectory("atomic")
        do {
            try AtomicFile.write("x", to: folder.path("absent/out.csv"))
            Issue.record("expected an output error")
        } catch {
            #expect(error.exitCode == .outputFailed)
            #expect(error.path.hasSuffix("absent/out.csv"))
            #expect(error.reason == "No such file or directory")
        }
    }

    @Test func leftoversOfDeadProcessRemoved() throws {
        let folder = TemporaryDirectory("atomic")
        // PID 2^22 + 1 is above Linux's default pid_max, so no process has it.
        folder.write(".report.html.tmp-4194305-1", "partial")
        let live = ".index.html.tmp-\(getpid())-7"
        folder.write(live, "in progress")
        folder.write("report.html", "good")
        #expect(AtomicFile.removeLeftovers(in: folder.url) == 1)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.url.path).sorted()
        #expect(names == [live, "report.html"])
    }
}

@Suite struct RandomTests {
    @Test func sameSeedSameSequence() {
        var a = SeededRandom(seed: 42)
        var b = SeededRandom(seed: 42)
        var c = SeededRandom(seed: 43)
        let first = (0..<5).map { _ in a.next() }
        #expect(first == (0..<5).map { _ in b.next() })
        #expect(first != (0..<5).map { _ in c.next() })
    }

    @Test func indexStaysInBounds() {
        var random = SeededRandom(seed: 1)
        var counts = [Int](repeating: 0, count: 7)
        for _ in 0..<7000 {
            counts[random.index(below: 7)] += 1
        }
        #expect(counts.allSatisfy { $0 > 850 && $0 < 1150 })
    }

    @Test func normalHasUnitMoments() {
        var random = SeededRandom(seed: 7)
        let draws = (0..<20000).map { _ in random.normal() }
        let mean = draws.reduce(0, +) / Double(draws.count)
        let variance = draws.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(draws.count)
        #expect(abs(mean) < 0.03)
        #expect(abs(variance - 1) < 0.05)
    }

    @Test func dirichletSumsToOne() {
        var random = SeededRandom(seed: 3)
        let draw = random.dirichlet(count: 10, alpha: 0.3)
        #expect(abs(draw.reduce(0, +) - 1) < 1e-12)
        #expect(draw.allSatisfy { $0 >= 0 })
    }

    @Test func shuffleIsPermutation() {
        var random = SeededRandom(seed: 9)
        var values = Array(0..<100)
        random.shuffle(&values)
        #expect(values != Array(0..<100))
        #expect(values.sorted() == Array(0..<100))
    }
}

@Suite struct HashTests {
    @Test func streamingMatchesOneShot() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var streamed = Hash64()
        for chunk in [0..<3, 3..<11, 11..<500, 500..<1000] {
            streamed.update(bytes: bytes[chunk])
        }
        #expect(streamed.finalize() == Hash64.of(bytes))
    }

    @Test func differentInputsDiffer() {
        #expect(Hash64.of([1, 2, 3]) != Hash64.of([1, 2, 4]))
        #expect(Hash64.of([]) != Hash64.of([0]))
        #expect(Hash64().hexDigest().count == 16)
    }
}

@Suite struct TimeTests {
    @Test func parsesAndFormatsISO8601() {
        let date = UTCTime.parse("2026-12-04T19:50:45.250Z")!
        #expect(UTCTime(date).iso8601 == "2026-12-04T19:50:45.250Z")
        #expect(UTCTime(date).compact == "20261204T195045Z")
        #expect(UTCTime.parse("2026-12-04") == UTCTime.parse("2026-12-04T00:00:00Z"))
        #expect(UTCTime.parse("2026-12-04T21:50+02:00") == UTCTime.parse("2026-12-04T19:50Z"))
    }

    @Test func rejectsMalformedTimes() {
        for text in ["yesterday", "2026-13-01", "2026-12-04T25:00", "2026-12-04T10:00:00Zjunk", ""] {
            #expect(UTCTime.parse(text) == nil, "\(text)")
        }
    }
}

@Suite struct LogTests {
    @Test func formatValueQuotesWhenNeeded() {
        #expect(Log.formatValue("plain") == "plain")
        #expect(Log.formatValue("two words") == "\"two words\"")
        #expect(Log.formatValue("a=b") == "\"a=b\"")
        #expect(Log.formatValue("line\nbreak") == "\"line\\nbreak\"")
        #expect(Log.formatValue(3) == "3")
        #expect(Log.formatValue(0.5) == "0.5")
    }
}
