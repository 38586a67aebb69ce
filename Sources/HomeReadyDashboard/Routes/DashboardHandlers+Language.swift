import Foundation
import HomeReadyLocalization
import HomeReadyModel
import Hummingbird

extension DashboardHandlers {
    /// These handlers for one request: its language (see `DashboardLanguage.choose`) and its page, for the switch.
    func reading(_ request: Request) -> DashboardHandlers {
        var copy = self
        let language = DashboardLanguage.choose(
            query: queryValue(request, DashboardLanguage.queryParameter),
            cookie: request.cookies[DashboardLanguage.cookieName]?.value,
            acceptLanguage: request.headers[.acceptLanguage])
        copy.localizer = Localizer(language, timeZone: configuration.timeZone)
        copy.requestPath = request.uri.path
        copy.requestQuery = request.uri.query
        return copy
    }

    /// Answers `request` in the reader's language: runs `body` with these handlers for the request and remembers a
    /// `lang` parameter.
    func localized(_ request: Request, _ body: (DashboardHandlers) async throws -> Response) async throws -> Response {
        let handlers = reading(request)
        return handlers.rememberingLanguage(request, try await body(handlers))
    }

    /// Remembers a language chosen with `?lang=` in a year-long cookie (Path=/, SameSite=Lax so a link from a
    /// mail still carries it; not HttpOnly because it holds no secret).
    func rememberingLanguage(_ request: Request, _ response: Response) -> Response {
        guard let tag = queryValue(request, DashboardLanguage.queryParameter), let language = Language(tag: tag) else {
            return response
        }
        var response = response
        response.setCookie(
            Cookie(
                name: DashboardLanguage.cookieName, value: language.rawValue, maxAge: DashboardLanguage.cookieMaxAge,
                path: "/", secure: configuration.secureCookies, httpOnly: false, sameSite: .lax))
        return response
    }

    /// What every page template shares: the catalog's `dashboard.` texts as `t` (`{{t.agents.title}}`), the page's
    /// language and the language switch.
    func pageContext() -> [String: Any] {
        let language = localizer.language
        let switchLinks = Language.offered.map { offered in
            [
                "href": DashboardLanguage.switchLink(path: requestPath, query: requestQuery, to: offered),
                "name": offered.nativeName, "tag": offered.rawValue, "current": offered == language,
            ] as [String: Any]
        }
        return [
            "t": Self.templateTexts(localizer), "lang": language.htmlTag,
            "languages": switchLinks,
            "footer": localizer("dashboard.layout.footer", ["zone": .text(localizer.timeZone.identifier)]),
        ]
    }

    /// The catalog's `dashboard.` keys as nested dictionaries for Mustache's dotted names: `dashboard.agents.title`
    /// is `t.agents.title`. Keys with placeholders render in Swift; a key that is also a prefix of another is left
    /// out (the catalog test keeps template keys leaves).
    static func templateTexts(_ localizer: Localizer) -> [String: Any] {
        var root: [String: Any] = [:]
        let keys = (localizer.catalog.tables[.en] ?? [:]).keys.filter { $0.hasPrefix("dashboard.") }
        for key in keys.sorted() {
            let path = key.split(separator: ".").dropFirst().map(String.init)
            insert(localizer(key), at: path[...], into: &root)
        }
        return root
    }

    private static func insert(_ text: String, at path: ArraySlice<String>, into node: inout [String: Any]) {
        guard let first = path.first else { return }
        if path.count == 1 {
            if node[first] == nil { node[first] = text }
            return
        }
        var child = node[first] as? [String: Any] ?? [:]
        guard node[first] == nil || node[first] is [String: Any] else { return }
        insert(text, at: path.dropFirst(), into: &child)
        node[first] = child
    }

    /// A catalog sentence with HTML inside it (a `<strong>` figure, a link): the text is escaped, then each
    /// `{name}` is replaced by its HTML, which the caller must have escaped.
    func htmlSentence(_ key: String, _ html: [String: String], _ args: [String: TextArgument] = [:]) -> String {
        var marked = args
        for (index, name) in html.keys.sorted().enumerated() { marked[name] = .text("\u{E000}\(index)\u{E001}") }
        var sentence = DashboardFormat.escapeXML(localizer(key, marked))
        for (index, name) in html.keys.sorted().enumerated() {
            sentence = sentence.replacingOccurrences(of: "\u{E000}\(index)\u{E001}", with: html[name]!)
        }
        return sentence
    }

    /// A moment for the reader: their locale, the dashboard's time zone.
    func dateTime(_ date: Date) -> String { localizer.dateTime(date) }

    /// A day for the reader.
    func day(_ date: Date) -> String { localizer.day(date) }

    /// A whole number in the reader's locale (1,234 / 1,234; es-MX groups the same way).
    func count(_ value: Int) -> String { localizer.number(Double(value), decimals: 0) }
}
