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
    public func judgingFacts(agentId: String) async throws -> JudgingFacts {
        try await store.withConnection { db in
            let row = try await db.raw(
                """
                SELECT a.campaign_id, r.name AS role_name FROM agents a LEFT JOIN roles r ON r.id = a.role_id
                WHERE a.id = \(bind: agentId)
                """
            ).all().first
            var campaign: CampaignRecord?
            if let campaignId = try row?.optionalString("campaign_id") {
                campaign = try await db.raw(
                    "SELECT \(Self.campaignColumns) FROM campaigns WHERE id = \(bind: campaignId)"
                ).all().first.map(Self.campaign)
            }
            var shipped: [String: [String]] = [:]
            for item in try await db.raw(
                """
                SELECT kind, usb_identity FROM equipment_items
                WHERE agent_id = \(bind: agentId) AND usb_identity IS NOT NULL
                  AND state IN ('shipped', 'delivered', 'accepted', 'verified')
                """
            ).all() {
                shipped[try item.string("kind"), default: []].append(try item.string("usb_identity"))
            }
            return JudgingFacts(
                campaign: campaign, roleName: try row?.optionalString("role_name"), shippedIdentities: shipped)
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
