import Foundation
import MMCore
import MMTestSupport
import Testing

@testable import MMReports

@Suite struct ModelReportTests {
    private func writer(_ locale: AppLocale = .english) -> ReportWriter {
        ReportWriter(reportsDirectory: URL(fileURLWithPath: "/nonexistent"), locale: locale)
    }

    private func count(_ needle: String, _ html: String) -> Int {
        ReportFixtures.count(needle, in: html)
    }

    @Test func meanAndDeviationFormula() {
        let value = MeanAndDeviation([1, 2, 3, 4])
        #expect(value.mean == 2.5)
        #expect(abs(value.standardDeviation - (5.0 / 3.0).squareRoot()) < 1e-12)
        #expect(MeanAndDeviation([0.7]).standardDeviation == 0)
        let seeds = MetricsOverSeeds(seeds: [ModelMetrics(top1Accuracy: 0.5), ModelMetrics(top1Accuracy: 0.7, macroF1: 0.1)])
        #expect(seeds.top1Accuracy?.mean == 0.6)
        #expect(seeds.macroF1 == nil, "a figure missing from one seed is not averaged")
    }

    @Test func trainingPageCharts() {
        let html = writer().renderTrainingPage(ModelReportFixtures.training(epochs: 18, best: 13))
        #expect(html.contains("data-chart=\"loss\""))
        #expect(html.contains("data-chart=\"accuracy\""))
        #expect(count("class=\"line series-", html) == 4)
        #expect(count("<circle class=\"point", html) == 4 * 18)
        #expect(count("data-marker=\"13\"", html) == 2)
        #expect(count("data-row=\"epoch\"", html) == 18)
        #expect(count("data-row=\"metric\"", html) == 6)
        #expect(html.contains("early stopping before the limit of 50"))
        #expect(html.contains("c0ffee1234567890"))
        #expect(html.contains("learning_rate"))
        #expect(html.contains("<strong>13 ★</strong>"))
        #expect(html.contains(HTMLPage.contentSecurityPolicy))
    }

    @Test func evaluationPageTables() {
        let html = writer().renderEvaluationPage(ModelReportFixtures.evaluation())
        #expect(count("data-row=\"model\"", html) == 4)
        #expect(html.contains("Majority genre (baseline)"))
        #expect(html.contains("History only (baseline)"))
        #expect(html.contains("<strong>68.0% ± 1.6</strong>"), "best top-1 in bold with its deviation")
        #expect(count("data-row=\"confusion\"", html) == 10)
        #expect(count("<td class=\"cell", html) == 100)
        #expect(count("<td class=\"cell diagonal\"", html) == 10)
        #expect(count("data-row=\"gap\"", html) == 3)
        #expect(html.contains("+3.5 pp ± 2.2"))
        #expect(html.contains("attention was better with 4 of 5 seeds"))
        let chart = html.components(separatedBy: "data-chart=\"top1-by-model\"").last ?? ""
        #expect(count("class=\"bar ", chart.components(separatedBy: "</svg>").first ?? "") == 4)
    }

    @Test func evaluationWithoutGap() {
        let html = writer().renderEvaluationPage(ModelReportFixtures.evaluation(withGap: false))
        #expect(html.contains("Only one fusion variant was evaluated"))
        #expect(count("data-row=\"gap\"", html) == 0)
    }

    @Test func writersProduceJSONAndPages() throws {
        let folder = TemporaryDirectory("model-reports")
        let writer = ReportWriter(reportsDirectory: folder.url, locale: .chinese)
        let training = ModelReportFixtures.training()
        let evaluation = ModelReportFixtures.evaluation()
        let trainingPage = try writer.writeTraining(training)
        let evaluationPage = try writer.writeEvaluation(evaluation, to: folder.path("eval"))
        #expect(trainingPage.lastPathComponent == "training.html")
        #expect(evaluationPage == folder.path("eval").appendingPathComponent("evaluation.html"))

        let trainingJSON = try Data(contentsOf: folder.path("training.json"))
        #expect(try ReportJSON.decode(TrainingReport.self, from: trainingJSON) == training)
        let evaluationJSON = try Data(contentsOf: folder.path("eval/evaluation.json"))
        #expect(try ReportJSON.decode(EvaluationReport.self, from: evaluationJSON) == evaluation)
        let page = String(decoding: try Data(contentsOf: evaluationPage), as: UTF8.self)
        #expect(page.contains("<html lang=\"zh-CN\">"))
        #expect(page.contains("混淆矩阵"))
        #expect(page.contains(">摇滚<"))
    }
}
