import Foundation

/// A sentence a person reads, kept as a catalog key and its arguments so each reader gets it in their language
/// (`HomeReadyLocalization` renders it). Profile-authored text has no key: it carries its translations instead.
///
/// JSON: `{"key": "finding.network.download.fail", "args": {"measured": {"number": 4.2, "unit": "Mbit/s"}}}`
/// or `{"translations": {"en": "Plug in the headset.", "es": "Conecta la diadema."}}`.
public struct LocalizedText: Codable, Sendable, Equatable {
    /// The message catalog's key; nil for profile-authored text.
    public var key: String?
    /// Values for the key's `{name}` placeholders.
    public var args: [String: TextArgument]
    /// Profile-authored text by language code (`en`, `es`); used when `key` is nil.
    public var translations: [String: String]

    public init(_ key: String, _ args: [String: TextArgument] = [:]) {
        self.key = key
        self.args = args
        self.translations = [:]
    }

    public init(translations: [String: String]) {
        self.key = nil
        self.args = [:]
        self.translations = translations
    }

    /// Profile-authored text with the profile's translations of it (`translations`: language → path → text).
    public static func written(
        _ text: String?, path: String, translations: [String: [String: String]]?
    ) -> LocalizedText? {
        guard let text else { return nil }
        var texts = ["en": text]
        for (language, table) in translations ?? [:] {
            if let translated = table[path] { texts[language] = translated }
        }
        return LocalizedText(translations: texts)
    }

    enum CodingKeys: String, CodingKey { case key, args, translations }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        key = try container.decodeIfPresent(String.self, forKey: .key)
        args = try container.decodeIfPresent([String: TextArgument].self, forKey: .args) ?? [:]
        translations = try container.decodeIfPresent([String: String].self, forKey: .translations) ?? [:]
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(key, forKey: .key)
        if !args.isEmpty { try container.encode(args, forKey: .args) }
        if !translations.isEmpty { try container.encode(translations, forKey: .translations) }
    }
}

/// A value put into a localized sentence: a figure with its unit (formatted for the reader's locale), text shown
/// as is (names, hosts), or another catalog key (a word such as a check's name).
public enum TextArgument: Codable, Sendable, Equatable {
    case number(Double, unit: String?)
    case text(String)
    case term(String)
    /// A whole localized text inside another (a profile's remediation inside "Ask IT: {fix}").
    case localized(LocalizedText)
    /// A moment, shown in the reader's locale and time zone (JSON: ISO 8601 in UTC).
    case date(Date)

    enum CodingKeys: String, CodingKey { case number, unit, text, term, localized, date }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let number = try container.decodeIfPresent(Double.self, forKey: .number) {
            self = .number(number, unit: try container.decodeIfPresent(String.self, forKey: .unit))
        } else if let term = try container.decodeIfPresent(String.self, forKey: .term) {
            self = .term(term)
        } else if let localized = try container.decodeIfPresent(LocalizedText.self, forKey: .localized) {
            self = .localized(localized)
        } else if let date = try container.decodeIfPresent(String.self, forKey: .date) {
            guard let moment = try? Date(date, strategy: .iso8601) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .date, in: container, debugDescription: "expected an ISO 8601 time such as 2026-12-05T18:00:00Z, got \"\(date)\"")
            }
            self = .date(moment)
        } else {
            self = .text(try container.decode(String.self, forKey: .text))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .number(let value, let unit):
            try container.encode(value, forKey: .number)
            try container.encodeIfPresent(unit, forKey: .unit)
        case .text(let value): try container.encode(value, forKey: .text)
        case .term(let key): try container.encode(key, forKey: .term)
        case .localized(let text): try container.encode(text, forKey: .localized)
        case .date(let moment): try container.encode(moment.formatted(.iso8601), forKey: .date)
        }
    }

    /// A number without unit, e.g. a count.
    public static func count(_ value: Int) -> TextArgument { .number(Double(value), unit: nil) }
}
