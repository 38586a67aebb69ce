import Foundation
import Hummingbird

/// `GET /schemas/profile.json` and `GET /schemas/report.json`: the JSON Schemas of the profile and report formats,
/// for editors (`# yaml-language-server: $schema=...`) and for tools that read reports. No token: they are public
/// descriptions of the formats, like `/openapi.yaml`.
///
/// The files live in one place, `Resources/schemas/`; the Debian agent package ships the same files.
public enum SchemaRoutes {
    /// The schemas served, by file name.
    public static let names = ["profile.json", "report.json"]

    /// The bytes of a bundled schema, or nil when this build has no such file.
    public static func schema(named name: String) -> Data? {
        guard names.contains(name),
            let url = Bundle.module.url(
                forResource: (name as NSString).deletingPathExtension, withExtension: "json",
                subdirectory: "Resources/schemas")
        else { return nil }
        return try? Data(contentsOf: url)
    }

    static func add<Context: RequestContext>(to router: Router<Context>) {
        for name in names {
            // Read once: the files cannot change while the server runs.
            let body = schema(named: name)
            router.get("schemas/\(name)") { _, _ -> Response in
                guard let body else {
                    throw Problem(.notFound, "Not found", detail: "the schema \(name) is not bundled with this build")
                }
                return Response(
                    status: .ok,
                    headers: [.contentType: "application/schema+json", .cacheControl: "public, max-age=300"],
                    body: .init(byteBuffer: ByteBuffer(bytes: body)))
            }
        }
    }
}
