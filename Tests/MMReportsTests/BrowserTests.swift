import Foundation
import MMCore
import MMTestSupport
import Testing

@testable import MMReports

/// Headless Chromium, found on PATH (or at `MMBATCH_CHROMIUM`), that loads a page and
/// returns the DOM it built. Without Chromium the calling test is skipped with the
/// reason, unless `MMBATCH_REQUIRE_BROWSER=1` makes that a failure.
struct HeadlessBrowser {
    let executable: URL

    static func require() throws -> HeadlessBrowser {
        let environment = ProcessInfo.processInfo.environment
        var candidates: [String] = []
        if let override = environment["MMBATCH_CHROMIUM"], !override.isEmpty {
            candidates.append(override)
        }
        let path = environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            for name in ["chromium", "chromium-browser", "google-chrome"] {
                candidates.append("\(folder)/\(name)")
            }
        }
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) {
            return HeadlessBrowser(executable: URL(fileURLWithPath: found))
        }

        let reason = "Chromium is not installed (apt-get install chromium fonts-noto-cjk)"
        if environment["MMBATCH_REQUIRE_BROWSER"] == "1" {
            Issue.record("\(reason), and MMBATCH_REQUIRE_BROWSER=1 requires it")
            throw BrowserUnavailable()
        }
        try Test.cancel("skipped: \(reason)")
    }

    /// Loads `page` and returns the serialised DOM after parsing and layout.
    func dumpDOM(_ page: URL, profile: URL) throws -> String {
        try FileManager.default.createDirectory(at: profile, withIntermediateDirectories: true)
        let output = profile.deletingLastPathComponent().appendingPathComponent("dom-\(UUID().uuidString).html")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        defer { try? handle.close() }

        let process = Process()
        process.executableURL = executable
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=\(profile.path)",
            "--dump-dom", page.absoluteString,
        ]
        process.standardOutput = handle
        process.standardError = FileHandle.nullDevice
        try process.run()

        // Chromium ends within a few seconds; a hung browser is killed after 90 s.
        let deadline = Date().addingTimeInterval(90)
        while process.isRunning && Date() < deadline {
            usleep(20_000)
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "chromium exited with \(process.terminationStatus) for \(page.path)")
        return String(decoding: try Data(contentsOf: output), as: UTF8.self)
    }
}

struct BrowserUnavailable: Error {}

@Suite(.serialized) struct BrowserTests {
    /// Returns the part of `dom` from the chart's `svg` tag to its end.
    private func chart(_ id: String, in dom: String) -> String {
        guard let start = dom.range(of: "data-chart=\"\(id)\""),
            let end = dom[start.upperBound...].range(of: "</svg>")
        else { return "" }
        return String(dom[start.lowerBound..<end.upperBound])
    }

    private func count(_ needle: String, in text: String) -> Int {
        ReportFixtures.count(needle, in: text)
    }

    @Test(arguments: AppLocale.allCases)
    func runReportRendersInBrowser(locale: AppLocale) throws {
        let browser = try HeadlessBrowser.require()
        let folder = TemporaryDirectory("browser")
        let writer = ReportWriter(reportsDirectory: folder.path("reports"), locale: locale)
        let summary = ReportFixtures.summary(runID: 42, failureCount: 120, userIDs: SafeOutputTests.hostileIDs)
        let page = try writer.writeRun(summary, recommendations: ReportFixtures.rows(users: 10), topK: 3)

        let dom = try browser.dumpDOM(page, profile: folder.path("profile"))
        #expect(dom.contains("lang=\"\(locale.rawValue)\""))
        #expect(count("<rect class=\"bar ", in: chart("top-genre", in: dom)) == 10)
        #expect(count("<rect class=\"bar ", in: chart("confidence", in: dom)) == 10)
        #expect(count("<rect class=\"bar ", in: chart("top-probability", in: dom)) == 10)
        #expect(count("<rect class=\"bar ", in: chart("engagement", in: dom)) == 10)
        #expect(count("<rect class=\"bar ", in: chart("genre-shift", in: dom)) == 20)
        #expect(count("<rect class=\"bar ", in: chart("phases", in: dom)) == 5)
        #expect(count("<tr data-row=\"failure\"", in: dom) == 100)
        #expect(count("<tr data-row=\"failure-reason\"", in: dom) == 2)
        #expect(count("<tr data-row=\"genre-shift\"", in: dom) == 10)
        #expect(count("<tr data-row=\"store\"", in: dom) == 3)
        #expect(count("<tr data-row=\"bad-rows\"", in: dom) == 3)
        // Hostile ids stay text: the browser created no script or image element.
        #expect(!dom.contains("<script"))
        #expect(!dom.contains("<img"))
        #expect(dom.contains("&lt;script&gt;"))
        let heading = locale == .chinese ? "每位用户的首选流派" : "Top genre per user"
        #expect(dom.contains(heading))
    }

    @Test(arguments: AppLocale.allCases)
    func indexRendersInBrowser(locale: AppLocale) throws {
        let browser = try HeadlessBrowser.require()
        let folder = TemporaryDirectory("browser")
        let writer = ReportWriter(reportsDirectory: folder.path("reports"), locale: locale)
        let runs = (1...6).map { id in
            var summary = ReportFixtures.summary(runID: Int64(id), failureCount: id % 3)
            summary.start = ReportFixtures.start.addingTimeInterval(Double(id) * 86_400)
            summary.end = summary.start.addingTimeInterval(90)
            return RunListing(summary)
        }
        let page = try writer.writeIndex(runs: runs)

        let dom = try browser.dumpDOM(page, profile: folder.path("profile"))
        #expect(dom.contains("lang=\"\(locale.rawValue)\""))
        #expect(count("<tr data-row=\"run\"", in: dom) == 6)
        #expect(count("<rect class=\"bar ", in: chart("runs-scored", in: dom)) == 6)
        #expect(count("<rect class=\"bar ", in: chart("runs-failures", in: dom)) == 6)
        let newest = dom.range(of: "href=\"6/report.html\"")?.lowerBound
        let oldest = dom.range(of: "href=\"1/report.html\"")?.lowerBound
        #expect(newest != nil)
        #expect(oldest != nil)
        if let newest, let oldest {
            #expect(newest < oldest, "newest run listed first")
        }
    }

    @Test func modelPagesRenderInBrowser() throws {
        let browser = try HeadlessBrowser.require()
        let folder = TemporaryDirectory("browser")
        let writer = ReportWriter(reportsDirectory: folder.path("reports"), locale: .chinese)
        let training = try writer.writeTraining(ModelReportFixtures.training(epochs: 18, best: 13))
        let evaluation = try writer.writeEvaluation(ModelReportFixtures.evaluation())

        let trainingDOM = try browser.dumpDOM(training, profile: folder.path("profile"))
        #expect(count("<path class=\"line ", in: chart("loss", in: trainingDOM)) == 2)
        #expect(count("<circle class=\"point ", in: chart("accuracy", in: trainingDOM)) == 36)
        #expect(count("<tr data-row=\"epoch\"", in: trainingDOM) == 18)

        let evaluationDOM = try browser.dumpDOM(evaluation, profile: folder.path("profile"))
        #expect(count("<tr data-row=\"model\"", in: evaluationDOM) == 4)
        #expect(count("<tr data-row=\"confusion\"", in: evaluationDOM) == 10)
        #expect(count("<rect class=\"bar ", in: chart("top1-by-model", in: evaluationDOM)) == 4)
    }
}
