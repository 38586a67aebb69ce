import Foundation
import HomeReadyModel

/// What a continuity drill covers: every agent of a campaign or of a site, fixed when it starts.
public struct DrillScope: Codable, Sendable, Equatable {
    /// `campaign` or `site`.
    public var type: String
    public var id: String
    public var name: String

    public init(type: String, id: String, name: String) {
        self.type = type
        self.id = id
        self.name = name
    }
}

/// Where a drill stands: before its deadline (the RTO), between the deadline and its close (reports still
/// count toward the times to 50 % and 90 %), or closed.
public enum DrillStatus: String, Codable, Sendable, CaseIterable {
    case running
    case overtime
    case finished
}

/// The continuity KPIs of one drill, from the reports received since it started.
public struct DrillKPIs: Codable, Sendable, Equatable {
    /// Minutes from the start until half of the agents in scope were verified ready; nil when not (yet) reached.
    public var timeTo50Minutes: Double?
    /// Minutes until 90 % were; nil when not (yet) reached.
    public var timeTo90Minutes: Double?
    /// The share of agents verified ready at the deadline (0…1); nil while the deadline is ahead.
    public var shareReadyAtRTO: Double?
    /// Whether that share reached the drill's target; nil while the deadline is ahead.
    public var targetMet: Bool?

    enum CodingKeys: String, CodingKey {
        case timeTo50Minutes = "time_to_50_minutes"
        case timeTo90Minutes = "time_to_90_minutes"
        case shareReadyAtRTO = "share_ready_at_rto"
        case targetMet = "target_met"
    }

    public init(timeTo50Minutes: Double?, timeTo90Minutes: Double?, shareReadyAtRTO: Double?, targetMet: Bool?) {
        self.timeTo50Minutes = timeTo50Minutes
        self.timeTo90Minutes = timeTo90Minutes
        self.shareReadyAtRTO = shareReadyAtRTO
        self.targetMet = targetMet
    }
}

/// One step of the ready share over time: after the report received at `at`, `ready` agents were verified ready.
public struct DrillPoint: Codable, Sendable, Equatable {
    public var at: Date
    /// Minutes since the drill started.
    public var minute: Double
    public var ready: Int
    /// `ready` over the agents in scope (0…1).
    public var readyShare: Double

    public init(at: Date, minute: Double, ready: Int, readyShare: Double) {
        self.at = at
        self.minute = minute
        self.ready = ready
        self.readyShare = readyShare
    }
}

/// How many agents in scope stand where, by the server's readiness rules on their latest report of the drill.
public struct DrillCounts: Codable, Sendable, Equatable {
    public var ready: Int
    public var atRisk: Int
    public var notReady: Int
    /// No report received since the drill started.
    public var notAnswered: Int

    public init(ready: Int, atRisk: Int, notReady: Int, notAnswered: Int) {
        self.ready = ready
        self.atRisk = atRisk
        self.notReady = notReady
        self.notAnswered = notAnswered
    }
}

/// An agent in scope who has not sent a report since the drill started.
public struct DrillSilentAgent: Codable, Sendable, Equatable {
    public var agentId: String
    public var employeeId: String
    public var name: String
    /// When one of the agent's devices fetched the `drill_started` instruction; nil when none did.
    public var instructionFetchedAt: Date?

    public init(agentId: String, employeeId: String, name: String, instructionFetchedAt: Date?) {
        self.agentId = agentId
        self.employeeId = employeeId
        self.name = name
        self.instructionFetchedAt = instructionFetchedAt
    }
}

/// A cause keeping agents from ready: a failing check (its id) or why the server could not count a report.
public struct DrillCause: Codable, Sendable, Equatable {
    /// The check id (`network.download`, `posture.disk-encryption`), `verdict.incomplete`, or
    /// `equipment.missing` / `equipment.unverified`.
    public var cause: String
    /// How many agents' latest drill report shows it.
    public var agents: Int
    /// One message seen for it (the first agent's), in the report's words.
    public var example: String?
    /// Up to 20 of those agents' employee ids.
    public var employeeIds: [String]

    public init(cause: String, agents: Int, example: String?, employeeIds: [String]) {
        self.cause = cause
        self.agents = agents
        self.example = example
        self.employeeIds = employeeIds
    }
}

/// A drill with its KPIs, as the history lists it.
public struct DrillSummary: Codable, Sendable, Equatable {
    public var id: String
    public var name: String?
    public var scope: DrillScope
    public var startedAt: Date
    public var deadlineAt: Date
    /// After this, reports no longer count (twice the RTO after the start).
    public var closesAt: Date
    public var deadlineMinutes: Int
    /// The ready share aimed for at the deadline (0…1).
    public var targetReadyShare: Double
    public var status: DrillStatus
    /// Agents in scope.
    public var agents: Int
    public var createdBy: String?
    public var counts: DrillCounts
    /// The share verified ready now (or at the close, for a finished drill).
    public var readyShare: Double
    public var kpis: DrillKPIs

    public init(
        id: String, name: String?, scope: DrillScope, startedAt: Date, deadlineAt: Date, closesAt: Date,
        deadlineMinutes: Int, targetReadyShare: Double, status: DrillStatus, agents: Int, createdBy: String?,
        counts: DrillCounts, readyShare: Double, kpis: DrillKPIs
    ) {
        self.id = id
        self.name = name
        self.scope = scope
        self.startedAt = startedAt
        self.deadlineAt = deadlineAt
        self.closesAt = closesAt
        self.deadlineMinutes = deadlineMinutes
        self.targetReadyShare = targetReadyShare
        self.status = status
        self.agents = agents
        self.createdBy = createdBy
        self.counts = counts
        self.readyShare = readyShare
        self.kpis = kpis
    }
}

/// One drill in full: its summary, the ready share over time, who has not answered, failing checks by cause.
public struct DrillDetail: Codable, Sendable, Equatable {
    public var summary: DrillSummary
    public var timeline: [DrillPoint]
    public var notAnswered: [DrillSilentAgent]
    public var failingChecks: [DrillCause]
    /// When the figures were computed.
    public var asOf: Date

    public init(
        summary: DrillSummary, timeline: [DrillPoint], notAnswered: [DrillSilentAgent], failingChecks: [DrillCause],
        asOf: Date
    ) {
        self.summary = summary
        self.timeline = timeline
        self.notAnswered = notAnswered
        self.failingChecks = failingChecks
        self.asOf = asOf
    }

    enum CodingKeys: String, CodingKey {
        case timeline, notAnswered, failingChecks, asOf
    }

    /// One flat object: the summary's fields beside the timeline and the lists.
    public func encode(to encoder: any Encoder) throws {
        try summary.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(timeline, forKey: .timeline)
        try container.encode(notAnswered, forKey: .notAnswered)
        try container.encode(failingChecks, forKey: .failingChecks)
        try container.encode(asOf, forKey: .asOf)
    }

    public init(from decoder: any Decoder) throws {
        summary = try DrillSummary(from: decoder)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        timeline = try container.decode([DrillPoint].self, forKey: .timeline)
        notAnswered = try container.decode([DrillSilentAgent].self, forKey: .notAnswered)
        failingChecks = try container.decode([DrillCause].self, forKey: .failingChecks)
        asOf = try container.decode(Date.self, forKey: .asOf)
    }
}

/// A drill to start from the dashboard's form.
public struct DrillRequest: Sendable, Equatable {
    /// `campaign` or `site`.
    public var scopeType: String
    /// The campaign's or site's id or name.
    public var scopeId: String
    public var deadlineMinutes: Int
    public var targetReadyShare: Double
    public var name: String?

    public init(scopeType: String, scopeId: String, deadlineMinutes: Int, targetReadyShare: Double, name: String?) {
        self.scopeType = scopeType
        self.scopeId = scopeId
        self.deadlineMinutes = deadlineMinutes
        self.targetReadyShare = targetReadyShare
        self.name = name
    }
}

/// A refusal of a drill or an instruction from a form: the field at fault and what was expected.
public struct DashboardFieldError: Error, Sendable, Equatable {
    public var field: String
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
}

/// Continuity drills for the dashboard. The server implements it over its storage; without one the dashboard
/// shows no drill pages.
public protocol DashboardDrills: Sendable {
    /// Drill history, newest first.
    func drills(limit: Int) async throws -> [DrillSummary]
    /// One drill in full, or nil when no drill has this id.
    func drill(id: String) async throws -> DrillDetail?
    /// Campaigns and sites a drill can cover, by name (id, name).
    func drillScopes() async throws -> (campaigns: [(id: String, name: String)], sites: [(id: String, name: String)])
    /// Starts a drill; throws `DashboardFieldError` for bad input.
    func startDrill(_ request: DrillRequest, by user: String) async throws -> DrillSummary
}
