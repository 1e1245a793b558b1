import Foundation
import MMCore
import MMTestSupport
import Testing

@testable import MMFeatures

/// One bad row kind: a table whose third line is bad, and the outcome expected.
struct BadRowCase: CustomTestStringConvertible, Sendable {
    let name: String
    let row: String
    let reason: BadRowReason
    let column: String
    let value: String
    let message: String

    var testDescription: String { name }

    /// The header is `user_id,a,b`; line 2 is good, line 3 is `row`, line 4 is good.
    var table: String { "user_id,a,b\nu1,1,2\n" + row + "\nu9,3,4\n" }

    static let all: [BadRowCase] = [
        .init(name: "empty cell", row: "u2,,2", reason: .emptyCell, column: "a", value: "", message: "the cell is empty"),
        .init(name: "letters", row: "u2,abc,2", reason: .notANumber, column: "a", value: "abc", message: "expected a decimal number"),
        .init(name: "two points", row: "u2,1.2.3,2", reason: .notANumber, column: "a", value: "1.2.3", message: "expected a decimal number"),
        .init(name: "hex float", row: "u2,0x1p3,2", reason: .notANumber, column: "a", value: "0x1p3", message: "expected a decimal number"),
        .init(name: "exponent without digits", row: "u2,1e,2", reason: .notANumber, column: "a", value: "1e", message: "expected a decimal number"),
        .init(name: "decimal comma", row: "u2,1,\"0,5\"", reason: .decimalComma, column: "b", value: "0,5", message: "decimal comma"),
        .init(name: "nan", row: "u2,nan,2", reason: .notFinite, column: "a", value: "nan", message: "NaN and infinities"),
        .init(name: "NaN", row: "u2,1,NaN", reason: .notFinite, column: "b", value: "NaN", message: "NaN and infinities"),
        .init(name: "negative inf", row: "u2,-inf,2", reason: .notFinite, column: "a", value: "-inf", message: "NaN and infinities"),
        .init(name: "Infinity", row: "u2,+Infinity,2", reason: .notFinite, column: "a", value: "+Infinity", message: "NaN and infinities"),
        .init(name: "MSVC infinity", row: "u2,1.#INF,2", reason: .notFinite, column: "a", value: "1.#INF", message: "NaN and infinities"),
        .init(name: "nan payload", row: "u2,nan(0x1),2", reason: .notFinite, column: "a", value: "nan(0x1)", message: "NaN and infinities"),
        .init(name: "beyond float", row: "u2,1e999,2", reason: .outOfRange, column: "a", value: "1e999", message: "beyond the float range"),
        .init(name: "just beyond float", row: "u2,1,-3.5e38", reason: .outOfRange, column: "b", value: "-3.5e38", message: "beyond the float range"),
        .init(name: "too few fields", row: "u2,1", reason: .tooFewFields, column: "b", value: "", message: "expected 3 fields as in the header, found 2"),
        .init(name: "too many fields", row: "u2,1,2,3", reason: .tooManyFields, column: "", value: "3", message: "found 4 (first extra value '3')"),
        .init(name: "empty id", row: ",1,2", reason: .emptyID, column: "user_id", value: "", message: "the id is empty"),
        .init(name: "control character in id", row: "u\u{1}2,1,2", reason: .invalidID, column: "user_id", value: "u\u{1}2", message: "control characters"),
        .init(name: "byte order mark in id", row: "\u{FEFF}u2,1,2", reason: .invalidID, column: "user_id", value: "\u{FEFF}u2", message: "byte order mark"),
        .init(name: "duplicate id", row: "u1,5,6", reason: .duplicateID, column: "user_id", value: "u1", message: "the row on line 2 is kept"),
        .init(name: "quote after quoted field", row: "u2,\"1\"x,2", reason: .malformedQuotes, column: "", value: "", message: "malformed quotes"),
        .init(name: "quote inside unquoted field", row: "u2,1\"5,2", reason: .malformedQuotes, column: "", value: "", message: "malformed quotes"),
    ]
}

@Suite struct BadRowTests {
    @Test(arguments: BadRowCase.all)
    func badRowSkippedAndCounted(_ badCase: BadRowCase) throws {
        let tables = TestTables()
        let store = try tables.store(badCase.table)
        #expect(store.count == 2)
        #expect(store.values("u9") == [3, 4])
        #expect(store.values("u1") == [1, 2])
        #expect(store.quality.rowsRead == 3)
        #expect(store.quality.skipped == [badCase.reason: 1])
        let example = try #require(store.quality.examples.first)
        #expect(example.line == 3)
        #expect(example.column == badCase.column)
        #expect(example.value == badCase.value)
        #expect(example.reason == badCase.reason)
        #expect(example.file == store.url.path)
        #expect(example.warning.text(in: .english).contains(badCase.message))
    }

    @Test(arguments: BadRowCase.all)
    func badRowFatalWhenStrict(_ badCase: BadRowCase) throws {
        let tables = TestTables()
        let url = tables.write("table.csv", badCase.table)
        for parser in [CSVParserChoice.automatic, .libcsv] {
            let error = featureError { _ = try FeatureStore.open(url, options: TestTables.options(parser: parser, strict: true)) }
            guard case .badRow(let example) = error else {
                Issue.record("expected .badRow, got \(String(describing: error))")
                continue
            }
            #expect(example.line == 3)
            #expect(example.column == badCase.column)
            #expect(example.value == badCase.value)
            #expect(error?.exitCode == .badInput)
            let text = error?.message.text(in: .english) ?? ""
            #expect(text.hasPrefix(url.path + ":3: "))
            #expect(text.contains(badCase.message))
            #expect(text.contains("--strict"))
        }
    }

    @Test func unterminatedQuoteAtEnd() throws {
        let tables = TestTables()
        let store = try tables.store("user_id,a,b\nu1,1,2\nu2,\"3,4\nu3,5,6\n")
        #expect(store.count == 1)
        #expect(store.quality.skipped == [.unterminatedQuote: 1])
        #expect(store.quality.examples.first?.line == 3)
    }

    @Test func fieldOverOneMebibyteSkipped() throws {
        let tables = TestTables()
        let long = String(repeating: "x", count: CSVLimits.maximumFieldBytes + 1)
        let store = try tables.store("user_id,a\nu1,1\n\(long),2\nu3,3\n")
        #expect(store.count == 2)
        #expect(store.quality.skipped == [.fieldTooLong: 1])
        let example = try #require(store.quality.examples.first)
        #expect(example.line == 3)
        #expect(example.value.count == BadRowExample.maximumValueLength + 1)
        #expect(example.value.hasSuffix("…"))
    }

    @Test func longQuotedFieldSkipped() throws {
        let tables = TestTables()
        let long = String(repeating: "y", count: 3 << 20)
        let store = try tables.store("user_id,a\nu1,1\nu2,\"\(long)\"\nu3,3\n")
        #expect(store.count == 2)
        #expect(store.quality.skipped == [.fieldTooLong: 1])
        #expect(store.values("u3") == [3])
    }

    @Test func veryLongLineWithExtraFieldsSkipped() throws {
        let tables = TestTables()
        let extra = Array(repeating: "1", count: 200_000).joined(separator: ",")
        let store = try tables.store("user_id,a\nu1,1\nu2,\(extra)\nu3,3\n")
        #expect(store.count == 2)
        let example = try #require(store.quality.examples.first)
        #expect(example.reason == .tooManyFields)
        #expect(example.details["found"] == "200001")
    }

    @Test func firstRowOfManyBadKeptInOrder() throws {
        let tables = TestTables()
        var text = "user_id,a\n"
        for index in 0..<50 {
            text += index % 2 == 0 ? "u\(index),\(index)\n" : "u\(index),bad\n"
        }
        let store = try tables.store(text)
        #expect(store.count == 25)
        #expect(store.quality.skipped == [.notANumber: 25])
        #expect(store.quality.examples.map(\.line) == [3, 5, 7])
    }

    @Test func duplicateKeepsFirstValues() throws {
        let tables = TestTables()
        let store = try tables.store("user_id,a\nu1,1\nu2,2\nu1,3\nu1,4\n")
        #expect(store.count == 2)
        #expect(store.values("u1") == [1])
        #expect(store.quality.duplicateIDs == 2)
        #expect(store.quality.examples.map(\.line) == [4, 5])
        #expect(store.quality.examples.allSatisfy { $0.details["first"] == "2" })
    }
}

@Suite struct FileProblemTests {
    @Test func missingFileFails() {
        let tables = TestTables()
        let url = tables.folder.path("absent.csv")
        let error = featureError { _ = try FeatureStore.open(url, options: TestTables.options()) }
        #expect(error == .unreadable(path: url.path, reason: "No such file or directory"))
        #expect(error?.exitCode == .badInput)
        #expect(error?.message.text(in: .english) == "cannot read \(url.path): No such file or directory; check the path and its permissions")
    }

    @Test func folderIsNotAFile() {
        let tables = TestTables()
        let error = featureError { _ = try FeatureStore.open(tables.folder.url, options: TestTables.options()) }
        #expect(error == .notRegularFile(path: tables.folder.url.path))
    }

    @Test func emptyFilesHaveNoHeader() {
        for (name, bytes) in [("empty.csv", [UInt8]()), ("mark.csv", [0xEF, 0xBB, 0xBF]), ("blank.csv", Array("\n\r\n  \n".utf8))] {
            let tables = TestTables()
            let url = tables.write(name, bytes: bytes)
            let error = featureError { _ = try FeatureStore.open(url, options: TestTables.options()) }
            #expect(error == .noHeader(path: url.path), "\(name)")
        }
    }

    @Test func headerOnlyGivesEmptyStore() throws {
        let tables = TestTables()
        let store = try tables.store("user_id,a,b")
        #expect(store.count == 0)
        #expect(store.dimension == 2)
    }

    @Test func missingIDColumnFails() {
        let tables = TestTables()
        let url = tables.write("table.csv", "id,a\nu1,1\n")
        let error = featureError { _ = try FeatureStore.open(url, options: TestTables.options()) }
        #expect(error == .missingIDColumn(path: url.path, column: "user_id", columns: ["id", "a"]))
        #expect(error?.message.text(in: .english).contains("--id-column") == true)
    }

    @Test func secondByteOrderMarkIsData() {
        let tables = TestTables()
        let url = tables.write("table.csv", bytes: [0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF] + Array("user_id,a\nu1,1\n".utf8))
        let error = featureError { _ = try FeatureStore.open(url, options: TestTables.options()) }
        #expect(error == .missingIDColumn(path: url.path, column: "user_id", columns: ["\u{FEFF}user_id", "a"]))
    }

    @Test func duplicateColumnNamesFail() {
        let tables = TestTables()
        let url = tables.write("table.csv", "user_id,a,b,a\nu1,1,2,3\n")
        let error = featureError { _ = try FeatureStore.open(url, options: TestTables.options()) }
        #expect(error == .duplicateColumn(path: url.path, column: "a", first: 2, second: 4))
        #expect(error?.exitCode == .badInput)
    }

    @Test func noFeatureColumnsFail() {
        let tables = TestTables()
        let url = tables.write("table.csv", "user_id,label\nu1,x\n")
        var options = TestTables.options()
        options.ignoredColumns = ["label"]
        let error = featureError { _ = try FeatureStore.open(url, options: options) }
        #expect(error == .noFeatureColumns(path: url.path, columns: ["user_id", "label"]))
    }

    @Test func malformedHeaderFails() {
        let tables = TestTables()
        let url = tables.write("table.csv", "user_id,\"a\"b\nu1,1\n")
        let error = featureError { _ = try FeatureStore.open(url, options: TestTables.options()) }
        #expect(error == .badHeader(path: url.path, line: 1, reason: .malformedQuotes))
    }

    @Test func emptyHeaderNamesNumbered() throws {
        let tables = TestTables()
        let store = try tables.store(",a,\nu1,1,2\n", options: TestTables.options(id: "unnamed_1"))
        #expect(store.columns == ["a", "unnamed_3"])
    }

    @Test func unknownIgnoredColumnAllowed() throws {
        let tables = TestTables()
        var options = TestTables.options()
        options.ignoredColumns = ["length"]
        let store = try tables.store("user_id,a\nu1,1\n", options: options)
        #expect(store.columns == ["a"])
    }
}
