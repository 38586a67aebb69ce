import Foundation
import HomeReadyDashboard
import HomeReadyLocalization
import HomeReadyModel
import HomeReadyScoring
import SQLKit

/// The inventory database as the dashboard's data source and user store.
///
/// Holds no state of its own: every page reads the database, so several server instances on one PostgreSQL show
/// the same fleet, users and sessions.
public struct SQLDashboard: DashboardDataSource, DashboardUserStore {
    let repository: SQLRepository
    /// Days after which a shipped, undelivered item is overdue.
    let overdueDays: Int
    let now: @Sendable () -> Date
    /// Most rows an overdue, faulty or alert list shows.
    let listLimit = 200
    /// Most reports an agent's charts show.
    let historyLimit = 60

    /// Creates the adapter over `repository`.
    public init(repository: SQLRepository, overdueDays: Int = 5, now: @escaping @Sendable () -> Date = { Date() }) {
        self.repository = repository
        self.overdueDays = overdueDays
        self.now = now
    }

    var store: SQLStore { repository.store }

    static func readiness(_ status: String) -> ReadinessStatus {
        ReadinessStatus(rawValue: status) ?? .unknown
    }

    /// Agents with their names of site, campaign and team and their readiness status, as a sub-select.
    func agentRows(now: Date) -> SQLQueryString {
        """
        SELECT a.id, a.employee_id, a.name, a.last_report_at, a.campaign_id,
            COALESCE(s.name, '') AS site, COALESCE(c.name, '') AS campaign, COALESCE(t.name, '') AS team,
            \(SQLRepository.statusExpression(now: now)) AS status
        FROM agents a LEFT JOIN campaigns c ON c.id = a.campaign_id LEFT JOIN sites s ON s.id = a.site_id
            LEFT JOIN teams t ON t.id = a.team_id
        """
    }

    // MARK: Overview

    public func overview() async throws -> FleetOverview {
        let now = now()
        return try await store.withConnection { db in
            // The counts come from one scan of the roll-up's covering index, grouped by campaign, site and team;
            // names are looked up in the small tables, not joined per agent.
            let cells = try await SQLRepository.readinessCells(now: now, on: db)
            let names = try await ScopeNames.read(on: db)
            var total = ReadinessCounts()
            var site: [String: ReadinessCounts] = [:], campaign: [String: ReadinessCounts] = [:]
            var team: [String: ReadinessCounts] = [:], byCampaignId: [String: ReadinessCounts] = [:]
            for cell in cells {
                total += cell.counts
                site[Self.label(names.site(cell.siteId), "No site"), default: .init()] += cell.counts
                campaign[Self.label(names.campaign(cell.campaignId), "No campaign"), default: .init()] += cell.counts
                team[Self.label(names.team(cell.teamId), "No team"), default: .init()] += cell.counts
                if let id = cell.campaignId { byCampaignId[id, default: .init()] += cell.counts }
            }
            func rows(_ d: [String: ReadinessCounts]) -> [ReadinessRollup] {
                d.keys.sorted().map { ReadinessRollup(name: $0, counts: d[$0]!) }
            }
            let history = try await db.raw(
                "SELECT scope_id, day, ready FROM readiness_daily WHERE scope = 'campaign' ORDER BY day"
            ).all()
            var days: [String: [DailyCount]] = [:]
            let today = Self.dayString(now)
            for row in history {
                let day = try row.string("day")
                guard day < today, let date = Self.day(day) else { continue }
                days[try row.string("scope_id"), default: []].append(DailyCount(day: date, ready: try row.int("ready")))
            }
            let campaigns = try await db.raw("SELECT id, name, cutover_date FROM campaigns ORDER BY name").all()
            var burnUps: [BurnUp] = []
            for row in campaigns {
                let id = try row.string("id")
                guard let cutover = Self.day(try row.string("cutover_date")) else { continue }
                let counts = byCampaignId[id] ?? .init()
                let todayPoint = DailyCount(day: Self.day(today)!, ready: counts.ready)
                burnUps.append(
                    BurnUp(
                        campaign: try row.string("name"), cutover: cutover, target: counts.total,
                        history: (days[id] ?? []) + [todayPoint]))
            }
            return FleetOverview(
                generatedAt: now, total: total, bySite: rows(site), byCampaign: rows(campaign), byTeam: rows(team),
                burnUps: burnUps)
        }
    }

    static func label(_ name: String, _ fallback: String) -> String { name.isEmpty ? fallback : name }

    /// `YYYY-MM-DD` of `date` in UTC.
    static func dayString(_ date: Date) -> String { date.formatted(dayStyle) }
    /// The UTC midnight of a `YYYY-MM-DD` day.
    static func day(_ text: String) -> Date? { try? dayStyle.parse(text) }
    static let dayStyle = Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC")!).year().month().day()

    // MARK: Equipment

    public func equipmentFunnel() async throws -> EquipmentFunnel {
        let cutoff = now().addingTimeInterval(-Double(overdueDays) * 86_400)
        let current = now()
        return try await store.withConnection { db in
            // Kept up to date with every audit entry (migration 18): the page costs the same for any fleet.
            var reached: [String: Int] = [:]
            for row in try await db.raw("SELECT state, items FROM equipment_funnel").all() {
                reached[try row.string("state")] = try row.int("items")
            }
            let requested = reached["requested"] ?? 0
            let overdue = try await db.raw(
                """
                SELECT i.agent_id, a.name, i.kind, i.model, i.carrier, i.tracking_number, i.shipped_at
                FROM equipment_items i JOIN agents a ON a.id = i.agent_id
                WHERE i.state = 'shipped' AND i.shipped_at < \(millis: cutoff)
                ORDER BY i.shipped_at, i.id LIMIT \(literal: listLimit)
                """
            ).all().map { row in
                let shipped = try row.date("shipped_at")
                return OverdueShipment(
                    agentID: try row.string("agent_id"), agentName: try row.string("name"),
                    item: Self.itemName(try row.string("kind"), try row.optionalString("model")),
                    carrier: try row.optionalString("carrier") ?? "",
                    trackingNumber: try row.optionalString("tracking_number") ?? "", shippedAt: shipped,
                    daysOverdue: max(0, Int(current.timeIntervalSince(shipped) / 86_400) - overdueDays))
            }
            let faulty = try await db.raw(
                """
                SELECT i.agent_id, a.name, i.kind, i.model, i.serial, i.updated_at,
                    (SELECT MAX(au.note) FROM equipment_audit au WHERE au.item_id = i.id AND au.to_state = 'faulty')
                        AS note
                FROM equipment_items i JOIN agents a ON a.id = i.agent_id
                WHERE i.state = 'faulty' ORDER BY i.updated_at DESC, i.id LIMIT \(literal: listLimit)
                """
            ).all().map { row in
                FaultyItem(
                    agentID: try row.string("agent_id"), agentName: try row.string("name"),
                    item: Self.itemName(try row.string("kind"), try row.optionalString("model")),
                    serial: try row.optionalString("serial") ?? "", reportedAt: try row.date("updated_at"),
                    note: try row.optionalString("note") ?? "")
            }
            return EquipmentFunnel(
                requested: requested, shipped: reached["shipped"] ?? 0, delivered: reached["delivered"] ?? 0,
                verified: reached["verified"] ?? 0, overdue: overdue, faulty: faulty)
        }
    }

    static func itemName(_ kind: String, _ model: String?) -> String {
        guard let model, !model.isEmpty else { return kind }
        return "\(kind) (\(model))"
    }

    // MARK: Agents

    static func summary(_ row: any SQLRow) throws -> AgentSummary {
        AgentSummary(
            id: try row.string("id"), employeeID: try row.string("employee_id"), name: try row.string("name"),
            site: try row.string("site"), campaign: try row.string("campaign"), team: try row.string("team"),
            readiness: readiness(try row.string("status")), lastCheck: try row.optionalDate("last_report_at"))
    }

    public func agent(id: String) async throws -> AgentDetail? {
        let now = now()
        guard
            let summary = try await store.withConnection({ db in
                try await db.raw("SELECT * FROM (\(agentRows(now: now))) x WHERE id = \(bind: id)").all().first
                    .map(Self.summary)
            })
        else { return nil }
        var reasons: [LocalizedText] = []
        var evidence: ReportSource?
        if let input = try await repository.readinessInput(agentId: id) {
            reasons = HomeReadyModel.Readiness.evaluate(input, now: now).reasons.map {
                $0.dashboardText(input: input, now: now)
            }
            evidence = input.evidence
        }
        let reports = try await store.withConnection { db in
            try await db.raw(
                """
                SELECT body FROM reports WHERE agent_id = \(bind: id) ORDER BY finished_at DESC
                LIMIT \(literal: historyLimit)
                """
            ).all().map { try $0.string("body") }
        }
        let decoder = ReportCoding.decoder()
        let decoded = reports.compactMap { try? decoder.decode(CheckReport.self, from: Data($0.utf8)) }
        let history = decoded.reversed().compactMap(Self.point)
        let remediation = Dictionary(
            (decoded.first?.findings ?? []).map { finding in
                let english = LocalizedText(translations: ["en": finding.remediation ?? finding.message])
                return (finding.id, finding.remediationText ?? (finding.remediation == nil ? finding.messageText : nil) ?? english)
            }, uniquingKeysWith: { a, _ in a })
        let (failures, equipment) = try await store.withConnection { db in
            let failures = try await db.raw(
                """
                SELECT check_id, first_failed_at, last_seen_at FROM current_check_states
                WHERE agent_id = \(bind: id) AND check_id LIKE 'posture%' AND status IN ('fail', 'error')
                ORDER BY check_id
                """
            ).all().map { row in
                let check = try row.string("check_id")
                return PostureFailure(
                    check: check, failingSince: try row.optionalDate("first_failed_at") ?? row.date("last_seen_at"),
                    remediation: remediation[check] ?? LocalizedText(translations: [:]))
            }
            let equipment = try await db.raw(
                """
                SELECT au.at, au.to_state, au.note, i.kind, i.model, i.serial, i.carrier, i.tracking_number
                FROM equipment_audit au JOIN equipment_items i ON i.id = au.item_id
                WHERE i.agent_id = \(bind: id) ORDER BY au.at, au.id
                """
            ).all().compactMap { row -> EquipmentTimelineEntry? in
                guard let stage = EquipmentState(rawValue: try row.string("to_state")) else { return nil }
                var note = try row.optionalString("note") ?? ""
                if stage == .shipped, note.isEmpty {
                    note = [try row.optionalString("carrier"), try row.optionalString("tracking_number")]
                        .compactMap { $0 }.joined(separator: " ")
                }
                return EquipmentTimelineEntry(
                    at: try row.date("at"), item: Self.itemName(try row.string("kind"), try row.optionalString("model")),
                    serial: try row.optionalString("serial") ?? "", stage: stage, note: note)
            }
            return (failures, equipment)
        }
        return AgentDetail(
            summary: summary, reasons: reasons, history: history, postureFailures: failures, equipment: equipment,
            evidence: evidence, preferredLanguage: try await preferredLanguage(agentId: id))
    }

    /// The agent's language from the roster; nil when not set.
    func preferredLanguage(agentId: String) async throws -> Language? {
        try await store.withConnection { db in
            try await db.raw("SELECT language FROM agents WHERE id = \(bind: agentId)").all().first?
                .optionalString("language").flatMap(Language.init(tag:))
        }
    }

    /// The chart values of one report; nil when it has no network section.
    static func point(_ report: CheckReport) -> ReportPoint? {
        guard let network = report.network else { return nil }
        let loaded = [network.latencyLoadedDownMs?.p50, network.latencyLoadedUpMs?.p50].compactMap { $0 }.max()
        return ReportPoint(
            at: report.finishedAt, downloadMbps: network.downloadMbps ?? 0, uploadMbps: network.uploadMbps ?? 0,
            latencyIdleMs: network.latencyIdleMs?.p50 ?? 0, latencyLoadedMs: loaded ?? 0,
            jitterMs: network.jitterMs ?? 0, mos: report.voice?.mos ?? 0, passed: report.verdict.passes,
            fromBrowser: report.source == .browser)
    }

    // MARK: Capacity

    public func capacityInputs() async throws -> [CapacityInput] {
        let now = now()
        return try await store.withConnection { db in
            var byCampaign: [String: ReadinessCounts] = [:]
            for cell in try await SQLRepository.readinessCells(now: now, on: db) {
                if let id = cell.campaignId { byCampaign[id, default: .init()] += cell.counts }
            }
            return try await db.raw(
                """
                SELECT c.id, c.name, f.calls_per_interval, f.interval_seconds, f.aht_seconds, f.service_level,
                    f.answer_within_seconds, f.shrinkage
                FROM campaigns c LEFT JOIN campaign_forecasts f ON f.campaign_id = c.id ORDER BY c.name
                """
            ).all().map { row in
                var forecast: CapacityForecast?
                if let calls = try row.decode(column: "calls_per_interval", as: Double?.self) {
                    forecast = CapacityForecast(
                        callsPerInterval: calls, intervalSeconds: try row.decode(column: "interval_seconds", as: Double.self),
                        ahtSeconds: try row.decode(column: "aht_seconds", as: Double.self),
                        serviceLevel: try row.decode(column: "service_level", as: Double.self),
                        targetSeconds: try row.decode(column: "answer_within_seconds", as: Double.self),
                        shrinkage: try row.decode(column: "shrinkage", as: Double.self))
                }
                let counts = byCampaign[try row.string("id")] ?? .init()
                return CapacityInput(
                    campaign: try row.string("name"), readyAgents: counts.ready, headcount: counts.total,
                    forecast: forecast)
            }
        }
    }

    // MARK: Alerts

    /// An alert is a check that passed before and fails now (`last_passed_at` set, status `fail`); its id names
    /// the agent, the check and when it started failing, so a new regression after a fix is a new alert.
    public func alerts() async throws -> [DashboardAlert] {
        try await store.withConnection { db in
            try await db.raw(
                """
                SELECT cs.agent_id, a.name, cs.check_id, cs.first_failed_at, cs.last_passed_at, cs.last_seen_at,
                    ack.acknowledged_by
                FROM check_states cs JOIN agents a ON a.id = cs.agent_id
                LEFT JOIN dashboard_alert_acks ack ON ack.alert_id =
                    cs.agent_id || '~' || cs.check_id || '~' || CAST(COALESCE(cs.first_failed_at, cs.last_seen_at) AS TEXT)
                WHERE cs.status = 'fail' AND cs.last_passed_at IS NOT NULL
                ORDER BY COALESCE(cs.first_failed_at, cs.last_seen_at) DESC, cs.agent_id LIMIT \(literal: listLimit)
                """
            ).all().map(Self.alert)
        }
    }

    static func alert(_ row: any SQLRow) throws -> DashboardAlert {
        let agentId = try row.string("agent_id"), check = try row.string("check_id")
        let failedMillis = try row.optionalInt64("first_failed_at")
            ?? row.decode(column: "last_seen_at", as: Int64.self)
        let lastPassed = try row.date("last_passed_at")
        let link = ["network", "voice", "vpn"].contains { check.hasPrefix($0) }
        let since = Clock.date(failedMillis)
        return DashboardAlert(
            id: "\(agentId)~\(check)~\(failedMillis)", agentID: agentId, agentName: try row.string("name"),
            kind: link ? .linkRegressed : .postureNewlyFailing,
            detail: LocalizedText(
                "dashboard.detail.check_failing",
                ["check": .text(check), "passed": .date(lastPassed)]),
            raisedAt: since, acknowledgedBy: try row.optionalString("acknowledged_by"))
    }

    public func acknowledgeAlert(id: String, by user: String) async throws -> Bool {
        let parts = id.split(separator: "~", maxSplits: 2).map(String.init)
        guard parts.count == 3, let millis = Int64(parts[2]) else { return false }
        let exists = try await store.withConnection { db in
            !(try await db.raw(
                """
                SELECT agent_id FROM check_states WHERE agent_id = \(bind: parts[0]) AND check_id = \(bind: parts[1])
                    AND status = 'fail' AND last_passed_at IS NOT NULL
                    AND COALESCE(first_failed_at, last_seen_at) = \(literal: millis)
                """
            ).all().isEmpty)
        }
        guard exists else { return false }
        _ = try await repository.acknowledgeDashboardAlert(id: id, by: user, at: now())
        return true
    }

    // MARK: DashboardUserStore

    public func user(named name: String) async throws -> DashboardUser? {
        try await repository.dashboardUser(named: name)
    }

    public func createSession(_ session: DashboardSession) async throws {
        try await repository.createDashboardSession(session)
    }

    public func session(id: String) async throws -> DashboardSession? {
        try await repository.dashboardSession(id: id)
    }

    public func deleteSession(id: String) async throws {
        try await repository.deleteDashboardSession(id: id, now: now())
    }
}
