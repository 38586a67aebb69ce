import Foundation
import HomeReadyModel

/// A place agents belong to (an office whose agents move home).
public struct SiteRecord: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var timezone: String?
}

/// A line of business moving home by a cutover date, checked against one profile.
public struct CampaignRecord: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var profileId: String
    /// `YYYY-MM-DD`.
    public var cutoverDate: String
    /// How old an agent's last check may be and still count, in hours.
    public var freshnessHours: Int
    /// How long after a new version of the profile is first served a report made against the previous version
    /// still counts, in hours.
    public var profileGraceHours: Int = 24
    /// Whether a browser self-test can make an agent ready (campaigns working through VDI); otherwise only the
    /// full check counts.
    public var browserReportsCount: Bool = false
}

/// A team of agents.
public struct TeamRecord: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var siteId: String?
}

/// A role and the kit of equipment kinds it needs.
public struct RoleRecord: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var kit: [String]
}

/// An agent on the roster.
public struct AgentRecord: Codable, Sendable, Equatable {
    public var id: String
    public var employeeId: String
    public var name: String
    public var contact: String?
    public var siteId: String?
    public var campaignId: String?
    public var teamId: String?
    public var roleId: String?
    public var lastReportAt: Date?
    public var lastVerdict: Verdict?
    public var equipmentStatus: EquipmentReadiness
    /// The language the agent reads, `es` or `en` (the roster's `language` column); nil when not known.
    public var language: String? = nil
}

/// An equipment item and where it stands.
public struct EquipmentRecord: Codable, Sendable, Equatable {
    public var id: String
    public var kind: String
    public var model: String?
    public var serial: String?
    public var assetTag: String?
    public var agentId: String?
    public var state: EquipmentState
    public var carrier: String?
    public var trackingNumber: String?
    public var shippedAt: Date?
    public var deliveredAt: Date?
    public var replacesId: String?
    public var updatedAt: Date
    /// The USB identity of the very device (`VVVV:PPPP` or `VVVV:PPPP:SERIAL`, hex), recorded by IT at
    /// shipment or acceptance: the agent's check must see this device for the item to count.
    public var usbIdentity: String? = nil

    var lifecycle: EquipmentLifecycle {
        EquipmentLifecycle(
            state: state, carrier: carrier, trackingNumber: trackingNumber, shippedAt: shippedAt,
            deliveredAt: deliveredAt)
    }
}

/// One line of an item's append-only audit log.
public struct AuditRecord: Codable, Sendable, Equatable {
    public var id: String
    public var itemId: String
    public var at: Date
    public var actor: String
    public var fromState: EquipmentState?
    public var toState: EquipmentState
    public var note: String?
}

/// A device enrolled for an agent, holding the Ed25519 public key its reports will be signed with.
public struct DeviceRecord: Codable, Sendable, Equatable {
    public var id: String
    public var agentId: String
    /// Base64 of the raw 32-byte Ed25519 public key.
    public var publicKey: String?
    public var hostname: String?
    public var enrolledAt: Date
    public var revokedAt: Date?
}

/// A stored report's queryable columns.
public struct ReportSummary: Codable, Sendable, Equatable {
    public var reportId: String
    public var agentId: String
    public var startedAt: Date
    public var finishedAt: Date
    public var receivedAt: Date
    public var verdict: Verdict
    public var profileId: String
    public var profileVersion: Int
}

/// Since when a check fails, and when it last passed, per agent.
public struct CheckStateRecord: Codable, Sendable, Equatable {
    public var checkId: String
    public var status: FindingStatus
    public var firstFailedAt: Date?
    public var lastPassedAt: Date?
    public var lastSeenAt: Date
}

/// Counts of agents per readiness status in one group.
public struct RollupRow: Codable, Sendable, Equatable {
    /// The site, campaign or team id; `all` for the whole fleet; empty when agents have none.
    public var scopeId: String
    public var ready: Int
    public var atRisk: Int
    public var notReady: Int
    public var unknown: Int
    public var total: Int { ready + atRisk + notReady + unknown }
}

extension RollupRow {
    /// `counts` as the row of `scopeId`.
    init(scopeId: String, counts: ReadinessCounts) {
        self.init(
            scopeId: scopeId, ready: counts.ready, atRisk: counts.atRisk, notReady: counts.notReady,
            unknown: counts.unknown)
    }
}

/// The readiness counts of the agents of one campaign, site and team (nil where they have none).
public struct ReadinessCell: Sendable, Equatable {
    public var campaignId: String?
    public var siteId: String?
    public var teamId: String?
    public var counts: ReadinessCounts
}

/// A day's roll-up for a burn-up chart.
public struct HistoryRow: Codable, Sendable, Equatable {
    public var day: String
    public var ready: Int
    public var atRisk: Int
    public var notReady: Int
    public var unknown: Int
}

/// Who is calling: an admin, a planner, or an enrolled device acting for its agent.
public struct Principal: Sendable, Equatable {
    public enum Role: String, Codable, Sendable, CaseIterable {
        case admin, planner, device
    }

    public var role: Role
    public var tokenId: String
    public var deviceId: String?
    public var agentId: String?

    /// Name written to audit logs.
    var actor: String {
        switch role {
        case .device: return "device:\(deviceId ?? "?")"
        default: return "\(role.rawValue):\(tokenId)"
        }
    }
}

/// A page of results with the cursor of the next page.
public struct Page<Item: Codable & Sendable>: Codable, Sendable {
    public var items: [Item]
    /// Pass as `after` to get the next page; nil on the last page.
    public var next: String?
}

/// What the server keeps of its judgement besides the verdict it stores as the report's: the agent's own claim
/// and, when the report cannot count, why.
public struct StoredJudgement: Sendable, Equatable {
    /// The verdict the agent's report claimed (for diagnosis only).
    public var claimedVerdict: Verdict
    /// Why the report cannot count toward readiness, in plain words (nil when it can).
    public var reason: String?
    /// What made the report: the full check (`cli`) or the browser self-test.
    public var source: ReportSource
    /// False for a browser report in a campaign that still requires the full check: it is stored and shown, but
    /// it does not replace the verdict of an agent whose readiness rests on a full check.
    public var sourceCounts: Bool

    public init(claimedVerdict: Verdict, reason: String?, source: ReportSource = .cli, sourceCounts: Bool = true) {
        self.claimedVerdict = claimedVerdict
        self.reason = reason
        self.source = source
        self.sourceCounts = sourceCounts
    }
}
