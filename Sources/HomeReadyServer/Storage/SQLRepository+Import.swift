import Foundation
import HomeReadyModel
import SQLKit

extension SQLRepository {
    /// Imports roster rows in one transaction: creates or updates by employee id, resolving site, campaign, team
    /// and role by name. Any bad row (an unknown name) means nothing is written; `dryRun` never writes.
    public func importRoster(_ rows: [RosterRow], dryRun: Bool) async throws -> ImportResult {
        try await importing(dryRun: dryRun) { db, tally in
            func names(_ table: String) async throws -> [String: String] {
                var map: [String: String] = [:]
                for row in try await db.raw("SELECT id, name FROM \(ident: table)").all() {
                    map[try row.string("name")] = try row.string("id")
                }
                return map
            }
            let sites = try await names("sites")
            let campaigns = try await names("campaigns")
            let teams = try await names("teams")
            let roles = try await names("roles")
            var existing: Set<String> = []
            for row in try await db.raw("SELECT employee_id FROM agents").all() {
                existing.insert(try row.string("employee_id"))
            }
            for row in rows {
                func resolve(_ value: String?, _ map: [String: String], _ column: String) -> String? {
                    guard let value else { return nil }
                    if let id = map[value] { return id }
                    tally.errors.append(.init(line: row.line, column: column, message: "no \(column) named \"\(value)\""))
                    return nil
                }
                let before = tally.errors.count
                let site = resolve(row.site, sites, "site")
                let campaign = resolve(row.campaign, campaigns, "campaign")
                let team = resolve(row.team, teams, "team")
                let role = resolve(row.role, roles, "role")
                guard tally.errors.count == before, tally.errors.isEmpty else { continue }
                let result = try await db.raw(
                    """
                    INSERT INTO agents (
                        id, employee_id, name, contact, site_id, campaign_id, team_id, role_id, language, created_at)
                    VALUES (\(bind: Self.newID()), \(bind: row.employeeId), \(bind: row.name), \(bind: row.contact),
                            \(bind: site), \(bind: campaign), \(bind: team), \(bind: role), \(bind: row.language),
                            \(millis: Date()))
                    ON CONFLICT (employee_id) DO UPDATE SET name = excluded.name, contact = excluded.contact,
                        language = excluded.language,
                        site_id = excluded.site_id, campaign_id = excluded.campaign_id, team_id = excluded.team_id,
                        role_id = excluded.role_id
                    RETURNING id
                    """
                ).all()
                guard let inserted = result.first else { continue }
                tally.count(created: !existing.contains(row.employeeId))
                try await Self.refreshEquipmentStatus(agentId: try inserted.string("id"), on: db)
                // The supervisor, coordinator and director for escalations (issue 20), when the row names them.
                try await Self.storeEscalationContacts(row, agentId: try inserted.string("id"), on: db)
            }
        }
    }

    /// Readiness of every agent as CSV with each check's last status as a column.
    public func exportReadinessCSV(now: Date) async throws -> String {
        try await store.withConnection { db in
            let checkIds = try await db.raw("SELECT DISTINCT check_id FROM check_states ORDER BY check_id").all()
                .map { try $0.string("check_id") }
            var out = CSV.line(
                ["employee_id", "name", "site", "campaign", "team", "status", "evidence", "reasons", "explanation"] + checkIds)
            let agents = try await db.raw(
                """
                SELECT a.id, a.employee_id, a.name, s.name AS site, c.name AS campaign, t.name AS team
                FROM agents a LEFT JOIN sites s ON s.id = a.site_id LEFT JOIN campaigns c ON c.id = a.campaign_id
                LEFT JOIN teams t ON t.id = a.team_id ORDER BY a.employee_id
                """
            ).all()
            var states: [String: [String: String]] = [:]
            for row in try await db.raw("SELECT agent_id, check_id, status FROM check_states").all() {
                states[try row.string("agent_id"), default: [:]][try row.string("check_id")] = try row.string("status")
            }
            for row in agents {
                let id = try row.string("id")
                guard let input = try await self.readinessInput(agentId: id) else { continue }
                let (status, reasons) = Readiness.evaluate(input, now: now)
                out += CSV.line(
                    [try row.string("employee_id"), try row.string("name"), try row.optionalString("site") ?? "",
                     try row.optionalString("campaign") ?? "", try row.optionalString("team") ?? "", status.rawValue,
                     input.evidence?.rawValue ?? "", reasons.map(\.code).joined(separator: ";"),
                     reasons.map(\.message).joined(separator: "; ")]
                        + checkIds.map { states[id]?[$0] ?? "" })
            }
            return out
        }
    }

    /// Every equipment item as CSV.
    public func exportEquipmentCSV() async throws -> String {
        try await store.withConnection { db in
            var out = CSV.line([
                "asset_tag", "kind", "model", "serial", "employee_id", "state", "carrier", "tracking_number",
                "shipped_at", "delivered_at",
            ])
            let rows = try await db.raw(
                """
                SELECT e.asset_tag, e.kind, e.model, e.serial, a.employee_id, e.state, e.carrier, e.tracking_number,
                       e.shipped_at, e.delivered_at
                FROM equipment_items e LEFT JOIN agents a ON a.id = e.agent_id ORDER BY e.asset_tag, e.id
                """
            ).all()
            let format = ISO8601DateFormatter()
            for row in rows {
                out += CSV.line([
                    try row.optionalString("asset_tag") ?? "", try row.string("kind"), try row.optionalString("model") ?? "",
                    try row.optionalString("serial") ?? "", try row.optionalString("employee_id") ?? "",
                    try row.string("state"), try row.optionalString("carrier") ?? "",
                    try row.optionalString("tracking_number") ?? "",
                    try row.optionalDate("shipped_at").map(format.string) ?? "",
                    try row.optionalDate("delivered_at").map(format.string) ?? "",
                ])
            }
            return out
        }
    }
}
