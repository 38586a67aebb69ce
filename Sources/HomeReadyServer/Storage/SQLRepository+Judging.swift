import Foundation
import HomeReadyModel
import SQLKit

/// What the server knows of an agent, besides the report, to judge it: the campaign's profile and settings, the
/// agent's role and the identities of the items shipped to them.
public struct JudgingFacts: Sendable, Equatable {
    public var campaign: CampaignRecord?
    public var roleName: String?
    /// Item kind → USB identities IT recorded for the agent's items that are on their way or with the agent.
    public var shippedIdentities: [String: [String]]
}

/// One version of a profile the server has served, kept so reports made against it can be judged with it.
public struct StoredProfileVersion: Sendable, Equatable {
    public var profileId: String
    public var version: Int
    public var digest: String
    public var yaml: String
    public var firstSeenAt: Date
}

extension SQLRepository {
    /// One statement: the agent's row with its campaign and role, once per item shipped to them that carries a
    /// USB identity (once with no item when none does). A burst of reports from agents not seen for the lookup
    /// TTL reads it once per agent, so it is one round trip rather than three.
    public func judgingFacts(agentId: String) async throws -> JudgingFacts {
        try await store.withConnection { db in
            let rows = try await db.raw(
                """
                SELECT c.id, c.name, c.profile_id, c.cutover_date, c.freshness_hours, c.profile_grace_hours,
                       c.browser_reports_count, r.name AS role_name, e.kind, e.usb_identity
                FROM agents a
                LEFT JOIN roles r ON r.id = a.role_id
                LEFT JOIN campaigns c ON c.id = a.campaign_id
                LEFT JOIN equipment_items e ON e.agent_id = a.id AND e.usb_identity IS NOT NULL
                     AND e.state IN ('shipped', 'delivered', 'accepted', 'verified')
                WHERE a.id = \(bind: agentId)
                """
            ).all()
            guard let first = rows.first else { return JudgingFacts(campaign: nil, roleName: nil, shippedIdentities: [:]) }
            var shipped: [String: [String]] = [:]
            for row in rows {
                if let kind = try row.optionalString("kind"), let identity = try row.optionalString("usb_identity") {
                    shipped[kind, default: []].append(identity)
                }
            }
            return JudgingFacts(
                campaign: try first.optionalString("id") == nil ? nil : try Self.campaign(first),
                roleName: try first.optionalString("role_name"), shippedIdentities: shipped)
        }
    }

    /// Records a version of a profile the first time it is seen (by digest); returns every stored version of that
    /// profile, oldest first.
    public func recordProfileVersion(profileId: String, version: Int, digest: String, yaml: String, at: Date)
        async throws -> [StoredProfileVersion]
    {
        try await writing(field: nil) { db in
            try await db.raw(
                """
                INSERT INTO profile_versions (profile_id, version, digest, yaml, first_seen_at)
                VALUES (\(bind: profileId), \(literal: version), \(bind: digest), \(bind: yaml), \(millis: at))
                ON CONFLICT (profile_id, digest) DO NOTHING
                """
            ).run()
            return try await db.raw(
                """
                SELECT profile_id, version, digest, yaml, first_seen_at FROM profile_versions
                WHERE profile_id = \(bind: profileId) ORDER BY first_seen_at, version
                """
            ).all().map {
                StoredProfileVersion(
                    profileId: try $0.string("profile_id"), version: try $0.int("version"),
                    digest: try $0.string("digest"), yaml: try $0.string("yaml"), firstSeenAt: try $0.date("first_seen_at"))
            }
        }
    }
}
