import Foundation
import MMCore

/// Timings of reading one catalogue, for `mmbatch bench`.
public struct FeatureBenchmarkResult: Sendable {
    /// The best of the repetitions for one CSV file, parsed without the cache.
    public struct FileTiming: Sendable {
        public let file: String
        public let bytes: Int
        public let rows: Int
        public let seconds: Double

        public var megabytesPerSecond: Double { Double(bytes) / 1e6 / max(seconds, 1e-9) }
    }

    public let directory: String
    public let files: [FileTiming]
    /// Threads used for parsing.
    public let workers: Int
    /// Parsing every file and writing its binary copy, in one cold open of the catalogue.
    public let cacheBuildSeconds: Double
    /// The best warm open of the whole catalogue from its binary copies.
    public let warmOpenSeconds: Double
    /// Bytes of the binary copies.
    public let cacheBytes: Int
    /// Peak resident memory of this process so far (`VmHWM`), in bytes.
    public let peakResidentBytes: Int

    public var csvBytes: Int { files.reduce(0) { $0 + $1.bytes } }
    public var parseSeconds: Double { files.reduce(0) { $0 + $1.seconds } }
    /// CSV megabytes (10^6 bytes) parsed per second over every file.
    public var parseMegabytesPerSecond: Double { Double(csvBytes) / 1e6 / max(parseSeconds, 1e-9) }

    /// Renders the timings as a text block in `locale`.
    public func render(in locale: AppLocale? = nil) -> String {
        let locale = locale ?? AppLocale.current
        var lines = [Message("features.bench.heading", [
            "path": directory, "workers": String(workers),
        ]).text(in: locale)]
        for file in files {
            lines.append("  " + Message("features.bench.file", [
                "file": (file.file as NSString).lastPathComponent, "megabytes": locale.formatDecimal(Double(file.bytes) / 1e6, decimals: 1),
                "rows": locale.formatInteger(file.rows), "seconds": locale.formatDecimal(file.seconds, decimals: 3),
                "rate": locale.formatDecimal(file.megabytesPerSecond, decimals: 0),
            ]).text(in: locale))
        }
        lines.append("  " + Message("features.bench.parse", [
            "megabytes": locale.formatDecimal(Double(csvBytes) / 1e6, decimals: 1),
            "seconds": locale.formatDecimal(parseSeconds, decimals: 3),
            "rate": locale.formatDecimal(parseMegabytesPerSecond, decimals: 0),
        ]).text(in: locale))
        lines.append("  " + Message("features.bench.cache", [
            "seconds": locale.formatDecimal(cacheBuildSeconds, decimals: 3),
            "megabytes": locale.formatDecimal(Double(cacheBytes) / 1e6, decimals: 1),
        ]).text(in: locale))
        lines.append("  " + Message("features.bench.warm", [
            "seconds": locale.formatDecimal(warmOpenSeconds, decimals: 4),
        ]).text(in: locale))
        lines.append("  " + Message("features.bench.memory", [
            "megabytes": locale.formatDecimal(Double(peakResidentBytes) / 1e6, decimals: 0),
        ]).text(in: locale))
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Measures how fast a catalogue is read.
public enum FeatureBenchmark {
    /// Parses each CSV file of the catalogue `repetitions` times without the cache and
    /// keeps the best time per file, then rebuilds the binary copies once (timed) and
    /// opens the catalogue from them `repetitions` times (best time kept).
    ///
    /// The binary copies are written to the catalogue's cache folder (or
    /// `options.cacheDirectory`), so later runs start warm.
    public static func run(
        catalogue directory: URL, options: CatalogueOptions = CatalogueOptions(), repetitions: Int = 3
    ) throws -> FeatureBenchmarkResult {
        precondition(repetitions >= 1, "repetitions must be at least 1, got \(repetitions)")
        var quiet = options
        quiet.logsWarnings = false
        quiet.strict = false
        let workers = max(1, options.workers ?? SystemInfo.activeCores)

        var files: [FeatureBenchmarkResult.FileTiming] = []
        var parseOptions = quiet
        parseOptions.useCache = false
        let names: [(CatalogueFile, String?)] = [
            (.history, "user_id"), (.covers, "track_id"), (.clips, "track_id"), (.listens, nil), (.labels, "user_id"),
        ]
        for (name, idColumn) in names {
            let url = directory.appendingPathComponent(name.rawValue)
            guard FileManager.default.fileExists(atPath: url.path) else { continue }
            var best = Double.infinity
            var rows = 0
            for _ in 0..<repetitions {
                let started = monotonicSeconds()
                if name == .listens {
                    rows = try ListenStore.open(url, options: parseOptions.readOptions(idColumn: nil)).count
                } else {
                    var readOptions = parseOptions.readOptions(idColumn: idColumn)
                    if name == .labels {
                        readOptions.labelColumn = "genre"
                    }
                    rows = try FeatureStore.open(url, options: readOptions).count
                }
                best = min(best, monotonicSeconds() - started)
            }
            let bytes = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
            files.append(.init(file: url.path, bytes: bytes, rows: rows, seconds: best))
        }

        var rebuild = quiet
        rebuild.useCache = true
        rebuild.rebuildCache = true
        var started = monotonicSeconds()
        let built = try Catalogue.open(directory, options: rebuild)
        let cacheBuildSeconds = monotonicSeconds() - started
        let stores = [built.history, built.covers, built.clips, built.labels?.table].compactMap { $0 }
        let cacheBytes = stores.compactMap { $0.cacheFile?.byteCount }.reduce(built.listens.cacheFile?.byteCount ?? 0, +)

        var warm = quiet
        warm.useCache = true
        var warmOpenSeconds = Double.infinity
        for _ in 0..<repetitions {
            started = monotonicSeconds()
            _ = try Catalogue.open(directory, options: warm)
            warmOpenSeconds = min(warmOpenSeconds, monotonicSeconds() - started)
        }
        return FeatureBenchmarkResult(
            directory: directory.path, files: files, workers: workers, cacheBuildSeconds: cacheBuildSeconds,
            warmOpenSeconds: warmOpenSeconds, cacheBytes: cacheBytes, peakResidentBytes: SystemInfo.peakResidentBytes)
    }
}
