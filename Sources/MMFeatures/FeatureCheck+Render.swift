import Foundation
import MMCore

extension StoreSummary {
    /// Renders the summary as an indented text block in `locale` (the process-wide
    /// locale when nil), as `mmbatch features check` prints it.
    public func render(in locale: AppLocale? = nil) -> String {
        let locale = locale ?? AppLocale.current
        var lines = [Message("features.check.store", [
            "path": path, "rows": locale.formatInteger(rows), "dimension": locale.formatInteger(dimension),
            "cache": CheckText.cache(cacheStatus, locale),
        ]).text(in: locale)]
        lines += CheckText.quality(quality, locale)
        lines.append("  " + Message("features.check.allZero", ["count": locale.formatInteger(allZeroRows)]).text(in: locale))
        if rows > 0 && !columns.isEmpty {
            lines.append("  " + Message("features.check.largestMeans", ["columns": CheckText.means(largestMeans())]).text(in: locale))
            lines.append("  " + Message("features.check.smallestMeans", ["columns": CheckText.means(smallestMeans())]).text(in: locale))
            let low = columns.map(\.minimum).min() ?? 0
            let high = columns.map(\.maximum).max() ?? 0
            lines.append("  " + Message("features.check.range", [
                "min": CheckText.number(Double(low)), "max": CheckText.number(Double(high)),
            ]).text(in: locale))
        }
        lines += CheckText.payload(payloadIntact, locale)
        return lines.joined(separator: "\n") + "\n"
    }
}

extension ListenSummary {
    public func render(in locale: AppLocale? = nil) -> String {
        let locale = locale ?? AppLocale.current
        var lines = [Message("features.check.listens", [
            "path": path, "listens": locale.formatInteger(listens), "users": locale.formatInteger(users),
            "tracks": locale.formatInteger(tracks), "cache": CheckText.cache(cacheStatus, locale),
        ]).text(in: locale)]
        lines += CheckText.quality(quality, locale)
        lines.append("  " + Message("features.check.crossListens", [
            "users": locale.formatInteger(usersWithoutHistory), "covers": locale.formatInteger(tracksWithoutCover),
            "clips": locale.formatInteger(tracksWithoutClip),
        ]).text(in: locale))
        lines += CheckText.payload(payloadIntact, locale)
        return lines.joined(separator: "\n") + "\n"
    }
}

extension CatalogueCheck {
    /// Renders every table's summary, the genres and the catalogue fingerprint.
    public func render(in locale: AppLocale? = nil) -> String {
        let locale = locale ?? AppLocale.current
        var text = stores.map { $0.render(in: locale) }.joined()
        text += listens.render(in: locale)
        text += Message("features.check.genres", [
            "count": locale.formatInteger(genres.count),
            "names": genres.map { $0.displayName(in: locale) }.joined(separator: ", "),
        ]).text(in: locale) + "\n"
        if let labels {
            text += labels.render(in: locale)
            text += "  " + Message("features.check.labelsWithoutHistory", [
                "count": locale.formatInteger(labelsWithoutHistory),
            ]).text(in: locale) + "\n"
        }
        text += Message("features.check.fingerprint", ["fingerprint": fingerprint]).text(in: locale) + "\n"
        return text
    }
}

/// Lines and values shared by the summaries.
enum CheckText {
    static func cache(_ status: CacheStatus, _ locale: AppLocale) -> String {
        let key: String
        switch status {
        case .reused: key = "reused"
        case .built: key = "built"
        case .disabled: key = "disabled"
        case .unwritable: key = "unwritable"
        }
        return Message("features.check.cache." + key).text(in: locale)
    }

    static func quality(_ quality: StoreQuality, _ locale: AppLocale) -> [String] {
        guard quality.skippedRows > 0 else {
            var lines = ["  " + Message("features.check.noSkipped").text(in: locale)]
            lines += tiny(quality, locale)
            return lines
        }
        let reasons = quality.skipped.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
            .map { Message("features.reasonName." + $0.key.rawValue).text(in: locale) + ": " + locale.formatInteger($0.value) }
            .joined(separator: ", ")
        var lines = ["  " + Message("features.check.skipped", [
            "count": locale.formatInteger(quality.skippedRows), "read": locale.formatInteger(quality.rowsRead),
            "reasons": reasons,
        ]).text(in: locale)]
        for example in quality.examples {
            let key = example.column.isEmpty ? "features.check.exampleWhole" : "features.check.example"
            lines.append("    " + Message(key, [
                "line": String(example.line), "column": example.column, "value": example.value,
                "problem": example.problem.text(in: locale),
            ]).text(in: locale))
        }
        return lines + tiny(quality, locale)
    }

    private static func tiny(_ quality: StoreQuality, _ locale: AppLocale) -> [String] {
        guard quality.subnormalValues > 0 || quality.underflowedValues > 0 else { return [] }
        return ["  " + Message("features.check.tiny", [
            "subnormal": locale.formatInteger(quality.subnormalValues),
            "underflowed": locale.formatInteger(quality.underflowedValues),
        ]).text(in: locale)]
    }

    static func payload(_ intact: Bool?, _ locale: AppLocale) -> [String] {
        guard let intact else { return [] }
        return ["  " + Message(intact ? "features.check.payload.intact" : "features.check.payload.damaged").text(in: locale)]
    }

    static func means(_ columns: [ColumnSummary]) -> String {
        columns.map { "\($0.name) (\(number($0.mean)))" }.joined(separator: ", ")
    }

    /// Four significant digits, in the POSIX format whatever the locale.
    static func number(_ value: Double) -> String {
        String(format: "%.4g", value)
    }
}
