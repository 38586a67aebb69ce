import Foundation
import HomeReadyModel
import HomeReadyScoring

/// One agent as the in-memory store keeps it.
public struct DemoAgent: Sendable, Equatable {
    public var summary: AgentSummary
    public var reasons: [LocalizedText]
    public var history: [ReportPoint]
    public var postureFailures: [PostureFailure]
    public var equipment: [EquipmentTimelineEntry]

    /// Creates an agent record.
    public init(
        summary: AgentSummary, reasons: [LocalizedText] = [], history: [ReportPoint] = [],
        postureFailures: [PostureFailure] = [], equipment: [EquipmentTimelineEntry] = []
    ) {
        self.summary = summary
        self.reasons = reasons
        self.history = history
        self.postureFailures = postureFailures
        self.equipment = equipment
    }
}

/// A campaign as the in-memory store keeps it.
public struct DemoCampaign: Sendable, Equatable {
    public var name: String
    public var cutover: Date
    public var forecast: CapacityForecast?

    /// Creates a campaign.
    public init(name: String, cutover: Date, forecast: CapacityForecast?) {
        self.name = name
        self.cutover = cutover
        self.forecast = forecast
    }
}

/// A fleet held in memory: the dashboard's data source for tests, `demo-data` and single-instance use.
/// `record(...)` changes an agent and publishes the change to `events` so open dashboards update.
public actor InMemoryDashboard: DashboardDataSource {
    private var agentsByID: [String: DemoAgent]
    private var order: [String]
    private var campaigns: [DemoCampaign]
    private var alertList: [DashboardAlert]
    /// Ready agents per campaign per day before today (for the burn-up).
    private var readyHistory: [String: [DailyCount]]
    private let overdueAfterDays: Int
    private let now: @Sendable () -> Date
    /// Where changes are announced.
    public nonisolated let broadcaster: DashboardBroadcaster

    /// Creates a store from a fleet.
    public init(
        fleet: DemoFleet, broadcaster: DashboardBroadcaster = DashboardBroadcaster(), overdueAfterDays: Int = 5,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.agentsByID = Dictionary(uniqueKeysWithValues: fleet.agents.map { ($0.summary.id, $0) })
        self.order = fleet.agents.map(\.summary.id)
        self.campaigns = fleet.campaigns
        self.alertList = fleet.alerts
        self.readyHistory = fleet.readyHistory
        self.broadcaster = broadcaster
        self.overdueAfterDays = overdueAfterDays
        self.now = now
    }

    // MARK: Changes

    /// Stores a new report for an agent, sets its readiness, and publishes a `.report` event.
    public func record(report: ReportPoint, for agentID: String, readiness: ReadinessStatus, reasons: [LocalizedText] = []) {
        guard var agent = agentsByID[agentID] else { return }
        let before = agent.summary.readiness
        agent.history.append(report)
        agent.summary.readiness = readiness
        agent.summary.lastCheck = report.at
        agent.reasons = reasons
        agentsByID[agentID] = agent
        if before == .ready && readiness != .ready && !report.passed {
            alertList.insert(
                DashboardAlert(
                    id: "AL-\(agentID)-\(Int(report.at.timeIntervalSince1970))", agentID: agentID,
                    agentName: agent.summary.name, kind: .linkRegressed,
                    detail: LocalizedText(
                        "dashboard.detail.link_failed",
                        ["download": .number(report.downloadMbps.rounded(), unit: "Mbit/s"),
                         "jitter": .number(report.jitterMs.rounded(), unit: "ms")]),
                    raisedAt: report.at), at: 0)
        }
        broadcaster.publish(
            DashboardEvent(
                kind: .report, agentID: agentID, agentName: agent.summary.name,
                summary: "\(report.passed ? "check passed" : "check failed"), now \(readiness.rawValue)",
                verdict: report.passed ? .ready : .notReady, at: report.at))
    }

    // MARK: DashboardDataSource

    public func overview() -> FleetOverview {
        var total = ReadinessCounts()
        var site: [String: ReadinessCounts] = [:], campaign: [String: ReadinessCounts] = [:]
        var team: [String: ReadinessCounts] = [:]
        for id in order {
            let s = agentsByID[id]!.summary
            total[s.readiness] += 1
            site[s.site, default: .init()][s.readiness] += 1
            campaign[s.campaign, default: .init()][s.readiness] += 1
            team[s.team, default: .init()][s.readiness] += 1
        }
        func rows(_ d: [String: ReadinessCounts]) -> [ReadinessRollup] {
            d.keys.sorted().map { ReadinessRollup(name: $0, counts: d[$0]!) }
        }
        let today = Calendar.utc.startOfDay(for: now())
        let burnUps = campaigns.map { c in
            BurnUp(
                campaign: c.name, cutover: c.cutover, target: campaign[c.name]?.total ?? 0,
                history: (readyHistory[c.name] ?? []) + [DailyCount(day: today, ready: campaign[c.name]?.ready ?? 0)])
        }
        return FleetOverview(
            generatedAt: now(), total: total, bySite: rows(site), byCampaign: rows(campaign), byTeam: rows(team),
            burnUps: burnUps)
    }

    public func equipmentFunnel() -> EquipmentFunnel {
        var reached: [EquipmentState: Int] = [:]
        var overdue: [OverdueShipment] = []
        var faulty: [FaultyItem] = []
        let current = now()
        for id in order {
            let agent = agentsByID[id]!
            let bySerial = Dictionary(grouping: agent.equipment, by: \.serial)
            for serial in bySerial.keys.sorted() {
                let events = bySerial[serial]!.sorted { $0.at < $1.at }
                let stages = Set(events.map(\.stage))
                for stage in stages { reached[stage, default: 0] += 1 }
                guard let last = events.last else { continue }
                if last.stage == .shipped {
                    let days = Int(current.timeIntervalSince(last.at) / 86_400)
                    if days > overdueAfterDays {
                        let parts = last.note.split(separator: " ", maxSplits: 1).map(String.init)
                        overdue.append(
                            OverdueShipment(
                                agentID: id, agentName: agent.summary.name, item: last.item,
                                carrier: parts.first ?? "", trackingNumber: parts.count > 1 ? parts[1] : "",
                                shippedAt: last.at, daysOverdue: days - overdueAfterDays))
                    }
                }
                if last.stage == .faulty {
                    faulty.append(
                        FaultyItem(
                            agentID: id, agentName: agent.summary.name, item: last.item, serial: serial,
                            reportedAt: last.at, note: last.note))
                }
            }
        }
        return EquipmentFunnel(
            requested: reached[.requested] ?? 0, shipped: reached[.shipped] ?? 0,
            delivered: reached[.delivered] ?? 0, verified: reached[.verified] ?? 0,
            overdue: overdue.sorted { $0.daysOverdue > $1.daysOverdue }, faulty: faulty.sorted { $0.reportedAt > $1.reportedAt })
    }

    public func agents(matching query: AgentQuery) -> AgentPage {
        let all = order.map { agentsByID[$0]!.summary }
        let needle = query.search.trimmingCharacters(in: .whitespaces).lowercased()
        let matching = all.filter { a in
            (query.site == nil || a.site == query.site) && (query.campaign == nil || a.campaign == query.campaign)
                && (query.team == nil || a.team == query.team)
                && (query.readiness == nil || a.readiness == query.readiness)
                && (needle.isEmpty || a.name.lowercased().contains(needle) || a.employeeID.lowercased().contains(needle)
                    || a.id.lowercased().contains(needle))
        }
        let page = query.page(of: matching.sorted { AgentCursor(of: $0) < AgentCursor(of: $1) })
        return AgentPage(
            agents: page.agents, total: matching.count, page: page.previous == nil ? 1 : query.page,
            pageSize: query.pageSize, sites: Set(all.map(\.site)).sorted(),
            campaigns: Set(all.map(\.campaign)).sorted(), teams: Set(all.map(\.team)).sorted(),
            previous: page.previous, next: page.next)
    }

    public func agent(id: String) -> AgentDetail? {
        guard let a = agentsByID[id] else { return nil }
        return AgentDetail(
            summary: a.summary, reasons: a.reasons, history: a.history, postureFailures: a.postureFailures,
            equipment: a.equipment.sorted { $0.at < $1.at })
    }

    public func capacityInputs() -> [CapacityInput] {
        campaigns.map { c in
            let members = order.compactMap { agentsByID[$0]?.summary }.filter { $0.campaign == c.name }
            return CapacityInput(
                campaign: c.name, readyAgents: members.filter { $0.readiness == .ready }.count,
                headcount: members.count, forecast: c.forecast)
        }
    }

    public func alerts() -> [DashboardAlert] { alertList.sorted { $0.raisedAt > $1.raisedAt } }

    public func acknowledgeAlert(id: String, by user: String) -> Bool {
        guard let index = alertList.firstIndex(where: { $0.id == id }) else { return false }
        alertList[index].acknowledgedBy = user
        return true
    }
}

extension Calendar {
    static var utc: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }
}
