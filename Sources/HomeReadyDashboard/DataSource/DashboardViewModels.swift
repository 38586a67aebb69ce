import Foundation
import HomeReadyLocalization
import HomeReadyModel
import HomeReadyScoring

/// Readiness counts for one site, campaign or team.
public struct ReadinessRollup: Sendable, Equatable {
    public var name: String
    public var counts: ReadinessCounts

    /// Creates a roll-up row.
    public init(name: String, counts: ReadinessCounts) {
        self.name = name
        self.counts = counts
    }
}

/// Ready agents on one day.
public struct DailyCount: Sendable, Equatable {
    public var day: Date
    public var ready: Int

    /// Creates a point of a burn-up.
    public init(day: Date, ready: Int) {
        self.day = day
        self.ready = ready
    }
}

/// The burn-up of ready agents toward one campaign's cutover date.
public struct BurnUp: Sendable, Equatable {
    public var campaign: String
    public var cutover: Date
    /// Agents the campaign needs ready at cutover (its headcount).
    public var target: Int
    public var history: [DailyCount]

    /// Creates a burn-up series.
    public init(campaign: String, cutover: Date, target: Int, history: [DailyCount]) {
        self.campaign = campaign
        self.cutover = cutover
        self.target = target
        self.history = history
    }
}

/// The fleet overview page's data.
public struct FleetOverview: Sendable, Equatable {
    public var generatedAt: Date
    public var total: ReadinessCounts
    public var bySite: [ReadinessRollup]
    public var byCampaign: [ReadinessRollup]
    public var byTeam: [ReadinessRollup]
    public var burnUps: [BurnUp]

    /// Creates an overview.
    public init(
        generatedAt: Date, total: ReadinessCounts, bySite: [ReadinessRollup], byCampaign: [ReadinessRollup],
        byTeam: [ReadinessRollup], burnUps: [BurnUp]
    ) {
        self.generatedAt = generatedAt
        self.total = total
        self.bySite = bySite
        self.byCampaign = byCampaign
        self.byTeam = byTeam
        self.burnUps = burnUps
    }
}

/// A shipment that left but has not arrived in time.
public struct OverdueShipment: Sendable, Equatable {
    public var agentID: String
    public var agentName: String
    public var item: String
    public var carrier: String
    public var trackingNumber: String
    public var shippedAt: Date
    public var daysOverdue: Int

    /// Creates an overdue shipment row.
    public init(
        agentID: String, agentName: String, item: String, carrier: String, trackingNumber: String, shippedAt: Date,
        daysOverdue: Int
    ) {
        self.agentID = agentID
        self.agentName = agentName
        self.item = item
        self.carrier = carrier
        self.trackingNumber = trackingNumber
        self.shippedAt = shippedAt
        self.daysOverdue = daysOverdue
    }
}

/// An item reported faulty.
public struct FaultyItem: Sendable, Equatable {
    public var agentID: String
    public var agentName: String
    public var item: String
    public var serial: String
    public var reportedAt: Date
    public var note: String

    /// Creates a faulty item row.
    public init(agentID: String, agentName: String, item: String, serial: String, reportedAt: Date, note: String) {
        self.agentID = agentID
        self.agentName = agentName
        self.item = item
        self.serial = serial
        self.reportedAt = reportedAt
        self.note = note
    }
}

/// The equipment rollout page's data: items that reached each stage (cumulative), overdue and faulty items.
public struct EquipmentFunnel: Sendable, Equatable {
    public var requested: Int
    public var shipped: Int
    public var delivered: Int
    public var verified: Int
    public var overdue: [OverdueShipment]
    public var faulty: [FaultyItem]

    /// Creates the funnel.
    public init(
        requested: Int, shipped: Int, delivered: Int, verified: Int, overdue: [OverdueShipment], faulty: [FaultyItem]
    ) {
        self.requested = requested
        self.shipped = shipped
        self.delivered = delivered
        self.verified = verified
        self.overdue = overdue
        self.faulty = faulty
    }
}

/// Filters, search and page of the agent list.
public struct AgentQuery: Sendable, Equatable {
    public var search: String
    public var site: String?
    public var campaign: String?
    public var team: String?
    public var readiness: ReadinessStatus?
    /// The page starts after this agent (the next page's link).
    public var after: AgentCursor?
    /// The page ends before this agent (the previous page's link).
    public var before: AgentCursor?
    /// One-based page number, shown to the reader; without a cursor it also says where the page starts (a
    /// bookmarked `?page=N`, read with an offset).
    public var page: Int
    public var pageSize: Int

    /// Creates a query; everything matches by default.
    public init(
        search: String = "", site: String? = nil, campaign: String? = nil, team: String? = nil,
        readiness: ReadinessStatus? = nil, after: AgentCursor? = nil, before: AgentCursor? = nil, page: Int = 1,
        pageSize: Int = 50
    ) {
        self.search = search
        self.site = site
        self.campaign = campaign
        self.team = team
        self.readiness = readiness
        self.after = after
        self.before = before
        self.page = max(1, page)
        self.pageSize = min(max(1, pageSize), 500)
    }

    /// This query's page of `sorted`, the matching agents in the list's order (name, then id): the same paging
    /// as a data source's keyset query, for sources that hold the agents in memory.
    public func page(of sorted: [AgentSummary]) -> (agents: [AgentSummary], previous: AgentCursor?, next: AgentCursor?) {
        let start: Int, end: Int
        if let after {
            start = sorted.firstIndex { AgentCursor(of: $0) > after } ?? sorted.count
            end = min(start + pageSize, sorted.count)
        } else if let before {
            end = sorted.firstIndex { AgentCursor(of: $0) >= before } ?? sorted.count
            start = max(0, end - pageSize)
        } else {
            start = min((page - 1) * pageSize, sorted.count)
            end = min(start + pageSize, sorted.count)
        }
        let agents = Array(sorted[start..<end])
        return (
            agents, start > 0 ? agents.first.map(AgentCursor.init(of:)) : nil,
            end < sorted.count ? agents.last.map(AgentCursor.init(of:)) : nil
        )
    }
}

/// A place in the agent list, ordered by name and then id: where a keyset page starts or ends, so a page costs
/// the same wherever it is in a list of 100,000.
public struct AgentCursor: Sendable, Equatable, Comparable {
    public var name: String
    public var id: String

    /// Creates a cursor at the agent called `name` with `id`.
    public init(name: String, id: String) {
        self.name = name
        self.id = id
    }

    /// The cursor at `agent`.
    public init(of agent: AgentSummary) {
        self.init(name: agent.name, id: agent.id)
    }

    /// Reads a cursor from a link's `token`; nil when it is not one.
    public init?(token: String) {
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8),
            let separator = text.firstIndex(of: "\u{1F}")
        else { return nil }
        self.init(name: String(text[..<separator]), id: String(text[text.index(after: separator)...]))
    }

    /// The cursor for a link: URL-safe base64 of the name and id.
    public var token: String {
        Data((name + "\u{1F}" + id).utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Byte order of the name, then of the id (the in-memory source's order; a database pages in its own
    /// collation's order, the same for its cursor and its ORDER BY).
    public static func < (left: AgentCursor, right: AgentCursor) -> Bool {
        left.name.utf8.lexicographicallyPrecedes(right.name.utf8)
            || (left.name == right.name && left.id.utf8.lexicographicallyPrecedes(right.id.utf8))
    }
}

/// One agent in a list.
public struct AgentSummary: Sendable, Equatable {
    public var id: String
    public var employeeID: String
    public var name: String
    public var site: String
    public var campaign: String
    public var team: String
    public var readiness: ReadinessStatus
    public var lastCheck: Date?

    /// Creates a list row.
    public init(
        id: String, employeeID: String, name: String, site: String, campaign: String, team: String,
        readiness: ReadinessStatus, lastCheck: Date?
    ) {
        self.id = id
        self.employeeID = employeeID
        self.name = name
        self.site = site
        self.campaign = campaign
        self.team = team
        self.readiness = readiness
        self.lastCheck = lastCheck
    }
}

/// One page of the agent list, with the values the filters offer.
public struct AgentPage: Sendable, Equatable {
    public var agents: [AgentSummary]
    /// Agents matching the query on all pages.
    public var total: Int
    public var page: Int
    public var pageSize: Int
    public var sites: [String]
    public var campaigns: [String]
    public var teams: [String]
    /// Where the previous page ends (its `before`); nil on the first page.
    public var previous: AgentCursor?
    /// Where the next page starts (its `after`); nil on the last page.
    public var next: AgentCursor?

    /// Creates a page.
    public init(
        agents: [AgentSummary], total: Int, page: Int, pageSize: Int, sites: [String], campaigns: [String],
        teams: [String], previous: AgentCursor? = nil, next: AgentCursor? = nil
    ) {
        self.agents = agents
        self.total = total
        self.page = page
        self.pageSize = pageSize
        self.sites = sites
        self.campaigns = campaigns
        self.teams = teams
        self.previous = previous
        self.next = next
    }
}

/// The measurements of one stored report.
public struct ReportPoint: Sendable, Equatable {
    public var at: Date
    public var downloadMbps: Double
    public var uploadMbps: Double
    public var latencyIdleMs: Double
    public var latencyLoadedMs: Double
    public var jitterMs: Double
    public var mos: Double
    public var passed: Bool
    /// True for a browser self-test report (else the full check).
    public var fromBrowser: Bool

    /// Creates a report point.
    public init(
        at: Date, downloadMbps: Double, uploadMbps: Double, latencyIdleMs: Double, latencyLoadedMs: Double,
        jitterMs: Double, mos: Double, passed: Bool, fromBrowser: Bool = false
    ) {
        self.at = at
        self.downloadMbps = downloadMbps
        self.uploadMbps = uploadMbps
        self.latencyIdleMs = latencyIdleMs
        self.latencyLoadedMs = latencyLoadedMs
        self.jitterMs = jitterMs
        self.mos = mos
        self.passed = passed
        self.fromBrowser = fromBrowser
    }
}

/// A posture check failing on an agent's laptop.
public struct PostureFailure: Sendable, Equatable {
    public var check: String
    public var failingSince: Date
    /// What to do, in the reader's language (a finding's `remediation_text`, or its English `remediation`).
    public var remediation: LocalizedText

    /// Creates a posture failure row.
    public init(check: String, failingSince: Date, remediation: LocalizedText) {
        self.check = check
        self.failingSince = failingSince
        self.remediation = remediation
    }
}

/// One transition of one equipment item, as the agent page's timeline shows it.
public struct EquipmentTimelineEntry: Sendable, Equatable {
    public var at: Date
    public var item: String
    public var serial: String
    public var stage: EquipmentState
    public var note: String

    /// Creates a timeline entry.
    public init(at: Date, item: String, serial: String, stage: EquipmentState, note: String) {
        self.at = at
        self.item = item
        self.serial = serial
        self.stage = stage
        self.note = note
    }
}

/// One agent's page.
public struct AgentDetail: Sendable, Equatable {
    public var summary: AgentSummary
    /// Why the agent is not ready (empty when ready), for the reader's language.
    public var reasons: [LocalizedText]
    /// Reports oldest first.
    public var history: [ReportPoint]
    public var postureFailures: [PostureFailure]
    /// Equipment transitions oldest first.
    public var equipment: [EquipmentTimelineEntry]
    /// What the agent's readiness rests on: the full check or the browser self-test; nil before any report.
    public var evidence: ReportSource?
    /// The language the agent reads (the roster's `language` column); nil when not set.
    public var preferredLanguage: Language?

    /// Creates an agent page.
    public init(
        summary: AgentSummary, reasons: [LocalizedText], history: [ReportPoint], postureFailures: [PostureFailure],
        equipment: [EquipmentTimelineEntry], evidence: ReportSource? = nil, preferredLanguage: Language? = nil
    ) {
        self.summary = summary
        self.reasons = reasons
        self.history = history
        self.postureFailures = postureFailures
        self.equipment = equipment
        self.evidence = evidence
        self.preferredLanguage = preferredLanguage
    }
}

/// What the capacity planner needs of one campaign.
public struct CapacityInput: Sendable, Equatable {
    public var campaign: String
    public var readyAgents: Int
    public var headcount: Int
    /// The campaign's stored forecast, if any.
    public var forecast: CapacityForecast?

    /// Creates a capacity row.
    public init(campaign: String, readyAgents: Int, headcount: Int, forecast: CapacityForecast?) {
        self.campaign = campaign
        self.readyAgents = readyAgents
        self.headcount = headcount
        self.forecast = forecast
    }
}

/// Why an alert was raised.
public enum AlertKind: String, Sendable, Codable {
    /// A link that passed its last checks now fails.
    case linkRegressed = "link-regressed"
    /// A posture check that passed before now fails.
    case postureNewlyFailing = "posture-newly-failing"
}

/// An agent whose checks regressed.
public struct DashboardAlert: Sendable, Equatable {
    public var id: String
    public var agentID: String
    public var agentName: String
    public var kind: AlertKind
    /// What happened, for the reader's language.
    public var detail: LocalizedText
    public var raisedAt: Date
    /// Who acknowledged it, if anyone.
    public var acknowledgedBy: String?

    /// Creates an alert.
    public init(
        id: String, agentID: String, agentName: String, kind: AlertKind, detail: LocalizedText, raisedAt: Date,
        acknowledgedBy: String? = nil
    ) {
        self.id = id
        self.agentID = agentID
        self.agentName = agentName
        self.kind = kind
        self.detail = detail
        self.raisedAt = raisedAt
        self.acknowledgedBy = acknowledgedBy
    }
}
