import Foundation
import MMCore

/// One output class of the model, as listed in `genres.csv`.
public struct Genre: Sendable, Equatable, Codable {
    /// The class index: the row's position, 0 for the first genre.
    public let id: Int
    /// The name used in labels.csv and in outputs (`rock`).
    public let name: String
    /// The Chinese name shown in Chinese reports (`摇滚`).
    public let nameZh: String

    public init(id: Int, name: String, nameZh: String) {
        self.id = id
        self.name = name
        self.nameZh = nameZh
    }

    /// Returns the name in `locale`.
    public func displayName(in locale: AppLocale) -> String {
        locale == .chinese ? nameZh : name
    }
}

/// Reads `genres.csv`: columns `id,name,name_zh` (more columns are ignored), ids 0, 1, 2,
/// … in row order, names unique and not empty, at least two genres.
///
/// Every problem is fatal, even without `strict`: skipping a genre would shift the class
/// index of every genre after it, so the model's outputs would get the wrong names.
public enum GenreTable {
    public static let minimumCount = 2

    public static func read(_ url: URL, encoding: TextEncoding = .utf8) throws -> [Genre] {
        let source = try CSVSource(url: url, encoding: encoding, delimiter: UInt8(ascii: ","))
        let path = source.path
        var positions: [String: Int] = [:]
        for (position, name) in source.header.enumerated() where positions[name] == nil {
            positions[name] = position
        }
        let required = ["id", "name", "name_zh"]
        let missing = required.filter { positions[$0] == nil }
        guard missing.isEmpty else {
            throw FeatureError.missingColumns(path: path, missing: missing, available: source.header)
        }
        let plan = try source.plan(workers: 1)
        var collector = TextRowCollector()
        for chunk in plan.chunks {
            source.scan(chunk, plan: plan, parser: .libcsv, into: &collector)
        }

        var genres: [Genre] = []
        var seen: [String: Int] = [:]
        for row in collector.rows {
            func invalid(_ key: String, _ arguments: [String: String] = [:]) -> FeatureError {
                .invalidGenres(path: path, line: row.line, detail: Message("features.genres." + key, arguments))
            }
            if let problem = row.problem {
                throw invalid("unreadable", ["problem": Message("features.reason." + problem.rawValue, ["column": "", "value": ""]).text()])
            }
            guard row.fields.count == source.header.count else {
                throw invalid("fieldCount", ["expected": String(source.header.count), "found": String(row.fields.count)])
            }
            let idText = row.fields[positions["id"]!]
            let name = row.fields[positions["name"]!]
            let nameZh = row.fields[positions["name_zh"]!]
            guard Int(idText) == genres.count else {
                throw invalid("id", ["value": idText, "expected": String(genres.count)])
            }
            guard !name.isEmpty, !nameZh.isEmpty else {
                throw invalid("emptyName")
            }
            if let first = seen[name] {
                throw invalid("duplicate", ["name": name, "first": String(first)])
            }
            seen[name] = row.line
            genres.append(Genre(id: genres.count, name: name, nameZh: nameZh))
        }
        guard genres.count >= minimumCount else {
            throw FeatureError.invalidGenres(
                path: path, line: source.dataFirstLine,
                detail: Message("features.genres.tooFew", ["count": String(genres.count), "minimum": String(minimumCount)]))
        }
        return genres
    }
}

/// Collects every record as strings, for small tables such as genres.csv.
struct TextRowCollector: RecordConsumer {
    struct Row {
        var line: Int
        var fields: [String]
        var problem: BadRowReason?
    }

    private(set) var rows: [Row] = []
    private var current = Row(line: 0, fields: [])

    mutating func beginRecord(line: Int) {
        current = Row(line: line, fields: [])
    }

    mutating func field(_ start: UnsafePointer<UInt8>, _ count: Int) {
        current.fields.append(String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self))
    }

    mutating func endRecord() {
        rows.append(current)
    }

    mutating func abandonRecord(_ reason: BadRowReason) {
        current.problem = reason
        rows.append(current)
    }
}
