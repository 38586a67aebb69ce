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

    enum CodingKeys: String, CodingKey { case number, unit, text, term }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let number = try container.decodeIfPresent(Double.self, forKey: .number) {
            self = .number(number, unit: try container.decodeIfPresent(String.self, forKey: .unit))
        } else if let term = try container.decodeIfPresent(String.self, forKey: .term) {
            self = .term(term)
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
        }
    }

    /// A number without unit, e.g. a count.
    public static func count(_ value: Int) -> TextArgument { .number(Double(value), unit: nil) }
}
