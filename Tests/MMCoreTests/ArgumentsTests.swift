import Testing

@testable import MMCore

@Suite struct ArgumentsTests {
    let command = CommandDefinition(
        path: ["enqueue"], summary: "core.help.help", positionalUsage: "USER_ID...",
        positionalRange: 0...Int.max,
        options: [
            .value("priority", "N", help: "core.help.help"),
            .value("ignore", "COLUMNS", help: "core.help.help", repeatable: true),
            .flag("all", help: "core.help.help"),
        ])

    @Test func parsesValuesFlagsAndPositionals() throws {
        let parsed = try command.parse(["u1", "--priority", "5", "--all", "u2", "-", "--", "--odd"])
        #expect(parsed.positionals == ["u1", "u2", "-", "--odd"])
        #expect(try parsed.integer("priority", default: 0) == 5)
        #expect(parsed.flag("all"))
    }

    @Test func inlineValueAndLists() throws {
        let parsed = try command.parse(["--priority=-3", "--ignore", "a,b", "--ignore=c"])
        #expect(try parsed.integer("priority", default: 0) == -3)
        #expect(parsed.list("ignore") == ["a", "b", "c"])
    }

    @Test func unknownOptionIsUsageError() {
        do {
            _ = try command.parse(["--priorty", "5"])
            Issue.record("expected a usage error")
        } catch {
            #expect(error.exitCode == .usage)
            #expect(error.message.text(in: .english) == "unknown option --priorty for mmbatch enqueue; see mmbatch enqueue --help")
        }
    }

    @Test func missingValueIsUsageError() {
        #expect(throws: UsageError.self) { try command.parse(["--priority"]) }
    }

    @Test func repeatedSingleOptionRejected() {
        #expect(throws: UsageError.self) { try command.parse(["--priority", "1", "--priority", "2"]) }
    }

    @Test func invalidIntegerNamesValue() throws {
        let parsed = try command.parse(["--priority", "high"])
        do {
            _ = try parsed.integer("priority", default: 0, range: -100...100)
            Issue.record("expected a usage error")
        } catch {
            #expect(error.message.text(in: .english).contains("'high'"))
            #expect(error.message.text(in: .english).contains("-100 to 100"))
        }
    }

    @Test func positionalCountChecked() {
        let single = CommandDefinition(path: ["report"], summary: "core.help.help", positionalUsage: "RUN_ID", positionalRange: 1...1, options: [])
        #expect(throws: UsageError.self) { try single.parse([]) }
        #expect(throws: UsageError.self) { try single.parse(["a", "b"]) }
        #expect((try? single.parse(["--help"]))?.flag("help") == true)
    }

    @Test func helpListsOptions() {
        let help = command.helpText()
        #expect(help.contains("mmbatch enqueue"))
        #expect(help.contains("--priority N"))
        #expect(help.contains("--all"))
        #expect(help.contains("--help"))
    }
}
