import Foundation
import MMPipelineTestSupport
import MMTestSupport
import Testing

/// The command line as users meet it: help, usage errors, exit codes, locales.
@Suite(.serialized) struct CommandLineTests {
    static let commands = [
        ["demo"], ["enqueue"], ["run"], ["status"], ["jobs"], ["retry"], ["prune"], ["export"], ["train"],
        ["report"], ["features", "check"], ["model", "verify"],
    ]

    @Test func everyCommandHasHelp() throws {
        for command in Self.commands {
            let output = try BuiltBinary.run(command + ["--help"])
            #expect(output.status == 0, "\(command) --help exited \(output.status)")
            #expect(output.stdout.contains("mmbatch " + command.joined(separator: " ")), "\(command)")
            #expect(output.stdout.contains("--help"), "\(command)")
        }
    }

    @Test func overviewListsCommandsAndExitCodes() throws {
        let output = try BuiltBinary.run(["--help"])
        #expect(output.status == 0)
        for command in Self.commands {
            #expect(output.stdout.contains(command.joined(separator: " ")))
        }
        #expect(output.stdout.contains("4  another run holds the lock"))
        let bare = try BuiltBinary.run([])
        #expect(bare.status == 2)
    }

    @Test func versionPrinted() throws {
        let output = try BuiltBinary.run(["--version"])
        #expect(output.status == 0)
        #expect(output.stdout.hasPrefix("mmbatch 0."))
    }

    @Test func unknownCommandIsUsageError() throws {
        let output = try BuiltBinary.run(["frobnicate"])
        #expect(output.status == 2)
        #expect(output.stderr == "mmbatch: error: unknown command 'frobnicate'; run mmbatch --help for the list\n")
    }

    @Test func unknownOptionIsUsageError() throws {
        let output = try BuiltBinary.run(["run", "--wokers", "2"])
        #expect(output.status == 2)
        #expect(output.stderr.contains("unknown option --wokers for mmbatch run"))
    }

    @Test func invalidNumberNamesValue() throws {
        let output = try BuiltBinary.run(["run", "--workers", "many"])
        #expect(output.status == 2)
        #expect(output.stderr.contains("'many'"))
        #expect(output.stderr.contains("--workers"))
    }

    @Test func chineseMessages() throws {
        let flag = try BuiltBinary.run(["frobnicate", "--locale", "zh-CN"])
        #expect(flag.status == 2)
        #expect(flag.stderr.contains("未知命令 'frobnicate'"))
        let environment = try BuiltBinary.run(["run", "--help"], environment: ["MMBATCH_LOCALE": "zh-CN"])
        #expect(environment.stdout.contains("用法："))
        let lang = try BuiltBinary.run(["status", "--help"], environment: ["MMBATCH_LOCALE": "", "LANG": "zh_CN.UTF-8"])
        #expect(lang.stdout.contains("选项："))
    }

    @Test func missingModelIsBadInput() throws {
        let fixture = try CatalogueFixture("no-model", train: false)
        _ = try BuiltBinary.run(["enqueue", "u00001", "--db", fixture.database])
        let output = try BuiltBinary.run(["run"] + fixture.commandOptions)
        #expect(output.status == 3)
        #expect(output.stderr.contains("model file \(fixture.model.path) not found"))
    }

    @Test func missingDatabaseIsBadInput() throws {
        let folder = TemporaryDirectory("no-db")
        let database = folder.path("typo.db").path
        for command in [["status"], ["jobs"], ["export"], ["run"], ["report", "1"], ["prune", "--older-than", "1"]] {
            let output = try BuiltBinary.run(command + ["--db", database])
            #expect(output.status == 3, "\(command): \(output.stderr)")
            #expect(output.stderr.contains("database \(database) not found"), "\(command)")
        }
        #expect(!FileManager.default.fileExists(atPath: database))
    }

    @Test func missingUserListIsBadInput() throws {
        let folder = TemporaryDirectory("enqueue")
        let output = try BuiltBinary.run(["enqueue", "--db", folder.path("q.db").path, "--from", folder.path("absent.txt").path])
        #expect(output.status == 3)
        #expect(output.stderr.contains("absent.txt"))
    }
}
