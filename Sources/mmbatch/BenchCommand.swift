import Foundation
import MMCore
import MMPipeline

/// `mmbatch bench`: speed and memory figures measured in one invocation.
enum BenchCommand {
    static let command = Command(
        definition: CommandDefinition(
            path: ["bench"], summary: "cli.bench.summary",
            options: [
                .value("users", "N", help: "cli.bench.users"),
                .value("tracks", "M", help: "cli.bench.tracks"),
                .value("listens", "L", help: "cli.bench.listens"),
                .value("data", "DIR", help: "cli.bench.data"),
                .value("dir", "DIR", help: "cli.bench.dir"),
                CommonOptions.workers,
                .value("batch-size", "N", help: "cli.run.batchSize"),
                .value("seconds", "S", help: "cli.bench.seconds"),
                CommonOptions.json,
            ]),
        execute: execute)

    static func execute(_ arguments: ParsedArguments) throws -> ExitCode {
        var benchmark = Benchmark()
        benchmark.users = try arguments.integer("users", default: 20_000, range: 1...100_000_000)
        benchmark.tracks = try arguments.integer("tracks", default: 20_000, range: 1...100_000_000)
        benchmark.listensPerUser = try arguments.integer("listens", default: 16, range: 1...10_000)
        guard benchmark.listensPerUser <= benchmark.tracks else {
            throw UsageError(Message("cli.bench.tooManyListens", [
                "listens": "\(benchmark.listensPerUser)", "tracks": "\(benchmark.tracks)",
            ]))
        }
        benchmark.dataDirectory = arguments.path("data")
        if let directory = arguments.path("dir") {
            benchmark.workDirectory = directory
        }
        benchmark.workers = try arguments.workerCount()
        benchmark.batchSize = try arguments.integer("batch-size", default: Defaults.batchSize, range: 1...65_536)
        benchmark.seconds = try arguments.number("seconds", default: 3, range: 0.1...600)

        let result = try benchmark.run()
        output(arguments.flag("json") ? result.json() : render(result))
        return .success
    }

    static func render(_ result: BenchmarkResult) -> String {
        let locale = AppLocale.current
        func number(_ value: Double, _ decimals: Int = 0) -> String { locale.formatDecimal(value, decimals: decimals) }
        func megabytes(_ bytes: Int) -> String { number(Double(bytes) / 1e6, 1) + " MB" }
        let rows: [[String]] = [
            [localized("cli.bench.catalogue"), localized("cli.bench.catalogueValue", [
                "users": locale.formatInteger(result.users), "tracks": locale.formatInteger(result.tracks),
                "csv": megabytes(result.csvBytes), "data": megabytes(result.dataBytes),
            ])],
            [localized("cli.bench.machine"), localized("cli.bench.machineValue", [
                "cores": "\(result.cores)", "blas": result.blasCore, "workers": "\(result.workers)",
                "batch": "\(result.batchSize)",
            ])],
            [localized("cli.bench.sgemm"), number(result.sgemmPeakGFLOPS, 1) + " GFLOP/s"],
            [localized("cli.bench.inference"), number(result.inferenceUsersPerSecond) + " users/s, "
                + number(result.inferenceGFLOPS, 1) + " GFLOP/s (" + locale.formatPercent(result.inferenceToPeak) + ")"],
            [localized("cli.bench.assemble"), number(result.assembleUsersPerSecond) + " users/s"],
            [localized("cli.bench.parse"), number(result.csvParseMegabytesPerSecond) + " MB/s"],
            [localized("cli.bench.warmLoad"), locale.formatDuration(result.warmLoadSeconds)],
            [localized("cli.bench.enqueue"), number(result.enqueueJobsPerSecond) + " jobs/s"],
            [localized("cli.bench.claim"), number(result.claimCompleteJobsPerSecond) + " jobs/s"],
            [localized("cli.bench.cold"), number(result.coldUsersPerSecond) + " users/s (" + locale.formatDuration(result.coldSeconds)
                + ", " + megabytes(result.coldPeakResidentBytes) + ")"],
            [localized("cli.bench.warm"), number(result.warmUsersPerSecond) + " users/s (" + locale.formatDuration(result.warmSeconds)
                + ", " + megabytes(result.peakResidentBytes) + ")"],
            [localized("cli.bench.memory"), megabytes(result.peakResidentBytes) + " / " + megabytes(result.memoryLimitBytes)],
        ]
        return formatTable(rows)
    }
}
