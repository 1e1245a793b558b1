import Foundation
import MMPipelineTestSupport
import MMTestSupport
import Testing

@testable import MMQueue

/// The nightly wrapper script and a run whose reports cannot be written.
@Suite(.serialized) struct CronAndOutputTests {
    /// Runs the wrapper with a fixture as its checkout: the fixture's files under the
    /// default paths, so `mmbatch run` finds them with no options, as cron calls it.
    private func wrapperEnvironment(_ fixture: CatalogueFixture) throws -> [String: String] {
        let home = fixture.folder.path("checkout")
        try FileManager.default.createDirectory(at: home.appendingPathComponent("data"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: fixture.data, to: home.appendingPathComponent("data/sample"))
        try FileManager.default.copyItem(at: fixture.model, to: home.appendingPathComponent("data/sample/model.safetensors"))
        return ["MMBATCH_HOME": home.path, "MMBATCH_BIN": BuiltBinary.url.path]
    }

    private func runWrapper(_ environment: [String: String]) throws -> (status: Int32, log: String) {
        let script = SharedData.repositoryRoot.appendingPathComponent("cron/mmbatch-nightly.sh")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script.path]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        try process.run()
        process.waitUntilExit()
        let logs = environment["MMBATCH_HOME"]! + "/logs"
        let names = try FileManager.default.contentsOfDirectory(atPath: logs).filter { $0.hasSuffix(".log") }
        let log = try names.map { try String(contentsOfFile: logs + "/" + $0, encoding: .utf8) }.joined()
        return (process.terminationStatus, log)
    }

    @Test func wrapperRunsAndPassesExitCode() throws {
        let fixture = try CatalogueFixture("cron")
        let environment = try wrapperEnvironment(fixture)
        let home = environment["MMBATCH_HOME"]!
        _ = try BuiltBinary.run(["enqueue", "u00001", "ghost"], currentDirectory: URL(fileURLWithPath: home))

        let (status, log) = try runWrapper(environment)

        #expect(status == 1, "\(log)")
        #expect(log.contains("INFO nightly run started"))
        #expect(log.contains("INFO run finished run=1 status=partial"))
        #expect(log.contains("INFO nightly run finished exit=1"))
        let stamped = log.split(separator: "\n").filter { !$0.isEmpty }
        #expect(stamped.allSatisfy { $0.range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z "#, options: .regularExpression) != nil || !$0.hasPrefix("20") })
        #expect(FileManager.default.fileExists(atPath: home + "/reports/1/report.html"))
    }

    @Test func wrapperSkipsWhileAnotherRuns() throws {
        let fixture = try CatalogueFixture("cron-lock")
        let environment = try wrapperEnvironment(fixture)
        let home = environment["MMBATCH_HOME"]!
        try FileManager.default.createDirectory(atPath: home + "/logs", withIntermediateDirectories: true)
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = [home + "/logs/mmbatch-nightly.lock", "sleep", "5"]
        try holder.run()
        defer { holder.terminate() }
        usleep(300_000)

        let (status, log) = try runWrapper(environment)

        #expect(status == 4, "\(log)")
        #expect(log.contains("WARN nightly run skipped"))
    }

    @Test func leftoversOfKilledWriterRemoved() throws {
        let fixture = try CatalogueFixture("leftovers")
        _ = try BuiltBinary.run(["enqueue", "--all", "--data", fixture.data.path, "--db", fixture.database])
        _ = try BuiltBinary.run(["run"] + fixture.commandOptions)
        let page = fixture.reports.appendingPathComponent("1/report.html")
        let before = try Data(contentsOf: page)

        // What a run killed while writing its reports leaves: temporary files of a process
        // that is gone (pid 2^22 + 1 is above Linux's default pid_max), beside good files.
        let dead = "4194305"
        fixture.folder.write("reports/.index.html.tmp-\(dead)-1", "<html>half")
        fixture.folder.write("reports/1/.report.html.tmp-\(dead)-2", "<html>half")
        fixture.folder.write("reports/2/.recommendations.csv.tmp-\(dead)-3", "user_id,ra")

        _ = try BuiltBinary.run(["enqueue", "u00001", "--db", fixture.database])
        let second = try BuiltBinary.run(["run"] + fixture.commandOptions)

        #expect(second.status == 0, "\(second.stderr.suffix(300))")
        for folder in ["reports", "reports/1", "reports/2"] {
            let names = try FileManager.default.contentsOfDirectory(atPath: fixture.folder.path(folder).path)
            #expect(!names.contains { $0.contains(".tmp-") }, "\(folder): \(names)")
        }
        #expect(try Data(contentsOf: page) == before)
        #expect(FileManager.default.fileExists(atPath: fixture.reports.appendingPathComponent("2/report.html").path))
    }

    @Test func readOnlyReportsFolderExitsFive() throws {
        let fixture = try CatalogueFixture("read-only")
        _ = try BuiltBinary.run(["enqueue", "--all", "--data", fixture.data.path, "--db", fixture.database])
        let first = try BuiltBinary.run(["run"] + fixture.commandOptions)
        #expect(first.status == 0)
        let page = fixture.reports.appendingPathComponent("1/report.html")
        let before = try Data(contentsOf: page)

        // Remounting a tmpfs read-only is the one way to make a folder unwritable for root.
        let mount = fixture.folder.path("mounted")
        try FileManager.default.createDirectory(at: mount, withIntermediateDirectories: true)
        guard shell("/bin/mount", ["-t", "tmpfs", "-o", "size=4m", "tmpfs", mount.path]) == 0 else {
            try Test.cancel("skipped: mounting a tmpfs is not permitted here")
        }
        defer { _ = shell("/bin/umount", [mount.path]) }
        let reports = mount.appendingPathComponent("reports")
        try FileManager.default.copyItem(at: fixture.reports, to: reports)
        #expect(shell("/bin/mount", ["-o", "remount,ro", mount.path]) == 0)

        _ = try BuiltBinary.run(["enqueue", "--all", "--data", fixture.data.path, "--db", fixture.database])
        let blocked = try BuiltBinary.run([
            "run", "--data", fixture.data.path, "--db", fixture.database, "--model", fixture.model.path,
            "--reports", reports.path,
        ])

        #expect(blocked.status == 5, "\(blocked.stderr.suffix(400))")
        #expect(blocked.stderr.contains(reports.path))
        #expect(blocked.stderr.contains("Read-only file system"))
        #expect(try Data(contentsOf: reports.appendingPathComponent("1/report.html")) == before)
        // The results were stored before the reports failed.
        let queue = try SQLiteQueue(path: fixture.database)
        #expect(try queue.results(runID: 2).count == 100)
        #expect(try queue.counts()[.done] == 200)
    }
}

/// Runs a program and returns its exit status.
private func shell(_ program: String, _ arguments: [String]) -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: program)
    process.arguments = arguments
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return -1 }
    process.waitUntilExit()
    return process.terminationStatus
}
