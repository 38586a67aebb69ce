import Foundation

/// The page's texts, one JSON catalog per language (`Resources/i18n/es.json`, `en.json`: flat
/// `{"key": "text"}` objects translators edit directly). The server renders the first view from them and serves
/// them to the page's script, which switches language without a reload.
public struct SelfTestCatalog: Sendable {
    /// Languages shipped, the first being the default (agents read Spanish, Mexico).
    public static let languages = ["es", "en"]
    /// The `lang` attribute written for each language.
    public static let htmlLang = ["es": "es-MX", "en": "en"]

    /// Language → key → text.
    public let texts: [String: [String: String]]
    /// Language → the catalog file's bytes, as served.
    public let files: [String: Data]

    /// Loads the bundled catalogs.
    public init() throws {
        var texts: [String: [String: String]] = [:]
        var files: [String: Data] = [:]
        for language in Self.languages {
            guard
                let url = Bundle.module.url(
                    forResource: language, withExtension: "json", subdirectory: "Resources/i18n")
            else { throw SelfTestError.resourceMissing("Resources/i18n/\(language).json") }
            let data = try Data(contentsOf: url)
            guard let object = try JSONSerialization.jsonObject(with: data) as? [String: String] else {
                throw SelfTestError.resourceMissing("Resources/i18n/\(language).json (not a flat object of strings)")
            }
            texts[language] = object
            files[language] = data
        }
        self.texts = texts
        self.files = files
    }

    /// The text of `key` in `language` (English, then the key itself, when missing).
    public func text(_ key: String, _ language: String) -> String {
        texts[language]?[key] ?? texts["en"]?[key] ?? key
    }

    /// The first shipped language an `Accept-Language` header asks for (by quality), else the default.
    public static func negotiate(acceptLanguage: String?) -> String {
        guard let header = acceptLanguage else { return languages[0] }
        var choices: [(language: String, quality: Double, order: Int)] = []
        for (order, part) in header.split(separator: ",").enumerated() {
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = pieces.first?.lowercased(), !tag.isEmpty else { continue }
            var quality = 1.0
            for parameter in pieces.dropFirst() where parameter.hasPrefix("q=") {
                quality = Double(parameter.dropFirst(2)) ?? 0
            }
            let primary = String(tag.split(separator: "-").first ?? "")
            if languages.contains(primary), quality > 0 { choices.append((primary, quality, order)) }
        }
        return choices.sorted { ($0.quality, -$0.order) > ($1.quality, -$1.order) }.first?.language ?? languages[0]
    }
}

/// The self-test library's own failures (never an agent's result: those are findings).
public struct SelfTestError: Error, Sendable, CustomStringConvertible {
    public let description: String

    /// A bundled resource is missing or unreadable: the build is broken.
    static func resourceMissing(_ what: String) -> SelfTestError {
        SelfTestError(description: "the self-test page's resource \(what) is missing from the bundle; rebuild HomeReady")
    }
}
