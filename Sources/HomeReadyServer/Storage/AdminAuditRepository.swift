import Foundation

/// One mutating request by an admin token.
public struct AdminAuditEntry: Codable, Sendable {
    /// Sorts by time (newest last); also the page cursor.
    public var id: String
    public var at: Date
    public var tokenId: String
    /// The token's label when it has one (read from the token at query time).
    public var tokenLabel: String?
    public var method: String
    /// The request path, without the query.
    public var path: String
    public var status: Int
    public var requestId: String?
}

/// Stores and pages the admin audit trail (kept apart from `InventoryRepository`).
public protocol AdminAuditRepository: Sendable {
    /// Appends one entry; `tokenLabel` is ignored (it is joined in when reading).
    func recordAdminAction(_ entry: AdminAuditEntry) async throws
    /// Entries newest first; `after` is the `next` cursor of the previous page.
    func adminAudit(after: String?, limit: Int) async throws -> [AdminAuditEntry]
}
