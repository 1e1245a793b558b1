import Foundation
import MMCore

/// Labels, genre names and numbers of a report page in one locale, already escaped for
/// HTML unless a name says `plain`.
///
/// Pages take the locale from here instead of `AppLocale.current`, so one process can
/// write both languages and tests need not change process-wide settings.
struct ReportText {
    let locale: AppLocale

    /// Renders the catalogue entry `reports.<key>`, escaped for HTML.
    func label(_ key: String, _ arguments: [String: String] = [:]) -> String {
        escapeHTML(plain(key, arguments))
    }

    /// Renders `key` in the singular form `key.one` when `count` is 1 and the catalogue
    /// has that form (English needs it; Chinese repeats the general text), escaped.
    func label(_ key: String, count: Int, _ arguments: [String: String]) -> String {
        if count == 1 && Messages.shared.entries["reports." + key + ".one"] != nil {
            return label(key + ".one", arguments)
        }
        return label(key, arguments)
    }

    /// Renders the catalogue entry `reports.<key>` as plain text.
    func plain(_ key: String, _ arguments: [String: String] = [:]) -> String {
        Messages.shared.render(Message("reports." + key, arguments), in: locale)
    }

    /// Renders a value that is a catalogue key (of any module) or plain text, escaped.
    func keyOrText(_ value: String) -> String {
        if Messages.shared.entries[value] != nil {
            return escapeHTML(Messages.shared.render(Message(value), in: locale))
        }
        return escapeHTML(value)
    }

    /// Returns the genre's name in this locale, escaped.
    func genre(_ genre: GenreName) -> String {
        escapeHTML(plainGenre(genre))
    }

    func plainGenre(_ genre: GenreName) -> String {
        if locale == .chinese && !genre.chineseName.isEmpty {
            return genre.chineseName
        }
        return genre.name
    }

    /// Returns a genre given by its `name` in this locale when `genres` lists it, escaped.
    func genre(named name: String, in genres: [GenreName]) -> String {
        guard let known = genres.first(where: { $0.name == name }) else { return escapeHTML(name) }
        return genre(known)
    }

    func integer(_ value: Int) -> String { locale.formatInteger(value) }

    func decimal(_ value: Double, _ decimals: Int) -> String {
        locale.formatDecimal(value, decimals: decimals)
    }

    func percent(_ fraction: Double, decimals: Int = 1) -> String {
        locale.formatPercent(fraction, decimals: decimals)
    }

    /// Formats a signed change in percentage points, such as `+1.5 pp` / `+1.5 个百分点`.
    func percentagePoints(_ change: Double) -> String {
        let sign = change > 0.000_5 ? "+" : ""
        return plain("unit.percentagePoints", ["value": sign + locale.formatDecimal(change * 100, decimals: 1)])
    }

    /// Formats a signed integer change, such as `+12` or `-3`.
    func signedInteger(_ change: Int) -> String {
        change > 0 ? "+" + integer(change) : integer(change)
    }

    func date(_ date: Date) -> String { escapeHTML(locale.formatDate(date)) }

    func duration(_ seconds: Double) -> String { escapeHTML(locale.formatDuration(seconds)) }

    /// Users per second with a unit.
    func rate(_ usersPerSecond: Double) -> String {
        let decimals = usersPerSecond >= 100 ? 0 : 1
        return label("unit.usersPerSecond", ["value": decimal(usersPerSecond, decimals)])
    }

    /// Returns the run status as a word, escaped.
    func status(_ status: RunStatus) -> String {
        label("status." + status.rawValue)
    }

    /// Returns a symbol shown beside the status word, so status does not rest on colour alone.
    func statusSymbol(_ status: RunStatus) -> String {
        switch status {
        case .succeeded: "✓"
        case .partial: "!"
        case .failed: "✕"
        }
    }

    /// Returns the name of a run phase, translated when the catalogue has an entry for it.
    func plainPhase(_ phase: String) -> String {
        let key = "reports.phase." + phase
        guard Messages.shared.entries[key] != nil else { return phase }
        return Messages.shared.render(Message(key), in: locale)
    }

    /// The `lang` attribute of the page.
    var languageTag: String { locale.rawValue }
}
