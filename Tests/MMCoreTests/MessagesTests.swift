import Testing

@testable import MMCore

@Suite struct MessagesTests {
    @Test func everyEntryHasBothLanguages() {
        #expect(Messages.shared.problems == [])
        #expect(Messages.shared.entries.count > 0)
    }

    @Test func translationsUseSamePlaceholders() {
        for (key, texts) in Messages.shared.entries {
            let english = Messages.placeholders(in: texts[.english] ?? "")
            let chinese = Messages.placeholders(in: texts[.chinese] ?? "")
            #expect(english == chinese, "placeholders differ in \(key)")
        }
    }

    @Test func catalogueMissingLanguageReported() {
        let source = #"{"a.b": {"en": "only English"}}"#
        let catalogue = Messages(sources: [("test.json", Array(source.utf8))])
        #expect(catalogue.problems == ["test.json: a.b: no zh-CN text"])
    }

    @Test func renderFillsPlaceholders() {
        let message = Message("core.output.failed", ["path": "/x/r.csv", "reason": "No space left on device"])
        #expect(message.text(in: .english).hasPrefix("cannot write /x/r.csv: No space left on device"))
        #expect(message.text(in: .chinese).hasPrefix("无法写入 /x/r.csv：No space left on device"))
    }

    @Test func unknownKeyShowsArguments() {
        let text = Message("no.such.key", ["b": "2", "a": "1"]).text(in: .english)
        #expect(text == "no.such.key a=1 b=2")
    }

    @Test func fillKeepsUnknownPlaceholders() {
        #expect(Messages.fill("{a} and {b}", with: ["a": "x"]) == "x and {b}")
    }
}

@Suite struct LocaleTests {
    @Test func optionWinsOverEnvironment() throws {
        let locale = try AppLocale.resolve(option: "zh-CN", environment: ["MMBATCH_LOCALE": "en"])
        #expect(locale == .chinese)
    }

    @Test func environmentOrder() throws {
        #expect(try AppLocale.resolve(option: nil, environment: ["MMBATCH_LOCALE": "zh-CN", "LANG": "en_US.UTF-8"]) == .chinese)
        #expect(try AppLocale.resolve(option: nil, environment: ["LANG": "zh_CN.UTF-8"]) == .chinese)
        #expect(try AppLocale.resolve(option: nil, environment: ["LC_ALL": "C", "LANG": "zh_CN.UTF-8"]) == .english)
        #expect(try AppLocale.resolve(option: nil, environment: [:]) == .english)
        #expect(try AppLocale.resolve(option: nil, environment: ["LANG": "de_DE.UTF-8"]) == .english)
    }

    @Test func unknownOptionRejected() {
        #expect(throws: UsageError.self) {
            try AppLocale.resolve(option: "fr", environment: [:])
        }
    }

    @Test func numberFormatting() {
        #expect(AppLocale.english.formatInteger(1_234_567) == "1,234,567")
        #expect(AppLocale.english.formatInteger(-1000) == "-1,000")
        #expect(AppLocale.english.formatInteger(999) == "999")
        #expect(AppLocale.chinese.formatDecimal(12345.678, decimals: 2) == "12,345.68")
        #expect(AppLocale.english.formatPercent(0.4567) == "45.7%")
        #expect(AppLocale.english.formatDecimal(-0.0001, decimals: 2) == "0.00")
    }

    @Test func dateFormatting() {
        let date = UTCTime.parse("2026-12-04T19:05:09Z")!
        #expect(AppLocale.english.formatDate(date) == "2026-12-04 19:05:09 UTC")
        #expect(AppLocale.chinese.formatDate(date) == "2026年12月4日 19:05:09 UTC")
    }

    @Test func durationFormatting() {
        #expect(AppLocale.english.formatDuration(0.25) == "250 ms")
        #expect(AppLocale.english.formatDuration(12.34) == "12.3 s")
        #expect(AppLocale.english.formatDuration(245) == "4 min 05 s")
        #expect(AppLocale.chinese.formatDuration(3720) == "1 小时 02 分")
    }
}
