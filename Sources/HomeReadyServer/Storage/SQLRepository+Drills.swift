import Foundation
import HomeReadyDashboard
import HomeReadyModel
import SQLKit

/// A drill to start: its scope names a campaign or a site by id or name.
struct NewDrill: Sendable {
    enum Scope: Sendable, Equatable {
        case campaign(String)
        case site(String)

        var type: String {
            switch self {
            case .campaign: "campaign"
            case .site: "site"
            }
        }

        /// The request field that names it.
        var field: String {
            switch self {
            case .campaign: "campaign_id"
            case .site: "site_id"
            }
        }

        var key: String {
            switch self {
            case .campaign(let key), .site(let key): key
            }
        }
    }

    var scope: Scope
    var deadlineMinutes: Int
    /// 0…1, kept in thousandths.
    var targetReadyShare: Double
    var name: String?
    var createdBy: String?
}

/// A stored drill row.
struct DrillRow: Sendable {
    var id: String
    var name: String?
    var scope: DrillScope
    var startedAt: Date
    var deadlineAt: Date
    var closesAt: Date
    var targetPermille: Int
    var agents: Int
    var createdBy: String?

    var deadlineMinutes: Int { Int((deadlineAt.timeIntervalSince(startedAt) / 60).rounded()) }
    var target: Double { Double(targetPermille) / 1000 }
}

extension SQLRepository {
    /// Starts a drill at `now`: fixes the agents in scope (`drill_agents`), then sends each of them a
    /// `drill_started` instruction that expires when the drill closes. A campaign drill sends one instruction to
    /// the campaign through the instructions fan-out; a site drill one per agent (instructions have no site
    /// target), all in one transaction. Throws `badReference` for an unknown campaign or site and `invalidValue`
    /// for a scope without agents.
    func startDrill(_ new: NewDrill, now: Date) async throws -> DrillRow {
        let id = Self.newID()
        let field = new.scope.field
        let startedAt = Clock.date(Clock.millis(now))
        let deadlineAt = startedAt.addingTimeInterval(Double(new.deadlineMinutes) * 60)
        let closesAt = startedAt.addingTimeInterval(Double(new.deadlineMinutes) * 120)
        let permille = Int((new.targetReadyShare * 1000).rounded())
        let row = try await writing(field: field) { db -> DrillRow in
            let table: SQLQueryString = new.scope.type == "campaign" ? "campaigns" : "sites"
            guard
                let found = try await db.raw(
                    """
                    SELECT id, name FROM \(table) WHERE id = \(bind: new.scope.key) OR name = \(bind: new.scope.key)
                    ORDER BY id LIMIT 1
                    """
                ).all().first
            else {
                throw StorageError.badReference(
                    field: field, "no \(new.scope.type) with id or name \"\(new.scope.key)\"")
            }
            let scopeId = try found.string("id")
            let scopeName = try found.string("name")
            try await db.raw(
                """
                INSERT INTO drills (id, name, scope_type, scope_id, started_at, deadline_at, closes_at, target_permille,
                    agents, created_by)
                VALUES (\(bind: id), \(bind: new.name), \(bind: new.scope.type), \(bind: scopeId), \(millis: startedAt),
                        \(millis: deadlineAt), \(millis: closesAt), \(literal: permille), 0, \(bind: new.createdBy))
                """
            ).run()
            let column: SQLQueryString = new.scope.type == "campaign" ? "campaign_id" : "site_id"
            try await db.raw(
                """
                INSERT INTO drill_agents (drill_id, agent_id)
                SELECT \(bind: id), id FROM agents WHERE \(column) = \(bind: scopeId)
                """
            ).run()
            let count =
                try await db.raw("SELECT COUNT(*) AS n FROM drill_agents WHERE drill_id = \(bind: id)")
                .all().first?.int("n") ?? 0
            guard count > 0 else {
                throw StorageError.badReference(
                    field: field, "\(new.scope.type) \"\(scopeName)\" has no agents: there is nobody to drill")
            }
            try await db.raw("UPDATE drills SET agents = \(literal: count) WHERE id = \(bind: id)").run()
            if case .site = new.scope {
                try await Self.sendDrillInstructions(
                    drillId: id, expiresAt: closesAt, by: new.createdBy, now: now, on: db)
            }
            return DrillRow(
                id: id, name: new.name, scope: DrillScope(type: new.scope.type, id: scopeId, name: scopeName),
                startedAt: startedAt, deadlineAt: deadlineAt, closesAt: closesAt, targetPermille: permille,
                agents: count, createdBy: new.createdBy)
        }
        if case .campaign = new.scope {
            do {
                let sent = try await sendInstruction(
                    NewInstruction(
                        kind: .drillStarted, text: nil, texts: nil, drillId: id, target: .campaign(row.scope.id),
                        expiresAt: closesAt, createdBy: new.createdBy),
                    now: now)
                try await writing(field: nil) { db in
                    try await db.raw("UPDATE drills SET instruction_id = \(bind: sent.id) WHERE id = \(bind: id)").run()
                }
            } catch {
                // No drill the agents were never asked to answer.
                try? await writing(field: nil) { db in
                    try await db.raw("DELETE FROM drill_agents WHERE drill_id = \(bind: id)").run()
                    try await db.raw("DELETE FROM drills WHERE id = \(bind: id)").run()
                }
                throw error
            }
        }
        logger.info(
            "drill.started",
            metadata: ["drill.id": "\(id)", "drill.scope": "\(new.scope.type)", "drill.agents": "\(row.agents)"])
        return row
    }

    /// One `drill_started` instruction per agent of the drill (id `DRILL:AGENT`), their deliveries and poll states
    /// moved, as `sendInstruction` does for one target.
    private static func sendDrillInstructions(
        drillId: String, expiresAt: Date, by: String?, now: Date, on db: any SQLDatabase
    ) async throws {
        try await db.raw(
            """
            INSERT INTO instructions (id, kind, text, texts, drill_id, target_type, target_id, recipients,
                created_at, created_by, expires_at)
            SELECT \(bind: drillId) || ':' || agent_id, 'drill_started', NULL, NULL, \(bind: drillId), 'agent',
                agent_id, 1, \(millis: now), \(bind: by), \(millis: expiresAt)
            FROM drill_agents WHERE drill_id = \(bind: drillId)
            """
        ).run()
        try await db.raw(
            """
            INSERT INTO instruction_deliveries (agent_id, instruction_id, expires_at)
            SELECT agent_id, \(bind: drillId) || ':' || agent_id, \(millis: expiresAt)
            FROM drill_agents WHERE drill_id = \(bind: drillId)
            """
        ).run()
        try await db.raw(
            """
            INSERT INTO agent_instruction_state (agent_id, version, next_expiry_at)
            SELECT agent_id, 1, \(millis: expiresAt) FROM drill_agents WHERE drill_id = \(bind: drillId)
            ON CONFLICT (agent_id) DO UPDATE SET
                version = agent_instruction_state.version + 1,
                next_expiry_at = CASE
                    WHEN agent_instruction_state.next_expiry_at IS NULL THEN excluded.next_expiry_at
                    WHEN excluded.next_expiry_at < agent_instruction_state.next_expiry_at
                        THEN excluded.next_expiry_at
                    ELSE agent_instruction_state.next_expiry_at END
            """
        ).run()
    }

    private static let drillColumns: SQLQueryString = """
        d.id, d.name, d.scope_type, d.scope_id, d.started_at, d.deadline_at, d.closes_at, d.target_permille,
        d.agents, d.created_by, COALESCE(c.name, s.name, d.scope_id) AS scope_name
        FROM drills d
        LEFT JOIN campaigns c ON d.scope_type = 'campaign' AND c.id = d.scope_id
        LEFT JOIN sites s ON d.scope_type = 'site' AND s.id = d.scope_id
        """

    private static func drillRow(_ row: any SQLRow) throws -> DrillRow {
        DrillRow(
            id: try row.string("id"), name: try row.optionalString("name"),
            scope: DrillScope(
                type: try row.string("scope_type"), id: try row.string("scope_id"), name: try row.string("scope_name")),
            startedAt: try row.date("started_at"), deadlineAt: try row.date("deadline_at"),
            closesAt: try row.date("closes_at"), targetPermille: try row.int("target_permille"),
            agents: try row.int("agents"), createdBy: try row.optionalString("created_by"))
    }

    /// Drills, newest first.
    func drillRows(limit: Int) async throws -> [DrillRow] {
        try await store.withConnection { db in
            try await db.raw(
                "SELECT \(Self.drillColumns) ORDER BY d.started_at DESC, d.id DESC LIMIT \(literal: limit)"
            ).all().map(Self.drillRow)
        }
    }

    func drillRow(id: String) async throws -> DrillRow? {
        try await store.withConnection { db in
            try await db.raw("SELECT \(Self.drillColumns) WHERE d.id = \(bind: id)").all().first.map(Self.drillRow)
        }
    }

    /// The reports of the drill's agents received from its start until `until`, each with its readiness by the
    /// server's verdict and the agent's equipment.
    func drillReports(_ drill: DrillRow, until: Date) async throws -> [DrillReport] {
        try await store.withConnection { db in
            try await db.raw(
                """
                SELECT r.agent_id, r.report_id, r.received_at, r.verdict, a.equipment_status
                FROM drill_agents da
                JOIN reports r ON r.agent_id = da.agent_id
                JOIN agents a ON a.id = da.agent_id
                WHERE da.drill_id = \(bind: drill.id) AND r.received_at >= \(millis: drill.startedAt)
                    AND r.received_at <= \(millis: until)
                ORDER BY r.received_at, r.report_id
                """
            ).all().map { row in
                DrillReport(
                    agentId: try row.string("agent_id"), reportId: try row.string("report_id"),
                    receivedAt: try row.date("received_at"),
                    status: DrillProgress.status(
                        verdict: try row.string("verdict"), equipment: try row.string("equipment_status")))
            }
        }
    }

    /// Agents of the drill without a report since its start (up to `limit`, by employee id), with when one of
    /// their devices fetched the drill's instruction.
    func drillSilentAgents(_ drill: DrillRow, until: Date, limit: Int = 1000) async throws -> [DrillSilentAgent] {
        try await store.withConnection { db in
            try await db.raw(
                """
                SELECT a.id, a.employee_id, a.name,
                    (SELECT MIN(dl.fetched_at) FROM instruction_deliveries dl
                     JOIN instructions i ON i.id = dl.instruction_id
                     WHERE i.drill_id = \(bind: drill.id) AND dl.agent_id = a.id) AS fetched_at
                FROM drill_agents da JOIN agents a ON a.id = da.agent_id
                WHERE da.drill_id = \(bind: drill.id) AND NOT EXISTS (
                    SELECT 1 FROM reports r WHERE r.agent_id = da.agent_id
                        AND r.received_at >= \(millis: drill.startedAt) AND r.received_at <= \(millis: until))
                ORDER BY a.employee_id LIMIT \(literal: limit)
                """
            ).all().map { row in
                DrillSilentAgent(
                    agentId: try row.string("id"), employeeId: try row.string("employee_id"),
                    name: try row.string("name"), instructionFetchedAt: try row.optionalDate("fetched_at"))
            }
        }
    }

    /// What keeps the agents whose latest drill report is not ready from ready, grouped by cause, most agents
    /// first: each failing check of the server's judgement (the agent's current check states, which are the
    /// latest report's), why the server could not count a report, and missing or unverified equipment.
    func drillCauses(_ reports: [DrillReport]) async throws -> [DrillCause] {
        let notReady = reports.filter { $0.status != .ready }
        guard !notReady.isEmpty else { return [] }
        var agents: [String: Set<String>] = [:]
        var examples: [String: String] = [:]
        var employees: [String: String] = [:]
        try await store.withConnection { db in
            for chunk in notReady.chunked(by: 500) {
                let ids = chunk.map(\.reportId)
                for row in try await db.raw(
                    """
                    SELECT r.agent_id, r.verdict, r.verdict_reason, a.employee_id, a.equipment_status
                    FROM reports r JOIN agents a ON a.id = r.agent_id WHERE r.report_id IN (\(binds: ids))
                    """
                ).all() {
                    let agent = try row.string("agent_id")
                    employees[agent] = try row.string("employee_id")
                    if try row.string("verdict") == "incomplete" {
                        agents["verdict.incomplete", default: []].insert(agent)
                        if examples["verdict.incomplete"] == nil {
                            examples["verdict.incomplete"] = try row.optionalString("verdict_reason")
                        }
                    }
                    let equipment = try row.string("equipment_status")
                    if equipment != "complete" { agents["equipment.\(equipment)", default: []].insert(agent) }
                }
                let agentIds = chunk.map(\.agentId)
                for row in try await db.raw(
                    """
                    SELECT agent_id, check_id, status FROM current_check_states
                    WHERE agent_id IN (\(binds: agentIds)) AND status IN ('fail', 'error', 'warn', 'inconclusive')
                    """
                ).all() {
                    let check = try row.string("check_id")
                    agents[check, default: []].insert(try row.string("agent_id"))
                    if examples[check] == nil { examples[check] = try row.string("status") }
                }
            }
        }
        return agents.map { cause, members in
            DrillCause(
                cause: cause, agents: members.count, example: examples[cause],
                employeeIds: Array(members.compactMap { employees[$0] }.sorted().prefix(20)))
        }.sorted { ($1.agents, $0.cause) < ($0.agents, $1.cause) }
    }

    /// Campaigns and sites by name, for the start form.
    func drillScopes() async throws -> (campaigns: [(id: String, name: String)], sites: [(id: String, name: String)]) {
        try await store.withConnection { db in
            let campaigns = try await db.raw("SELECT id, name FROM campaigns ORDER BY name").all()
                .map { (id: try $0.string("id"), name: try $0.string("name")) }
            let sites = try await db.raw("SELECT id, name FROM sites ORDER BY name").all()
                .map { (id: try $0.string("id"), name: try $0.string("name")) }
            return (campaigns, sites)
        }
    }
}
