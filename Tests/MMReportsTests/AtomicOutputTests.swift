import Foundation
import MMCore
import MMTestSupport
import Testing

@testable import MMReports

/// A small tmpfs mounted for one test, to fill up or make read-only. Mounting needs
/// root and a kernel that allows it; without, the test is skipped with the reason,
/// unless `MMBATCH_REQUIRE_MOUNT=1` makes that a failure.
final class ScratchMount {
    let url: URL
    private var mounted = false

    init(at url: URL, size: String) throws {
        self.url = url
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        let result = Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", url.path])
        guard result.status == 0 else {
            let reason = "mounting a tmpfs failed (\(result.output.trimmingCharacters(in: .whitespacesAndNewlines))); "
                + "full and read-only disk cases need root and permission to mount"
            if ProcessInfo.processInfo.environment["MMBATCH_REQUIRE_MOUNT"] == "1" {
                Issue.record("\(reason), and MMBATCH_REQUIRE_MOUNT=1 requires them")
                throw ScratchMountUnavailable()
            }
            try Test.cancel("skipped: \(reason)")
        }
        mounted = true
    }

    func remountReadOnly() {
        let result = Self.run("/bin/mount", ["-o", "remount,ro", url.path])
        precondition(result.status == 0, "remount read-only failed: \(result.output)")
    }

    deinit {
        if mounted {
            _ = Self.run("/bin/umount", [url.path])
        }
    }

    private static func run(_ executable: String, _ arguments: [String]) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do {
            try process.run()
        } catch {
            return (-1, "\(error)")
        }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}

struct ScratchMountUnavailable: Error {}

/// Rows that run `action` once, after the first row has been handed out.
struct RowsWithSideEffect: Sequence {
    let rows: [RecommendationRow]
    let action: () -> Void

    func makeIterator() -> AnyIterator<RecommendationRow> {
        var index = 0
        return AnyIterator {
            if index == 1 {
                action()
            }
            guard index < rows.count else { return nil }
            defer { index += 1 }
            return rows[index]
        }
    }
}

@Suite(.serialized) struct AtomicOutputTests {
    private func snapshot(_ folder: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            files[name] = try Data(contentsOf: folder.appendingPathComponent(name))
        }
        return files
    }

    @Test func fullDiskKeepsPreviousReport() throws {
        let folder = TemporaryDirectory("full")
        let mount = try ScratchMount(at: folder.path("reports"), size: "256k")
        let writer = ReportWriter(reportsDirectory: mount.url)
        try writer.writeRun(ReportFixtures.summary(runID: 5), recommendations: ReportFixtures.rows(users: 20), topK: 3)
        try writer.writeIndex(runs: [RunListing(ReportFixtures.summary(runID: 5))])
        let runFolder = mount.url.appendingPathComponent("5")
        let before = try snapshot(runFolder)

        let error = #expect(throws: OutputError.self) {
            try writer.writeRun(
                ReportFixtures.summary(runID: 5, failureCount: 0), recommendations: ReportFixtures.rows(users: 20_000),
                topK: 3)
        }
        #expect(error?.exitCode == .outputFailed)
        #expect(error?.exitCode.rawValue == 5)
        #expect(error?.path == runFolder.appendingPathComponent("recommendations.csv").path)
        #expect(error?.reason == String(cString: strerror(ENOSPC)))
        let text = error?.message.text(in: .english) ?? ""
        #expect(text.contains(runFolder.appendingPathComponent("recommendations.csv").path))
        #expect(text.contains("No space left on device"))

        #expect(try snapshot(runFolder) == before, "previous files unchanged and no temporary file left")
        #expect(FileManager.default.fileExists(atPath: mount.url.appendingPathComponent("index.html").path))
    }

    @Test func readOnlyDiskKeepsPreviousReport() throws {
        let folder = TemporaryDirectory("readonly")
        let mount = try ScratchMount(at: folder.path("reports"), size: "1m")
        let writer = ReportWriter(reportsDirectory: mount.url, locale: .chinese)
        try writer.writeRun(ReportFixtures.summary(runID: 6), recommendations: ReportFixtures.rows(users: 20), topK: 3)
        try writer.writeIndex(runs: [RunListing(ReportFixtures.summary(runID: 6))])
        let runFolder = mount.url.appendingPathComponent("6")
        let before = try snapshot(runFolder)
        let indexBefore = try Data(contentsOf: mount.url.appendingPathComponent("index.html"))
        mount.remountReadOnly()

        let runError = #expect(throws: OutputError.self) {
            try writer.writeRun(ReportFixtures.summary(runID: 6), recommendations: ReportFixtures.rows(users: 5), topK: 3)
        }
        #expect(runError?.exitCode == .outputFailed)
        #expect(runError?.path == runFolder.appendingPathComponent("recommendations.csv").path)
        #expect(runError?.reason == String(cString: strerror(EROFS)))
        #expect(runError?.message.text(in: .chinese).hasPrefix("无法写入 \(runFolder.path)") == true)

        let indexError = #expect(throws: OutputError.self) {
            try writer.writeIndex(runs: [])
        }
        #expect(indexError?.path == mount.url.appendingPathComponent("index.html").path)
        #expect(try snapshot(runFolder) == before)
        #expect(try Data(contentsOf: mount.url.appendingPathComponent("index.html")) == indexBefore)
    }

    @Test func vanishedFolderFailsCleanly() throws {
        let folder = TemporaryDirectory("vanish")
        let target = folder.path("out")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        let rows = RowsWithSideEffect(rows: ReportFixtures.rows(users: 3)) {
            try? FileManager.default.removeItem(at: target)
        }
        let error = #expect(throws: OutputError.self) {
            try RecommendationsCSV.write(rows, topK: 3, to: target.appendingPathComponent("recommendations.csv"))
        }
        #expect(error?.exitCode == .outputFailed)
        #expect(error?.path == target.appendingPathComponent("recommendations.csv").path)
        #expect(error?.reason == String(cString: strerror(ENOENT)))
        #expect(!FileManager.default.fileExists(atPath: target.path))
    }

    @Test func missingParentReported() {
        let folder = TemporaryDirectory("blocked")
        let blocker = folder.write("reports", "a file where the reports folder should be")
        let error = #expect(throws: OutputError.self) {
            try ReportWriter(reportsDirectory: blocker).writeRun(ReportFixtures.summary(), recommendations: [], topK: 3)
        }
        #expect(error?.path == blocker.appendingPathComponent("42").path)
        #expect(error?.exitCode == .outputFailed)
    }

    @Test func leftoversOfKilledWriterRemoved() throws {
        let folder = TemporaryDirectory("leftovers")
        let writer = ReportWriter(reportsDirectory: folder.url)
        try writer.writeRun(ReportFixtures.summary(runID: 3), recommendations: [], topK: 3)

        // Process ids above the kernel's pid_max (at most 2^22) never belong to a live
        // process, so these names look like files of a killed writer.
        let deadPID = 2_000_000_000
        let runFolder = folder.url.appendingPathComponent("3")
        let leftovers = [
            runFolder.appendingPathComponent(".report.html.tmp-\(deadPID)-1"),
            runFolder.appendingPathComponent(".recommendations.csv.tmp-\(deadPID)-2"),
            folder.url.appendingPathComponent(".index.html.tmp-\(deadPID)-3"),
        ]
        for url in leftovers {
            try Data("half-written".utf8).write(to: url)
        }
        // PID 1 is alive, so its temporary file may be in use and must stay.
        let liveWriterFile = runFolder.appendingPathComponent(".summary.json.tmp-1-4")
        try Data("in use".utf8).write(to: liveWriterFile)

        try writer.writeRun(ReportFixtures.summary(runID: 3), recommendations: [], topK: 3)
        for url in leftovers {
            #expect(!FileManager.default.fileExists(atPath: url.path), "\(url.lastPathComponent) removed")
        }
        #expect(FileManager.default.fileExists(atPath: liveWriterFile.path))
        let names = try FileManager.default.contentsOfDirectory(atPath: runFolder.path).sorted()
        #expect(names == [".summary.json.tmp-1-4", "failures.csv", "recommendations.csv", "report.html", "summary.json"])
    }
}
