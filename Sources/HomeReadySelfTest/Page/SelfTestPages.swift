import Foundation

/// The bundled page templates and static files, rendered with the catalogs.
///
/// Templates are plain HTML with `{{t:KEY}}` (the catalog text, HTML-escaped), `{{lang}}`, `{{htmlLang}}` and
/// `{{base}}` placeholders; every element whose text comes from the catalog carries `data-i18n="KEY"`, so the
/// script can switch language in place.
struct SelfTestPages: Sendable {
    let catalog: SelfTestCatalog
    let templates: [String: String]
    /// File name → (bytes, content type).
    let assets: [String: (data: Data, contentType: String)]

    init() throws {
        catalog = try SelfTestCatalog()
        var templates: [String: String] = [:]
        for name in ["page", "unavailable"] {
            guard let url = Bundle.module.url(forResource: name, withExtension: "html", subdirectory: "Resources/templates")
            else { throw SelfTestError.resourceMissing("Resources/templates/\(name).html") }
            templates[name] = try String(contentsOf: url, encoding: .utf8)
        }
        self.templates = templates
        guard let statics = Bundle.module.url(forResource: "static", withExtension: nil, subdirectory: "Resources")
        else { throw SelfTestError.resourceMissing("Resources/static") }
        var assets: [String: (Data, String)] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: statics.path) {
            let data = try Data(contentsOf: statics.appendingPathComponent(name))
            let type =
                name.hasSuffix(".css") ? "text/css; charset=utf-8"
                : name.hasSuffix(".js") ? "text/javascript; charset=utf-8"
                : name.hasSuffix(".svg") ? "image/svg+xml" : "application/octet-stream"
            assets[name] = (data, type)
        }
        for (language, data) in catalog.files { assets["\(language).json"] = (data, "application/json; charset=utf-8") }
        self.assets = assets
    }

    /// Renders template `name` in `language` with extra `values` (`{{name}}` placeholders, HTML-escaped).
    func render(_ name: String, language: String, values: [String: String] = [:]) -> String {
        var html = templates[name] ?? ""
        // `{code}` inside a key (`{{t:problem.{code}}}`) is one of a fixed set of reason codes.
        if let code = values["code"] { html = html.replacingOccurrences(of: "{code}", with: code) }
        var values = values
        values["lang"] = language
        values["htmlLang"] = SelfTestCatalog.htmlLang[language] ?? language
        var out = ""
        out.reserveCapacity(html.utf8.count + 4096)
        while let open = html.range(of: "{{") {
            out += html[..<open.lowerBound]
            guard let close = html.range(of: "}}", range: open.upperBound..<html.endIndex) else {
                html = String(html[open.lowerBound...])
                break
            }
            let key = String(html[open.upperBound..<close.lowerBound])
            if key.hasPrefix("t:") {
                out += escape(catalog.text(String(key.dropFirst(2)), language))
            } else {
                out += escape(values[key] ?? "")
            }
            html = String(html[close.upperBound...])
        }
        out += html
        return out
    }

    func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
