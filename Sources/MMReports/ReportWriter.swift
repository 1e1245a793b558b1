import Foundation
import MMCore

/// Writes the files people and programs read after a run, all through
/// `AtomicFileWriter`, so a crash leaves either the previous file or the complete new
/// one:
///
///     <reports>/index.html                    every run, newest first
///     <reports>/<run-id>/report.html          the run's page
///     <reports>/<run-id>/recommendations.csv  top K genres per user
///     <reports>/<run-id>/failures.csv         every failed or dead user
///     <reports>/<run-id>/summary.json         the page's figures for other programs
///
/// A run's folder is named by its run id in decimal without padding (`42`), so the path
/// is predictable from the runs table.
public struct ReportWriter: Sendable {
    public let reportsDirectory: URL
    public let locale: AppLocale
    public let csvOptions: CSVOptions

    public init(reportsDirectory: URL, locale: AppLocale = .english, includeBOM: Bool = true) {
        self.reportsDirectory = reportsDirectory
        self.locale = locale
        self.csvOptions = CSVOptions(includeBOM: includeBOM)
    }

    public static let recommendationsFile = "recommendations.csv"
    public static let failuresFile = "failures.csv"
    public static let summaryFile = "summary.json"
    public static let reportFile = "report.html"
    public static let indexFile = "index.html"

    /// Returns the folder name of a run: its id in decimal.
    public static func folderName(for runID: Int64) -> String {
        String(runID)
    }

    public func runDirectory(for runID: Int64) -> URL {
        reportsDirectory.appendingPathComponent(Self.folderName(for: runID), isDirectory: true)
    }

    /// Writes recommendations.csv (rows of rank ≤ `topK`, streamed in the order given),
    /// failures.csv, summary.json and report.html into the run's folder, in that order,
    /// so a report page on disk always has its data files beside it.
    ///
    /// Temporary files a killed writer left in the folder are removed first.
    ///
    /// - Returns: the URL of report.html.
    @discardableResult
    public func writeRun<Rows: Sequence<RecommendationRow>>(
        _ summary: RunSummary, recommendations: Rows, topK: Int
    ) throws(OutputError) -> URL {
        do {
            return try writeRun(summary, topK: topK) { (stream) throws(OutputError) in
                for row in recommendations {
                    try stream.append(row)
                }
            }
        } catch let error as OutputError {
            throw error
        } catch {
            preconditionFailure("only output errors can arise from a sequence of rows: \(error)")
        }
    }

    /// Writes the same files as `writeRun(_:recommendations:topK:)`, with the rows pushed
    /// into recommendations.csv by `produceRecommendations`, for producers such as a
    /// database cursor that cannot offer a sequence. An error the producer throws stops
    /// the writing and leaves the previous files in place.
    @discardableResult
    public func writeRun(
        _ summary: RunSummary, topK: Int,
        produceRecommendations: (RecommendationsStream) throws -> Void
    ) throws -> URL {
        let folder = runDirectory(for: summary.runID)
        try AtomicFile.createDirectory(folder)
        AtomicFile.removeLeftovers(in: reportsDirectory)
        AtomicFile.removeLeftovers(in: folder)

        let stream = try RecommendationsStream(
            url: folder.appendingPathComponent(Self.recommendationsFile), topK: topK, options: csvOptions)
        try produceRecommendations(stream)
        try stream.finish()
        try RecommendationsCSV.writeFailures(
            summary.failures, to: folder.appendingPathComponent(Self.failuresFile), options: csvOptions)
        try AtomicFile.write(bytes: ReportJSON.encode(summary), to: folder.appendingPathComponent(Self.summaryFile))

        let page = RunReportPage(summary: summary, text: ReportText(locale: locale)).render()
        let pageURL = folder.appendingPathComponent(Self.reportFile)
        try AtomicFile.write(page, to: pageURL)
        return pageURL
    }

    /// Writes index.html listing `runs` newest first.
    ///
    /// - Returns: the URL of index.html.
    @discardableResult
    public func writeIndex(runs: [RunListing]) throws(OutputError) -> URL {
        try AtomicFile.createDirectory(reportsDirectory)
        AtomicFile.removeLeftovers(in: reportsDirectory)
        // A run killed while writing its folder never writes it again (the next run gets
        // a new id), so every run folder is swept here.
        let names = (try? FileManager.default.contentsOfDirectory(atPath: reportsDirectory.path)) ?? []
        for name in names where Int64(name) != nil {
            AtomicFile.removeLeftovers(in: reportsDirectory.appendingPathComponent(name, isDirectory: true))
        }
        let page = IndexPage(runs: runs, text: ReportText(locale: locale)).render()
        let url = reportsDirectory.appendingPathComponent(Self.indexFile)
        try AtomicFile.write(page, to: url)
        return url
    }

    /// Reads summary.json of every run folder, for rebuilding the index without the
    /// database (`mmbatch report`). Folders without a readable summary are skipped.
    public func listRuns() -> [RunListing] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: reportsDirectory.path) else {
            return []
        }
        var runs: [RunListing] = []
        for name in names where Int64(name) != nil {
            let url = reportsDirectory.appendingPathComponent(name).appendingPathComponent(Self.summaryFile)
            guard let data = try? Data(contentsOf: url),
                let summary = try? ReportJSON.decode(RunSummary.self, from: data)
            else { continue }
            runs.append(RunListing(summary))
        }
        return runs.sorted { $0.runID > $1.runID }
    }

    /// Renders the page of a run without writing it, for previews and tests.
    public func renderRunPage(_ summary: RunSummary) -> String {
        RunReportPage(summary: summary, text: ReportText(locale: locale)).render()
    }

    /// Renders the index page without writing it.
    public func renderIndexPage(runs: [RunListing]) -> String {
        IndexPage(runs: runs, text: ReportText(locale: locale)).render()
    }
}

// MARK: - Training and evaluation

extension ReportWriter {
    public static let trainingPageFile = "training.html"
    public static let trainingDataFile = "training.json"
    public static let evaluationPageFile = "evaluation.html"
    public static let evaluationDataFile = "evaluation.json"

    /// Writes training.html and training.json into `directory` (the reports folder when
    /// nil).
    ///
    /// - Returns: the URL of training.html.
    @discardableResult
    public func writeTraining(_ report: TrainingReport, to directory: URL? = nil) throws(OutputError) -> URL {
        let folder = directory ?? reportsDirectory
        try AtomicFile.createDirectory(folder)
        AtomicFile.removeLeftovers(in: folder)
        try AtomicFile.write(bytes: ReportJSON.encode(report), to: folder.appendingPathComponent(Self.trainingDataFile))
        let url = folder.appendingPathComponent(Self.trainingPageFile)
        try AtomicFile.write(TrainingPage(report: report, text: ReportText(locale: locale)).render(), to: url)
        return url
    }

    /// Writes evaluation.html and evaluation.json into `directory` (the reports folder
    /// when nil).
    ///
    /// - Returns: the URL of evaluation.html.
    @discardableResult
    public func writeEvaluation(_ report: EvaluationReport, to directory: URL? = nil) throws(OutputError) -> URL {
        let folder = directory ?? reportsDirectory
        try AtomicFile.createDirectory(folder)
        AtomicFile.removeLeftovers(in: folder)
        try AtomicFile.write(bytes: ReportJSON.encode(report), to: folder.appendingPathComponent(Self.evaluationDataFile))
        let url = folder.appendingPathComponent(Self.evaluationPageFile)
        try AtomicFile.write(EvaluationPage(report: report, text: ReportText(locale: locale)).render(), to: url)
        return url
    }

    /// Renders the training page without writing it.
    public func renderTrainingPage(_ report: TrainingReport) -> String {
        TrainingPage(report: report, text: ReportText(locale: locale)).render()
    }

    /// Renders the evaluation page without writing it.
    public func renderEvaluationPage(_ report: EvaluationReport) -> String {
        EvaluationPage(report: report, text: ReportText(locale: locale)).render()
    }
}
