import Foundation
import Mustache

/// The bundled Mustache templates and static files.
struct DashboardRenderer: Sendable {
    let library: MustacheLibrary
    /// File name → (bytes, content type).
    let staticFiles: [String: (data: Data, contentType: String)]

    init() throws {
        guard let templates = Bundle.module.url(forResource: "Templates", withExtension: nil),
            let statics = Bundle.module.url(forResource: "Static", withExtension: nil)
        else { throw DashboardError.resourcesMissing("Templates/ or Static/ in the bundle") }
        var library = MustacheLibrary()
        let fm = FileManager.default
        for name in try fm.contentsOfDirectory(atPath: templates.path) where name.hasSuffix(".mustache") {
            let text = try String(contentsOf: templates.appendingPathComponent(name), encoding: .utf8)
            try library.register(text, named: String(name.dropLast(".mustache".count)))
        }
        self.library = library
        var files: [String: (Data, String)] = [:]
        for name in try fm.contentsOfDirectory(atPath: statics.path) {
            let data = try Data(contentsOf: statics.appendingPathComponent(name))
            let type =
                name.hasSuffix(".css") ? "text/css; charset=utf-8"
                : name.hasSuffix(".js") ? "text/javascript; charset=utf-8"
                : name.hasSuffix(".svg") ? "image/svg+xml" : "application/octet-stream"
            files[name] = (data, type)
        }
        self.staticFiles = files
    }

    func render(_ template: String, _ context: [String: Any]) throws -> String {
        guard let html = library.render(context, withTemplate: template) else {
            throw DashboardError.templateMissing(template)
        }
        return html
    }
}
