import Foundation
import HomeReadyModel
import SQLKit

extension SQLRepository: AdminAuditRepository {
    /// An id that sorts by time across instances: 13-digit milliseconds, this process's sequence number (so
    /// entries of one instance within one millisecond keep their order), then random bits.
    static func auditID(at date: Date, sequence: Int) -> String {
        String(Clock.millis(date), zeroPaddedTo: 13) + "-" + String(sequence, zeroPaddedTo: 10) + "-"
            + newID().prefix(8)
    }

    public func recordAdminAction(_ entry: AdminAuditEntry) async throws {
        // A transaction, so SQLite writers queue at the store's write gate instead of spinning in the busy handler.
        try await store.transaction { db in
            try await db.raw(
                """
                INSERT INTO admin_audit (id, at, token_id, method, path, status, request_id)
                VALUES (\(bind: entry.id), \(millis: entry.at), \(bind: entry.tokenId), \(bind: entry.method),
                        \(bind: entry.path), \(literal: entry.status), \(bind: entry.requestId))
                """
            ).run()
        }
    }

    public func adminAudit(after: String?, limit: Int) async throws -> [AdminAuditEntry] {
        try await store.withConnection { db in
            var query: SQLQueryString = """
                SELECT a.id, a.at, a.token_id, t.label, a.method, a.path, a.status, a.request_id
                FROM admin_audit a LEFT JOIN tokens t ON t.id = a.token_id
                """
            if let after { query += " WHERE a.id < \(bind: after)" }
            query += " ORDER BY a.id DESC LIMIT \(literal: limit)"
            return try await db.raw(query).all().map { row in
                AdminAuditEntry(
                    id: try row.string("id"), at: try row.date("at"), tokenId: try row.string("token_id"),
                    tokenLabel: try row.optionalString("label"), method: try row.string("method"),
                    path: try row.string("path"), status: try row.int("status"),
                    requestId: try row.optionalString("request_id"))
            }
        }
    }
}
