import Foundation
import HomeReadyLocalization

/// How a dashboard request chooses its language: the `lang` query parameter (a switch link) wins and is remembered
/// in a cookie; else the cookie; else the browser's `Accept-Language`; else English.
public enum DashboardLanguage {
    /// The cookie that remembers the reader's choice.
    public static let cookieName = "homeready_lang"
    /// The query parameter of the language switch.
    public static let queryParameter = "lang"
    /// How long the cookie is kept: a year.
    public static let cookieMaxAge = 365 * 24 * 3600

    /// The language for a request's `lang` parameter, `homeready_lang` cookie and `Accept-Language` header.
    /// Unknown values are ignored, so a stale or forged cookie falls through to the header.
    public static func choose(query: String?, cookie: String?, acceptLanguage: String?) -> Language {
        if let query, let language = Language(tag: query) { return language }
        if let cookie, let language = Language(tag: cookie) { return language }
        return Language.fromAcceptLanguage(acceptLanguage) ?? .en
    }

    /// `path` (with its query) with `lang` set to `language`: where a switch link leads, keeping the page.
    static func switchLink(path: String, query: String?, to language: Language) -> String {
        var pairs = (query ?? "").split(separator: "&").map(String.init).filter {
            !$0.hasPrefix("\(queryParameter)=") && $0 != queryParameter
        }
        pairs.append("\(queryParameter)=\(language.rawValue)")
        return path + "?" + pairs.joined(separator: "&")
    }
}
