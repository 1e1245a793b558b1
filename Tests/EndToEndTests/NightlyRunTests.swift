import Foundation
import MMPipelineTestSupport
import MMQueue
import MMTestSupport
import Testing

/// The nightly job through the real binary: enqueue, run, status, export, report.
@Suite(.serialized) struct NightlyRunTests {
    @Test func enqueueRunStatusExport() throws {
        let fixture = try CatalogueFixture("nightly")
        let enqueue = try BuiltBinary.run(["enqueue", "--all", "--data", fixture.data.path, "--db", fixture.database])
        #expect(enqueue.status == 0, "\(enqueue.stderr)")
        #expect(enqueue.stdout.contains("enqueued: 100 new"))

        let again = try BuiltBinary.run(["enqueue", "u00001", "u00002", "--db", fixture.database])
        #expect(again.stdout.contains("enqueued: 0 new, 2 already waiting"))

        let run = try BuiltBinary.run(["run"] + fixture.commandOptions)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("run 1 succeeded: scored 100, failed 0, dead 0"))
        let reportPath = fixture.reports.appendingPathComponent("1/report.html").path
        #expect(run.stdout.contains("report: \(reportPath)"))
        #expect(run.stderr.contains("INFO run finished run=1 status=succeeded"))

        let status = try BuiltBinary.run(["status", "--json", "--db", fixture.database])
        #expect(status.stdout == "{\"dead\":0,\"done\":100,\"failed\":0,\"pending\":0,\"running\":0}\n")
        let table = try BuiltBinary.run(["status", "--db", fixture.database])
        #expect(table.stdout.contains("done"))
        #expect(table.stdout.contains("Last runs:"))

        let export = try BuiltBinary.run(["export", "--no-bom", "--top-k", "1", "--db", fixture.database])
        let lines = export.stdout.split(separator: "\r\n")
        #expect(lines.count == 101)
        #expect(lines.first == "user_id,rank,genre,probability,engagement")
        #expect(lines[1].hasPrefix("u00001,1,"))
    }

    @Test func enqueueFromStandardInput() throws {
        let folder = TemporaryDirectory("stdin")
        let database = folder.path("q.db").path
        let ids = "\u{FEFF}a1\r\nb2\n\n# comment\n  c3  \na1\n"
        let output = try BuiltBinary.run(["enqueue", "--from", "-", "--db", database], stdin: Data(ids.utf8))
        #expect(output.status == 0, "\(output.stderr)")
        let jobs = try SQLiteQueue(path: database).jobs(state: .pending, userID: nil, limit: 10)
        #expect(Set(jobs.map(\.userID)) == ["a1", "b2", "c3"])
    }

    @Test func failedUserMakesExitCodeOne() throws {
        let fixture = try CatalogueFixture("partial")
        _ = try BuiltBinary.run(["enqueue", "u00001", "ghost", "--db", fixture.database])
        let run = try BuiltBinary.run(["run"] + fixture.commandOptions)
        #expect(run.status == 1)
        #expect(run.stdout.contains("run 1 partly succeeded: scored 1, failed 0, dead 1"))
        let jobs = try BuiltBinary.run(["jobs", "--state", "dead", "--json", "--db", fixture.database])
        #expect(jobs.stdout.contains("\"user_id\":\"ghost\""))
        #expect(jobs.stdout.contains("no usable row in"))
        let failures = try String(contentsOf: fixture.reports.appendingPathComponent("1/failures.csv"), encoding: .utf8)
        #expect(failures.contains("ghost,dead,1,"))
    }

    @Test func reportRegeneratedInChinese() throws {
        let fixture = try CatalogueFixture("report-cli")
        _ = try BuiltBinary.run(["enqueue", "--all", "--data", fixture.data.path, "--db", fixture.database])
        _ = try BuiltBinary.run(["run"] + fixture.commandOptions)
        let report = try BuiltBinary.run(
            ["report", "1", "--locale", "zh-CN", "--db", fixture.database, "--reports", fixture.reports.path])
        #expect(report.status == 0, "\(report.stderr)")
        #expect(report.stdout.contains("报告："))
        let html = try String(contentsOf: fixture.reports.appendingPathComponent("1/report.html"), encoding: .utf8)
        #expect(html.contains("lang=\"zh-CN\""))
        let unknown = try BuiltBinary.run(["report", "7", "--db", fixture.database, "--reports", fixture.reports.path])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("no run with id 7"))
    }

    @Test func trainWritesModelAndReport() throws {
        let fixture = try CatalogueFixture("train-cli", train: false)
        let output = try BuiltBinary.run([
            "train", "--data", fixture.data.path, "--out", fixture.model.path, "--reports", fixture.reports.path,
            "--hidden", "16", "--epochs", "2", "--batch-size", "32", "--seed", "3",
        ])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("saved \(fixture.model.path) after 2 epochs"))
        #expect(output.stdout.contains("held-out top-1 accuracy on 20 users"))
        #expect(FileManager.default.fileExists(atPath: fixture.reports.appendingPathComponent("training.html").path))
        let first = try Data(contentsOf: fixture.model)

        let second = fixture.folder.path("again.safetensors")
        _ = try BuiltBinary.run([
            "train", "--data", fixture.data.path, "--out", second.path, "--reports", fixture.reports.path,
            "--hidden", "16", "--epochs", "2", "--batch-size", "32", "--seed", "3",
        ])
        #expect(try Data(contentsOf: second) == first)
    }
}
