import Foundation
import HomeReadyHTTP
import HomeReadyModel
import Hummingbird

/// A refused request as RFC 9457 `application/problem+json`, naming the field at fault when there is one.
public struct Problem: Error, HTTPResponseError, Sendable, Equatable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    /// Short, stable summary of the problem type.
    public var title: String
    /// What went wrong and what to do.
    public var detail: String
    /// JSON path or CSV column of the offending field.
    public var field: String?

    public init(_ status: HTTPResponse.Status, _ title: String, detail: String, field: String? = nil) {
        self.status = status
        self.title = title
        self.detail = detail
        self.field = field
    }

    public var description: String { "\(status.code) \(title): \(detail)" }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        try ProblemDocument(status: status, title: title, detail: detail, field: field).response()
    }

    /// The one mapping of storage's refusals to HTTP.
    init(_ error: StorageError) {
        switch error.kind {
        case .conflict: self = .conflict(error.field, error.message)
        case .notFound: self.init(.notFound, "Not found", detail: error.message)
        case .badReference, .invalidValue: self = .invalid(error.field ?? "value", error.message)
        case .impossibleTransition: self.init(.conflict, "Impossible transition", detail: error.message, field: error.field)
        }
    }

    static func notFound(_ what: String, _ id: String) -> Problem {
        Problem(.notFound, "Not found", detail: "no \(what) with id \"\(id)\"")
    }

    static func invalid(_ field: String, _ detail: String) -> Problem {
        Problem(.unprocessableContent, "Invalid field", detail: detail, field: field)
    }

    static func conflict(_ field: String?, _ detail: String) -> Problem {
        Problem(.conflict, "Conflict", detail: detail, field: field)
    }

    static let unauthorized = Problem(
        .unauthorized, "Unauthorized", detail: "send a valid API token as `Authorization: Bearer TOKEN`")

    static func forbidden(_ role: Principal.Role) -> Problem {
        Problem(.forbidden, "Forbidden", detail: "a \(role.rawValue) token may not do this")
    }

    /// Turns a failure to read a report's envelope into a problem naming the JSON path at fault.
    static func reading(_ error: any Error) -> Problem {
        switch error {
        case let error as ReportEnvelope.FieldError:
            if error.expected == nil {
                return Problem(.badRequest, "Missing field", detail: error.description, field: error.field)
            }
            return Problem(.badRequest, "Invalid field", detail: error.description, field: error.field)
        case let error as JSONReader.Malformed:
            return Problem(.badRequest, "Malformed JSON", detail: "the body is not valid JSON: \(error)")
        default:
            return Problem(.badRequest, "Malformed JSON", detail: "the body could not be read")
        }
    }

    /// Turns a decoding failure into a problem naming the JSON path at fault.
    static func decoding(_ error: any Error) -> Problem {
        guard let error = error as? DecodingError else {
            return Problem(.badRequest, "Malformed JSON", detail: "the body is not valid JSON: \(error)")
        }
        func snake(_ key: String) -> String {
            key.reduce(into: "") { result, character in
                if character.isUppercase {
                    result += "_" + character.lowercased()
                } else {
                    result.append(character)
                }
            }
        }
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\(snake($0.stringValue))" }.joined()
                .trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch error {
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key])
            return Problem(.badRequest, "Missing field", detail: "`\(field)` is required", field: field)
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            let field = path(context.codingPath)
            return Problem(.badRequest, "Invalid field", detail: "`\(field)` must be \(type)", field: field)
        case .dataCorrupted(let context):
            let field = path(context.codingPath)
            if field.isEmpty {
                return Problem(.badRequest, "Malformed JSON", detail: "the body is not valid JSON")
            }
            return Problem(.badRequest, "Invalid field", detail: "`\(field)`: \(context.debugDescription)", field: field)
        @unknown default:
            return Problem(.badRequest, "Malformed JSON", detail: "the body could not be read")
        }
    }
}

/// Storage's refusals answer as the problem `Problem.init(_: StorageError)` makes of them.
extension StorageError: HTTPResponseError {
    public var status: HTTPResponse.Status { Problem(self).status }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        try Problem(self).response(from: request, context: context)
    }
}
