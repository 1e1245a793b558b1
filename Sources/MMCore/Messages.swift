import Foundation

/// The message catalogue: every text that mmbatch shows people (help, progress,
/// summaries, errors and report labels) in English and Chinese.
///
/// Entries are data, one JSON file per module under `Messages/`, compiled into the binary
/// so a copied executable still speaks both languages. Each entry maps a key to its
/// texts: `{"queue.locked": {"en": "…", "zh-CN": "…"}}`, with `{name}` placeholders.
public final class Messages: Sendable {
    public static let shared = Messages(sources: Messages.embeddedSources)

    /// Every entry by key, then by locale.
    public let entries: [String: [AppLocale: String]]

    /// Entries that lack a language or are not an object of strings, named by file and key.
    /// A test keeps this empty.
    public let problems: [String]

    static let embeddedSources: [(name: String, bytes: [UInt8])] = [
        ("core.json", PackageResources.core_json),
        ("features.json", PackageResources.features_json),
        ("model.json", PackageResources.model_json),
        ("queue.json", PackageResources.queue_json),
        ("reports.json", PackageResources.reports_json),
        ("pipeline.json", PackageResources.pipeline_json),
        ("cli.json", PackageResources.cli_json),
    ]

    init(sources: [(name: String, bytes: [UInt8])]) {
        var entries: [String: [AppLocale: String]] = [:]
        var problems: [String] = []

        for source in sources {
            let parsed = try? JSONSerialization.jsonObject(with: Data(source.bytes))
            guard let object = parsed as? [String: Any] else {
                problems.append("\(source.name): not a JSON object of entries")
                continue
            }
            for (key, value) in object {
                guard let texts = value as? [String: String] else {
                    problems.append("\(source.name): \(key): not an object of strings")
                    continue
                }
                if entries[key] != nil {
                    problems.append("\(source.name): \(key): defined twice")
                }
                var byLocale: [AppLocale: String] = [:]
                for locale in AppLocale.allCases {
                    if let text = texts[locale.rawValue], !text.isEmpty {
                        byLocale[locale] = text
                    } else {
                        problems.append("\(source.name): \(key): no \(locale.rawValue) text")
                    }
                }
                entries[key] = byLocale
            }
        }
        self.entries = entries
        self.problems = problems
    }

    /// Renders an entry with its placeholders filled. A missing translation falls back to
    /// English, and a missing key shows the key and its arguments, so a catalogue gap
    /// never hides the values of an error.
    public func render(_ message: Message, in locale: AppLocale) -> String {
        guard let texts = entries[message.key], let template = texts[locale] ?? texts[.english]
        else {
            let details = message.arguments.sorted { $0.key < $1.key }
                .map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            return details.isEmpty ? message.key : "\(message.key) \(details)"
        }
        return Messages.fill(template, with: message.arguments)
    }

    /// Replaces each `{name}` in `template` with its argument; unknown names stay as written.
    static func fill(_ template: String, with arguments: [String: String]) -> String {
        guard !arguments.isEmpty, template.contains("{") else { return template }
        var result = ""
        var rest = template[...]
        while let open = rest.firstIndex(of: "{") {
            result += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else { break }
            let name = String(rest[rest.index(after: open)..<close])
            if let value = arguments[name] {
                result += value
            } else {
                result += rest[open...close]
            }
            rest = rest[rest.index(after: close)...]
        }
        return result + rest
    }

    /// The placeholder names of a template, for checking that translations agree.
    public static func placeholders(in template: String) -> Set<String> {
        Set(template.matches(of: #/\{([A-Za-z0-9_]+)\}/#).map { String($0.1) })
    }
}

/// Shorthand for rendering a catalogue entry in the process-wide locale.
public func localized(_ key: String, _ arguments: [String: String] = [:]) -> String {
    Message(key, arguments).text()
}
