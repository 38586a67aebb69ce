import Foundation
import HomeReadyModel
import SQLKit

extension SQLRepository {
    public func createSite(name: String, timezone: String?) async throws -> SiteRecord {
        let site = SiteRecord(id: Self.newID(), name: name, timezone: timezone)
        try await writing(field: "name") { db in
            try await db.raw(
                """
                INSERT INTO sites (id, name, timezone, created_at)
                VALUES (\(bind: site.id), \(bind: name), \(bind: timezone), \(millis: Date()))
                """
            ).run()
        }
        return site
    }

    public func sites(after: String?, limit: Int) async throws -> [SiteRecord] {
        try await store.withConnection { db in
            try await db.raw("SELECT id, name, timezone FROM sites WHERE 1 = 1 \(Self.page(after, limit))").all().map {
                SiteRecord(id: try $0.string("id"), name: try $0.string("name"), timezone: try $0.optionalString("timezone"))
            }
        }
    }

    public func createCampaign(name: String, profileId: String, cutoverDate: String, freshnessHours: Int) async throws
        -> CampaignRecord
    {
        let campaign = CampaignRecord(
            id: Self.newID(), name: name, profileId: profileId, cutoverDate: cutoverDate, freshnessHours: freshnessHours)
        try await writing(field: "name") { db in
            try await db.raw(
                """
                INSERT INTO campaigns (id, name, profile_id, cutover_date, freshness_hours, created_at)
                VALUES (\(bind: campaign.id), \(bind: name), \(bind: profileId), \(bind: cutoverDate),
                        \(literal: freshnessHours), \(millis: Date()))
                """
            ).run()
        }
        return campaign
    }

    static let campaignColumns: SQLQueryString =
        "id, name, profile_id, cutover_date, freshness_hours, profile_grace_hours, browser_reports_count"

    static func campaign(_ row: any SQLRow) throws -> CampaignRecord {
        CampaignRecord(
            id: try row.string("id"), name: try row.string("name"), profileId: try row.string("profile_id"),
            cutoverDate: try row.string("cutover_date"), freshnessHours: try row.int("freshness_hours"),
            profileGraceHours: try row.int("profile_grace_hours"),
            browserReportsCount: try row.int("browser_reports_count") != 0)
    }

    public func updateCampaign(id: String, profileGraceHours: Int?, browserReportsCount: Bool?) async throws
        -> CampaignRecord?
    {
        try await writing(field: nil) { db in
            try await db.raw(
                """
                UPDATE campaigns SET
                    profile_grace_hours = COALESCE(\(bind: profileGraceHours), profile_grace_hours),
                    browser_reports_count = COALESCE(\(bind: browserReportsCount.map { $0 ? 1 : 0 }), browser_reports_count)
                WHERE id = \(bind: id)
                """
            ).run()
            return try await db.raw("SELECT \(Self.campaignColumns) FROM campaigns WHERE id = \(bind: id)")
                .all().first.map(Self.campaign)
        }
    }

    public func campaign(id: String) async throws -> CampaignRecord? {
        try await store.withConnection { db in
            try await db.raw(
                "SELECT \(Self.campaignColumns) FROM campaigns WHERE id = \(bind: id)"
            ).all().first.map(Self.campaign)
        }
    }

    public func campaigns(after: String?, limit: Int) async throws -> [CampaignRecord] {
        try await store.withConnection { db in
            try await db.raw(
                "SELECT \(Self.campaignColumns) FROM campaigns WHERE 1 = 1 \(Self.page(after, limit))"
            ).all().map(Self.campaign)
        }
    }

    public func createTeam(name: String, siteId: String?) async throws -> TeamRecord {
        let team = TeamRecord(id: Self.newID(), name: name, siteId: siteId)
        try await writing(field: "name") { db in
            try await db.raw(
                """
                INSERT INTO teams (id, name, site_id, created_at)
                VALUES (\(bind: team.id), \(bind: name), \(bind: siteId), \(millis: Date()))
                """
            ).run()
        }
        return team
    }

    public func teams(after: String?, limit: Int) async throws -> [TeamRecord] {
        try await store.withConnection { db in
            try await db.raw("SELECT id, name, site_id FROM teams WHERE 1 = 1 \(Self.page(after, limit))").all().map {
                TeamRecord(id: try $0.string("id"), name: try $0.string("name"), siteId: try $0.optionalString("site_id"))
            }
        }
    }

    public func createRole(name: String, kit: [String]) async throws -> RoleRecord {
        let role = RoleRecord(id: Self.newID(), name: name, kit: Array(Set(kit)).sorted())
        try await writing(field: "name") { db in
            try await db.raw(
                "INSERT INTO roles (id, name, created_at) VALUES (\(bind: role.id), \(bind: name), \(millis: Date()))"
            ).run()
            for kind in role.kit {
                try await db.raw("INSERT INTO role_kit (role_id, kind) VALUES (\(bind: role.id), \(bind: kind))").run()
            }
        }
        return role
    }

    public func roles(after: String?, limit: Int) async throws -> [RoleRecord] {
        try await store.withConnection { db in
            let rows = try await db.raw("SELECT id, name FROM roles WHERE 1 = 1 \(Self.page(after, limit))").all()
            var roles: [RoleRecord] = []
            for row in rows {
                let id = try row.string("id")
                let kit = try await db.raw("SELECT kind FROM role_kit WHERE role_id = \(bind: id) ORDER BY kind").all()
                    .map { try $0.string("kind") }
                roles.append(RoleRecord(id: id, name: try row.string("name"), kit: kit))
            }
            return roles
        }
    }

    // MARK: Agents

    static let agentColumns: SQLQueryString = """
        id, employee_id, name, contact, site_id, campaign_id, team_id, role_id, last_report_at, last_verdict,
        equipment_status, language
        """

    static func agent(_ row: any SQLRow) throws -> AgentRecord {
        AgentRecord(
            id: try row.string("id"), employeeId: try row.string("employee_id"), name: try row.string("name"),
            contact: try row.optionalString("contact"), siteId: try row.optionalString("site_id"),
            campaignId: try row.optionalString("campaign_id"), teamId: try row.optionalString("team_id"),
            roleId: try row.optionalString("role_id"), lastReportAt: try row.optionalDate("last_report_at"),
            lastVerdict: try row.optionalString("last_verdict").flatMap(Verdict.init(rawValue:)),
            equipmentStatus: EquipmentReadiness(rawValue: try row.string("equipment_status")) ?? .missing,
            language: try row.optionalString("language"))
    }

    public func createAgent(_ agent: NewAgent) async throws -> AgentRecord {
        let id = Self.newID()
        return try await writing(field: "employee_id") { db in
            try await db.raw(
                """
                INSERT INTO agents (
                    id, employee_id, name, contact, site_id, campaign_id, team_id, role_id, language, created_at)
                VALUES (\(bind: id), \(bind: agent.employeeId), \(bind: agent.name), \(bind: agent.contact),
                        \(bind: agent.siteId), \(bind: agent.campaignId), \(bind: agent.teamId), \(bind: agent.roleId),
                        \(bind: agent.language), \(millis: Date()))
                """
            ).run()
            try await Self.refreshEquipmentStatus(agentId: id, on: db)
            guard let row = try await db.raw("SELECT \(Self.agentColumns) FROM agents WHERE id = \(bind: id)").all().first
            else { throw ServerError.storage("agent vanished after insert") }
            return try Self.agent(row)
        }
    }

    public func agent(id: String) async throws -> AgentRecord? {
        try await store.withConnection { db in
            try await db.raw("SELECT \(Self.agentColumns) FROM agents WHERE id = \(bind: id)").all().first.map(Self.agent)
        }
    }

    public func agent(employeeId: String) async throws -> AgentRecord? {
        try await store.withConnection { db in
            try await db.raw("SELECT \(Self.agentColumns) FROM agents WHERE employee_id = \(bind: employeeId)").all()
                .first.map(Self.agent)
        }
    }

    public func agents(after: String?, limit: Int) async throws -> [AgentRecord] {
        try await store.withConnection { db in
            try await db.raw("SELECT \(Self.agentColumns) FROM agents WHERE 1 = 1 \(Self.page(after, limit))").all()
                .map(Self.agent)
        }
    }

    /// Required kinds and live items of an agent.
    static func kitAndItems(agentId: String, on db: any SQLDatabase) async throws
        -> (kinds: [String], items: [(kind: String, state: EquipmentState)])
    {
        let kinds = try await db.raw(
            """
            SELECT k.kind FROM agents a JOIN role_kit k ON k.role_id = a.role_id WHERE a.id = \(bind: agentId)
            ORDER BY k.kind
            """
        ).all().map { try $0.string("kind") }
        let items = try await db.raw(
            """
            SELECT kind, state FROM equipment_items
            WHERE agent_id = \(bind: agentId) AND state NOT IN ('returned', 'lost', 'faulty')
            """
        ).all().map { (kind: try $0.string("kind"), state: EquipmentState(rawValue: try $0.string("state")) ?? .requested) }
        return (kinds, items)
    }

    /// Recomputes the agent's denormalised equipment status (kept so roll-ups stay one grouped query).
    static func refreshEquipmentStatus(agentId: String, on db: any SQLDatabase) async throws {
        let (kinds, items) = try await kitAndItems(agentId: agentId, on: db)
        let status = EquipmentReadiness.of(requiredKinds: kinds, items: items)
        try await db.raw("UPDATE agents SET equipment_status = \(bind: status.rawValue) WHERE id = \(bind: agentId)").run()
    }
}
