import Foundation
import MMTestSupport
import Testing

@testable import MMFeatures

/// Helpers that write small tables into a test's own folder and open them.
struct TestTables {
    let folder = TemporaryDirectory("features")

    /// Options for parsing only: no cache, no log lines, both tokenizers selectable.
    static func options(
        id: String? = "user_id", parser: CSVParserChoice = .automatic, strict: Bool = false
    ) -> FeatureReadOptions {
        var options = FeatureReadOptions(idColumn: id, strict: strict, useCache: false)
        options.parser = parser
        options.logsWarnings = false
        return options
    }

    @discardableResult
    func write(_ name: String, _ text: String) -> URL {
        folder.write(name, text)
    }

    @discardableResult
    func write(_ name: String, bytes: [UInt8]) -> URL {
        folder.write(name, bytes: bytes)
    }

    /// Opens `text` as a feature table with both tokenizers, checks that they agree on
    /// every id, value, label and quality count, and returns the automatic one.
    func store(
        _ text: String, name: String = "table.csv", options: FeatureReadOptions = TestTables.options(),
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> FeatureStore {
        try store(bytes: Array(text.utf8), name: name, options: options, sourceLocation: sourceLocation)
    }

    func store(
        bytes: [UInt8], name: String = "table.csv", options: FeatureReadOptions = TestTables.options(),
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> FeatureStore {
        let url = write(name, bytes: bytes)
        var automatic = options
        automatic.parser = .automatic
        var libcsv = options
        libcsv.parser = .libcsv
        let first = try FeatureStore.open(url, options: automatic)
        let second = try FeatureStore.open(url, options: libcsv)
        expectSameContent(first, second, sourceLocation: sourceLocation)
        return first
    }
}

/// Checks that two stores hold the same ids, float bits, labels and quality.
func expectSameContent(_ first: FeatureStore, _ second: FeatureStore, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(first.count == second.count, sourceLocation: sourceLocation)
    #expect(first.columns == second.columns, sourceLocation: sourceLocation)
    #expect(first.fingerprint == second.fingerprint, sourceLocation: sourceLocation)
    #expect(first.quality == second.quality, sourceLocation: sourceLocation)
    guard first.count == second.count, first.dimension == second.dimension else { return }
    for row in 0..<first.count {
        #expect(first.id(at: row) == second.id(at: row), sourceLocation: sourceLocation)
        #expect(first.label(at: row) == second.label(at: row), sourceLocation: sourceLocation)
        #expect(first.vector(at: row).map(\.bitPattern) == second.vector(at: row).map(\.bitPattern), sourceLocation: sourceLocation)
    }
}

extension FeatureStore {
    /// Returns the vector of `id` as an array, or nil.
    func values(_ id: String) -> [Float]? {
        vector(of: id).map(Array.init)
    }
}

/// Runs `body` and returns the `FeatureError` it throws, or records an issue.
func featureError(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> FeatureError? {
    do {
        try body()
        Issue.record("expected a FeatureError, but nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as FeatureError {
        return error
    } catch {
        Issue.record("expected a FeatureError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}
