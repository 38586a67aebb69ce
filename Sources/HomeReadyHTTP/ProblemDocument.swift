import Foundation
import Hummingbird

/// A refusal as every HomeReady endpoint answers it: an RFC 9457 `application/problem+json` document with `type`,
/// `title`, `status`, `detail`, and when known `field` (the JSON path or CSV column at fault) and `code` (a
/// stable reason a page can turn into a sentence in its reader's language). The API's `Problem` and the
/// self-test's `SelfTestProblem` both answer through it.
public struct ProblemDocument: Encodable, Sendable, Equatable {
    public var type: String
    public var title: String
    public var status: Int
    public var detail: String
    public var field: String?
    public var code: String?

    public init(status: HTTPResponse.Status, title: String, detail: String, field: String? = nil, code: String? = nil) {
        type = "https://homeready.invalid/problems/\(title.lowercased().replacingOccurrences(of: " ", with: "-"))"
        self.title = title
        self.status = Int(status.code)
        self.detail = detail
        self.field = field
        self.code = code
    }

    /// The document as a response with `status`, plus `headers` (its content type is set here).
    public func response(headers: HTTPFields = [:]) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var fields = headers
        fields[.contentType] = "application/problem+json"
        return Response(
            status: HTTPResponse.Status(code: status), headers: fields,
            body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(self))))
    }
}
