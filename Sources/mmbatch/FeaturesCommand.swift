import Foundation
import MMCore
import MMFeatures
import MMPipeline

/// `mmbatch features check`: reads a catalogue or one feature file and reports on it.
enum FeaturesCommand {
    static let check = Command(
        definition: CommandDefinition(
            path: ["features", "check"], summary: "cli.features.summary",
            options: [
                CommonOptions.data,
                .value("file", "FILE", help: "cli.features.file"),
                .value("id-column", "NAME", help: "cli.features.idColumn"),
                .value("ignore", "COLUMNS", help: "cli.features.ignore", repeatable: true),
                .value("label-column", "NAME", help: "cli.features.labelColumn"),
                .value("delimiter", "CHAR", help: "cli.features.delimiter"),
                CommonOptions.encoding, CommonOptions.strict, CommonOptions.rebuildCache,
                .flag("deep", help: "cli.features.deep"),
            ]),
        execute: executeCheck)

    static func executeCheck(_ arguments: ParsedArguments) throws -> ExitCode {
        var options = FeatureReadOptions(idColumn: arguments.value("id-column"))
        options.ignoredColumns = arguments.list("ignore")
        options.labelColumn = arguments.value("label-column")
        options.delimiter = try arguments.delimiter()
        options.encoding = try arguments.encoding()
        options.strict = arguments.flag("strict")
        options.rebuildCache = arguments.flag("rebuild-cache")

        let deep = arguments.flag("deep")
        let text: String
        if let file = arguments.path("file") {
            let summary = try FeatureCheck.checkFile(file, options: options, deep: deep)
            output(summary.render())
            if summary.rows == 0 && summary.quality.rowsRead > 0 {
                throw PipelineError.allRowsRejected(path: file.path, rows: summary.quality.rowsRead)
            }
            return .success
        } else {
            var catalogueOptions = CatalogueOptions(
                strict: options.strict, rebuildCache: options.rebuildCache, encoding: options.encoding)
            catalogueOptions.workers = options.workers
            text = try FeatureCheck.checkCatalogue(arguments.dataDirectory, options: catalogueOptions, deep: deep).render()
        }
        output(text)
        return .success
    }
}

extension ParsedArguments {
    /// `--delimiter`: one ASCII character, or `tab` / `\t`.
    func delimiter() throws(UsageError) -> UInt8? {
        guard let text = value("delimiter") else { return nil }
        if text == "tab" || text == "\\t" || text == "\t" {
            return UInt8(ascii: "\t")
        }
        guard text.utf8.count == 1, let byte = text.utf8.first, byte < 0x80, byte != UInt8(ascii: "\"") else {
            throw UsageError(Message("cli.features.badDelimiter", ["value": text]))
        }
        return byte
    }
}
