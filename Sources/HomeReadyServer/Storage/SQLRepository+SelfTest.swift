import Foundation
import HomeReadyModel
import HomeReadySelfTest
import SQLKit

/// Self-test links (migration 20): stored by the SHA-256 of their token, never the token.
extension SQLRepository {
    static let selfTestLinkColumns: SQLQueryString = """
        id, agent_id, created_at, created_by, expires_at, revoked_at, max_uses, uses, last_used_at
        """

    static func selfTestLink(_ row: any SQLRow) throws -> SelfTestLink {
        SelfTestLink(
            id: try row.string("id"), agentId: try row.string("agent_id"), createdAt: try row.date("created_at"),
            createdBy: try row.optionalString("created_by"), expiresAt: try row.date("expires_at"),
            revokedAt: try row.optionalDate("revoked_at"), maxUses: try row.int("max_uses"), uses: try row.int("uses"),
            lastUsedAt: try row.optionalDate("last_used_at"))
    }

    public func createSelfTestLink(_ link: SelfTestLink, tokenHash: String) async throws {
        try await writing(field: "agent_id") { db in
            try await db.raw(
                """
                INSERT INTO self_test_links (id, hash, agent_id, created_at, created_by, expires_at, max_uses, uses)
                VALUES (\(bind: link.id), \(bind: tokenHash), \(bind: link.agentId), \(millis: link.createdAt),
                        \(bind: link.createdBy), \(millis: link.expiresAt), \(literal: link.maxUses), 0)
                """
            ).run()
        }
    }

    public func selfTestLink(tokenHash: String) async throws -> SelfTestLink? {
        try await store.withConnection { db in
            try await db.raw(
                "SELECT \(Self.selfTestLinkColumns) FROM self_test_links WHERE hash = \(bind: tokenHash)"
            ).all().first.map(Self.selfTestLink)
        }
    }

    public func selfTestLink(id: String) async throws -> SelfTestLink? {
        try await store.withConnection { db in
            try await db.raw("SELECT \(Self.selfTestLinkColumns) FROM self_test_links WHERE id = \(bind: id)")
                .all().first.map(Self.selfTestLink)
        }
    }

    public func selfTestLinks(agentId: String) async throws -> [SelfTestLink] {
        try await store.withConnection { db in
            try await db.raw(
                """
                SELECT \(Self.selfTestLinkColumns) FROM self_test_links WHERE agent_id = \(bind: agentId)
                ORDER BY created_at DESC, id
                """
            ).all().map(Self.selfTestLink)
        }
    }

    public func revokeSelfTestLink(id: String, at: Date) async throws -> SelfTestLink? {
        try await writing(field: nil) { db in
            try await db.raw(
                "UPDATE self_test_links SET revoked_at = \(millis: at) WHERE id = \(bind: id) AND revoked_at IS NULL"
            ).run()
            return try await db.raw("SELECT \(Self.selfTestLinkColumns) FROM self_test_links WHERE id = \(bind: id)")
                .all().first.map(Self.selfTestLink)
        }
    }

    public func claimSelfTestUse(linkId: String, at: Date) async throws -> Bool {
        try await writing(field: nil) { db in
            let rows = try await db.raw(
                """
                UPDATE self_test_links SET uses = uses + 1, last_used_at = \(millis: at)
                WHERE id = \(bind: linkId) AND revoked_at IS NULL AND expires_at > \(millis: at) AND uses < max_uses
                RETURNING id
                """
            ).all()
            return !rows.isEmpty
        }
    }

    public func releaseSelfTestUse(linkId: String) async throws {
        try await writing(field: nil) { db in
            try await db.raw("UPDATE self_test_links SET uses = uses - 1 WHERE id = \(bind: linkId) AND uses > 0").run()
        }
    }

    public func selfTestAgent(id: String) async throws -> SelfTestAgent? {
        try await agent(id: id).map {
            SelfTestAgent(id: $0.id, employeeId: $0.employeeId, name: $0.name, language: $0.language)
        }
    }

    /// The agents of a campaign (id, employee id, name), by employee id.
    func campaignAgents(campaignId: String) async throws -> [(id: String, employeeId: String, name: String)] {
        try await store.withConnection { db in
            try await db.raw(
                "SELECT id, employee_id, name FROM agents WHERE campaign_id = \(bind: campaignId) ORDER BY employee_id"
            ).all().map { (try $0.string("id"), try $0.string("employee_id"), try $0.string("name")) }
        }
    }
}
