import Foundation

/// A language HomeReady speaks. English is the fallback for anything a catalog lacks.
public enum Language: String, Sendable, CaseIterable, Codable {
    case en
    case es
    /// The pseudo-locale: English with accented letters, a third longer, in brackets. A test renders pages in it to
    /// find text that bypasses the catalog (it stays plain) and layouts that break with longer words.
    case pseudo = "en-XA"

    /// The languages people can choose (the pseudo-locale is for tests).
    public static let offered: [Language] = [.es, .en]

    /// The locale numbers and dates follow: Mexico's Spanish first (our first customers), US English.
    public var locale: Locale {
        switch self {
        case .en, .pseudo: Locale(identifier: "en_US")
        case .es: Locale(identifier: "es_MX")
        }
    }

    /// The tag for `<html lang>` and `Content-Language`: `es-MX`, `en`, `en-XA`.
    public var htmlTag: String {
        switch self {
        case .es: "es-MX"
        case .en: "en"
        case .pseudo: "en-XA"
        }
    }

    /// The language's own name, for a language switch.
    public var nativeName: String {
        switch self {
        case .en: "English"
        case .es: "Español"
        case .pseudo: "[Ƥšéûðö]"
        }
    }

    /// A language tag or POSIX locale name (`es`, `es-MX`, `es_MX.UTF-8`, `en-XA`) → a language, or nil.
    public init?(tag: String) {
        let cleaned = tag.trimmingCharacters(in: .whitespaces).lowercased()
        if cleaned == "en-xa" || cleaned == "en_xa" { self = .pseudo; return }
        let primary = cleaned.split(whereSeparator: { $0 == "-" || $0 == "_" || $0 == "." || $0 == "@" }).first
        switch primary.map(String.init) {
        case "es": self = .es
        case "en": self = .en
        default: return nil
        }
    }

    /// The language the environment asks for, as gettext reads it: `LC_ALL`, then `LC_MESSAGES`, then `LANG`; the
    /// first one set decides. `LANGUAGE`-style lists (`es:en`) take their first known entry. `C`/`POSIX` and unknown
    /// languages give English.
    public static func fromEnvironment(_ environment: [String: String]) -> Language {
        for name in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            guard let value = environment[name], !value.isEmpty else { continue }
            for entry in value.split(separator: ":") {
                if let language = Language(tag: String(entry)) { return language }
            }
            return .en
        }
        return .en
    }

    /// The best offered language for an HTTP `Accept-Language` header (RFC 9110 quality values), or nil when it
    /// names none we speak.
    public static func fromAcceptLanguage(_ header: String?) -> Language? {
        guard let header else { return nil }
        var best: (language: Language, quality: Double)?
        for item in header.split(separator: ",") {
            let parts = item.split(separator: ";")
            guard let tag = parts.first, let language = Language(tag: String(tag)) else { continue }
            var quality = 1.0
            for parameter in parts.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1)
                if pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces) == "q" {
                    quality = Double(pair[1].trimmingCharacters(in: .whitespaces)) ?? 0
                }
            }
            if quality > 0, quality > (best?.quality ?? -1) { best = (language, quality) }
        }
        return best?.language
    }
}
