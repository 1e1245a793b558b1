import Foundation
import MMCore
import Testing

@testable import MMReports

@Suite struct LocalizationTests {
    private func writer(_ locale: AppLocale) -> ReportWriter {
        ReportWriter(reportsDirectory: URL(fileURLWithPath: "/nonexistent"), locale: locale)
    }

    /// Returns the text a reader gets: element content and SVG titles, without tags or attributes.
    private func visibleText(_ html: String) -> String {
        let body = html.components(separatedBy: "<body>").last ?? html
        return body.replacing(#/<[^>]*>/#, with: " ")
    }

    /// Literal runs of English words in a catalogue template, placeholders removed.
    private func englishFragments(of template: String) -> [String] {
        template.split(separator: #/\{[A-Za-z0-9_]+\}/#)
            .map { $0.trimmingCharacters(in: .whitespaces.union(.punctuationCharacters)) }
            .filter { $0.filter(\.isLetter).count >= 3 }
    }

    /// Checks that no English label of the catalogue remains in a Chinese page. A
    /// fragment that the Chinese text keeps on purpose (lease, dead, top-1) is allowed,
    /// and command names are removed first because both languages write them as typed.
    private func expectNoEnglishLabels(in html: String) {
        var text = visibleText(html)
        for command in ["mmbatch run", "mmbatch demo"] {
            text = text.replacingOccurrences(of: command, with: " ")
        }
        let words = " " + text.replacing(#/[^A-Za-z0-9\-]+/#, with: " ") + " "
        for (key, texts) in Messages.shared.entries where key.hasPrefix("reports.") {
            guard let english = texts[.english], let chinese = texts[.chinese] else { continue }
            for fragment in englishFragments(of: english) where !chinese.contains(fragment) {
                let phrase = " " + fragment.replacing(#/[^A-Za-z0-9\-]+/#, with: " ") + " "
                #expect(!words.contains(phrase), "English text of \(key) left in the Chinese page: \(fragment)")
            }
        }
    }

    @Test func runPageFullyChinese() {
        var summary = ReportFixtures.summary(failureCount: 250)
        summary.stopReason = "磁盘已满"
        let html = writer(.chinese).renderRunPage(summary)
        #expect(html.contains("<html lang=\"zh-CN\">"))
        expectNoEnglishLabels(in: html)
        let text = visibleText(html)
        for genre in ReportFixtures.genres {
            #expect(text.contains(genre.chineseName))
            #expect(!text.contains(" \(genre.name) "), "English genre name \(genre.name) shown")
        }
        #expect(text.contains("2026年12月4日 02:00:01 UTC"))
        #expect(text.contains("23.9 用户/秒"))
        #expect(text.contains("部分成功"))
    }

    @Test func indexPageFullyChinese() {
        let runs = (1...3).map { RunListing(ReportFixtures.summary(runID: Int64($0), failureCount: $0 - 1)) }
        let html = writer(.chinese).renderIndexPage(runs: runs)
        #expect(html.contains("<html lang=\"zh-CN\">"))
        expectNoEnglishLabels(in: html)
        let empty = writer(.chinese).renderIndexPage(runs: [])
        expectNoEnglishLabels(in: empty)
    }

    @Test func modelPagesFullyChinese() {
        let training = writer(.chinese).renderTrainingPage(ModelReportFixtures.training())
        #expect(training.contains("<html lang=\"zh-CN\">"))
        expectNoEnglishLabels(in: training)
        let evaluation = writer(.chinese).renderEvaluationPage(ModelReportFixtures.evaluation())
        expectNoEnglishLabels(in: evaluation)
        let withoutGap = writer(.chinese).renderEvaluationPage(ModelReportFixtures.evaluation(withGap: false))
        expectNoEnglishLabels(in: withoutGap)
    }

    @Test func pagesDifferByLocale() {
        let summary = ReportFixtures.summary()
        let english = writer(.english).renderRunPage(summary)
        let chinese = writer(.chinese).renderRunPage(summary)
        #expect(english.contains("<html lang=\"en\">"))
        #expect(english.contains("Top genre per user"))
        #expect(chinese.contains("每位用户的首选流派"))
        #expect(!english.contains("每位用户的首选流派"))
        #expect(english.contains(">rock<"))
        #expect(chinese.contains(">摇滚<"))
    }

    /// Every catalogue entry the pages use must read differently in Chinese, unless it
    /// is a field term kept in English on purpose.
    @Test func catalogueEntriesTranslated() {
        let keptInEnglish: Set<String> = ["reports.metricName.ndcgAt3"]
        for (key, texts) in Messages.shared.entries where key.hasPrefix("reports.") && !keptInEnglish.contains(key) {
            #expect(texts[.english] != texts[.chinese], "\(key) is not translated")
        }
    }

    @Test func singularFormsUsed() {
        var summary = ReportFixtures.summary(failureCount: 1)
        summary.counts.usersWithoutTracks = 1
        summary.counts.recovered = 1
        summary.stores[0].badRows = [ReasonCount(reason: "non-numeric cell", count: 1)]
        let html = writer(.english).renderRunPage(summary)
        #expect(html.contains("history: 1 bad row was skipped."))
        #expect(html.contains("1 user had no usable track"))
        #expect(html.contains("1 job was claimed again"))
        #expect(html.contains("1 failed user."))
    }

    @Test func catalogueKeyReasonsTranslated() {
        var summary = ReportFixtures.summary()
        summary.stores[0].badRows = [ReasonCount(reason: "reports.status.failed", count: 2)]
        let html = writer(.chinese).renderRunPage(summary)
        #expect(html.contains("<td>失败</td>"))
    }
}
