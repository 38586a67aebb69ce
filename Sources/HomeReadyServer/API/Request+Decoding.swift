import Foundation
import HomeReadyModel
import Hummingbird
import NIOCore

extension Request {
    /// Reads at most `limit` bytes of body (413 problem beyond).
    func bodyBytes(limit: Int) async throws -> ByteBuffer {
        do {
            return try await body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw Problem(.contentTooLarge, "Body too large", detail: "the body is larger than \(limit) bytes")
        }
    }

    /// Decodes a JSON body of at most `limit` bytes, with problems naming the field at fault.
    func decodeJSON<T: Decodable>(_ type: T.Type, limit: Int, decoder: JSONDecoder = APICoding.decoder) async throws
        -> T
    {
        let buffer = try await bodyBytes(limit: limit)
        do {
            return try decoder.decode(T.self, from: Data(buffer.readableBytesView))
        } catch {
            throw Problem.decoding(error)
        }
    }

    /// `limit` (1…1000, default 100) and `after` query parameters.
    var pagination: (after: String?, limit: Int) {
        get throws {
            let limit = uri.queryParameters.get("limit", as: Int.self) ?? 100
            guard (1...1000).contains(limit) else { throw Problem.invalid("limit", "`limit` must be 1…1000") }
            return (uri.queryParameters.get("after"), limit)
        }
    }
}

extension Page: ResponseEncodable {}
extension SiteRecord: ResponseEncodable {}
extension CampaignRecord: ResponseEncodable {}
extension TeamRecord: ResponseEncodable {}
extension RoleRecord: ResponseEncodable {}
extension AgentRecord: ResponseEncodable {}
extension EquipmentRecord: ResponseEncodable {}
extension RollupRow: ResponseEncodable {}

/// Makes a page from `limit` rows fetched as `limit`: the next cursor is the last id when the page is full.
func makePage<T>(_ items: [T], limit: Int, id: (T) -> String) -> Page<T> {
    Page(items: items, next: items.count == limit ? items.last.map(id) : nil)
}

/// A JSON list wrapper for endpoints that return everything at once.
struct ListResponse<Item: Codable & Sendable>: Codable, Sendable, ResponseEncodable {
    var items: [Item]
}

/// Checks that text is non-empty, naming the field otherwise.
func requireText(_ value: String, _ field: String) throws {
    guard !value.trimmingCharacters(in: .whitespaces).isEmpty else {
        throw Problem.invalid(field, "`\(field)` must not be empty")
    }
}
