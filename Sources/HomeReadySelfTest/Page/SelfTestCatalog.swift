import Foundation
import HomeReadyLocalization

/// The page's texts: the `selftest.` keys of HomeReady's one message catalog
/// (`HomeReadyLocalization/Catalog/<language>.lproj/SelfTest.strings`), without that prefix. The server renders the
/// first view from them and serves each language to the page's script as a flat JSON object, so the page switches
/// language without a reload.
public struct SelfTestCatalog: Sendable {
    /// Languages shipped, the first being the default (agents read Spanish, Mexico).
    public static let languages = ["es", "en"]
    /// The `lang` attribute written for each language.
    public static let htmlLang = [Language.es.rawValue: Language.es.htmlTag, Language.en.rawValue: Language.en.htmlTag]
    /// The catalog keys of the page start with this.
    static let prefix = "selftest."

    /// Language → key → text.
    public let texts: [String: [String: String]]
    /// Language → the page's catalog as served (JSON, sorted keys).
    public let files: [String: Data]

    /// The page's part of the shipped catalog.
    public init() throws {
        try self.init(catalog: .shipped)
    }

    public init(catalog: MessageCatalog) throws {
        var texts: [String: [String: String]] = [:]
        var files: [String: Data] = [:]
        for code in Self.languages {
            guard let language = Language(rawValue: code), let table = catalog.tables[language] else {
                throw SelfTestError.resourceMissing("the message catalog's \(code).lproj")
            }
            var page: [String: String] = [:]
            for (key, text) in table where key.hasPrefix(Self.prefix) {
                page[String(key.dropFirst(Self.prefix.count))] = text
            }
            guard !page.isEmpty else { throw SelfTestError.resourceMissing("\(code).lproj/SelfTest.strings") }
            texts[code] = page
            files[code] = try JSONSerialization.data(withJSONObject: page, options: [.sortedKeys, .prettyPrinted])
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
        switch Language.fromAcceptLanguage(acceptLanguage) {
        case .en?: "en"
        case .es?: "es"
        case .pseudo?, nil: languages[0]
        }
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
