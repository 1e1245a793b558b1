import Foundation
import MMCore
import MMPipeline

/// Options shared by several commands, with their defaults.
enum CommonOptions {
    static let data = OptionDefinition.value("data", "DIR", help: "cli.option.data")
    static let database = OptionDefinition.value("db", "FILE", help: "cli.option.db")
    static let reports = OptionDefinition.value("reports", "DIR", help: "cli.option.reports")
    static let model = OptionDefinition.value("model", "FILE", help: "cli.option.model")
    static let workers = OptionDefinition.value("workers", "N", help: "cli.option.workers")
    static let topK = OptionDefinition.value("top-k", "K", help: "cli.option.topK")
    static let strict = OptionDefinition.flag("strict", help: "cli.option.strict")
    static let json = OptionDefinition.flag("json", help: "cli.option.json")
    static let noBOM = OptionDefinition.flag("no-bom", help: "cli.option.noBOM")
    static let rebuildCache = OptionDefinition.flag("rebuild-cache", help: "cli.option.rebuildCache")
    static let encoding = OptionDefinition.value("encoding", "NAME", help: "cli.option.encoding")
}

extension ParsedArguments {
    var databasePath: String { value("db") ?? Defaults.database }
    var dataDirectory: URL { URL(fileURLWithPath: value("data") ?? Defaults.dataDirectory) }
    var reportsDirectory: URL { URL(fileURLWithPath: value("reports") ?? Defaults.reportsDirectory) }
    var modelPath: URL { URL(fileURLWithPath: value("model") ?? Defaults.model) }

    func workerCount() throws(UsageError) -> Int {
        try integer("workers", default: SystemInfo.activeCores, range: 1...256)
    }

    func topK() throws(UsageError) -> Int {
        try integer("top-k", default: Defaults.topK, range: 1...1000)
    }
}

/// Prints rows as left-aligned columns separated by two spaces.
func formatTable(_ rows: [[String]]) -> String {
    guard let columnCount = rows.map(\.count).max() else { return "" }
    var widths = [Int](repeating: 0, count: columnCount)
    for row in rows {
        for (index, cell) in row.enumerated() {
            widths[index] = max(widths[index], displayWidth(cell))
        }
    }
    return rows.map { row in
        row.enumerated().map { index, cell in
            index == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - displayWidth(cell))
        }.joined(separator: "  ")
    }.joined(separator: "\n")
}

/// Terminal columns a string takes: CJK characters are two columns wide.
func displayWidth(_ text: String) -> Int {
    text.unicodeScalars.reduce(0) { width, scalar in
        let wide = (0x1100...0x115F).contains(scalar.value) || (0x2E80...0xA4CF).contains(scalar.value)
            || (0xAC00...0xD7A3).contains(scalar.value) || (0xF900...0xFAFF).contains(scalar.value)
            || (0xFE30...0xFE4F).contains(scalar.value) || (0xFF00...0xFF60).contains(scalar.value)
            || (0xFFE0...0xFFE6).contains(scalar.value)
        return width + (wide ? 2 : 1)
    }
}
