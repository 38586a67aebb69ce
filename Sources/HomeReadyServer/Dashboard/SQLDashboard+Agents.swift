import Foundation
import HomeReadyDashboard
import HomeReadyModel
import SQLKit

extension SQLDashboard {
    /// One keyset page of the agent list in name order (index `agents_name`, migration 19): the page reads at most
    /// `pageSize + 1` agents past its cursor, and the total comes from the roll-up's cells unless a search is typed.
    public func agents(matching query: AgentQuery) async throws -> AgentPage {
        let now = now()
        return try await store.withConnection { db in
            let names = try await ScopeNames.read(on: db)
            var filter: SQLQueryString = "1 = 1"
            // A filter names a site, campaign or team; one that does not exist matches nobody.
            var cellFilter: [(ReadinessCell) -> Bool] = []
            func scope(_ name: String?, _ ids: [String: String], _ column: String, _ cellId: KeyPath<ReadinessCell, String?>) {
                guard let name else { return }
                if let id = ids.first(where: { $0.value == name })?.key {
                    filter += " AND a.\(ident: column) = \(bind: id)"
                    cellFilter.append { $0[keyPath: cellId] == id }
                } else {
                    filter += " AND 1 = 0"
                    cellFilter.append { _ in false }
                }
            }
            scope(query.site, names.sites, "site_id", \.siteId)
            scope(query.campaign, names.campaigns, "campaign_id", \.campaignId)
            scope(query.team, names.teams, "team_id", \.teamId)
            if let readiness = query.readiness {
                filter += " AND \(SQLRepository.statusExpression(now: now)) = \(bind: readiness.rawValue)"
            }
            let needle = query.search.trimmingCharacters(in: .whitespaces).lowercased()
            if !needle.isEmpty {
                let pattern = "%" + needle.replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "") + "%"
                filter += """
                     AND (LOWER(a.name) LIKE \(bind: pattern) OR LOWER(a.employee_id) LIKE \(bind: pattern)
                        OR LOWER(a.id) LIKE \(bind: pattern))
                    """
            }
            let total: Int
            if needle.isEmpty {
                total = try await SQLRepository.readinessCells(now: now, on: db)
                    .filter { cell in cellFilter.allSatisfy { $0(cell) } }
                    .reduce(0) { sum, cell in sum + (query.readiness.map { cell.counts[$0] } ?? cell.counts.total) }
            } else {
                total = try await db.raw(
                    "SELECT COUNT(*) AS n FROM agents a LEFT JOIN campaigns c ON c.id = a.campaign_id WHERE \(filter)"
                ).all().first?.int("n") ?? 0
            }
            let select: SQLQueryString = """
                SELECT a.id, a.employee_id, a.name, a.last_report_at, a.site_id, a.campaign_id, a.team_id,
                    \(SQLRepository.statusExpression(now: now)) AS status
                FROM agents a LEFT JOIN campaigns c ON c.id = a.campaign_id
                """
            let limit = query.pageSize + 1
            var rows: [any SQLRow]
            let ascending: Bool
            if let after = query.after {
                rows = try await db.raw(
                    """
                    \(select) WHERE \(filter) AND (a.name, a.id) > (\(bind: after.name), \(bind: after.id))
                    ORDER BY a.name, a.id LIMIT \(literal: limit)
                    """
                ).all()
                ascending = true
            } else if let before = query.before {
                rows = try await db.raw(
                    """
                    \(select) WHERE \(filter) AND (a.name, a.id) < (\(bind: before.name), \(bind: before.id))
                    ORDER BY a.name DESC, a.id DESC LIMIT \(literal: limit)
                    """
                ).all()
                ascending = false
            } else {
                rows = try await db.raw(
                    """
                    \(select) WHERE \(filter) ORDER BY a.name, a.id
                    LIMIT \(literal: limit) OFFSET \(literal: (query.page - 1) * query.pageSize)
                    """
                ).all()
                ascending = true
            }
            let more = rows.count > query.pageSize
            if more { rows.removeLast() }
            var agents = try rows.map { row in
                AgentSummary(
                    id: try row.string("id"), employeeID: try row.string("employee_id"), name: try row.string("name"),
                    site: names.site(try row.optionalString("site_id")),
                    campaign: names.campaign(try row.optionalString("campaign_id")),
                    team: names.team(try row.optionalString("team_id")),
                    readiness: Self.readiness(try row.string("status")), lastCheck: try row.optionalDate("last_report_at"))
            }
            if !ascending { agents.reverse() }
            // Ascending: more rows follow; a cursor or an offset means rows came before. Descending the other way.
            let hasPrevious = ascending ? (query.after != nil || query.page > 1) : more
            let hasNext = ascending ? more : true
            return AgentPage(
                agents: agents, total: total, page: hasPrevious ? query.page : 1, pageSize: query.pageSize,
                sites: names.sites.values.sorted(), campaigns: names.campaigns.values.sorted(),
                teams: names.teams.values.sorted(),
                previous: hasPrevious ? agents.first.map(AgentCursor.init(of:)) : nil,
                next: hasNext ? agents.last.map(AgentCursor.init(of:)) : nil)
        }
    }
}

/// The names of the sites, campaigns and teams by id: small tables, read once per page instead of joined per agent.
struct ScopeNames: Sendable {
    var sites: [String: String] = [:]
    var campaigns: [String: String] = [:]
    var teams: [String: String] = [:]

    static func read(on db: any SQLDatabase) async throws -> ScopeNames {
        func names(_ table: String) async throws -> [String: String] {
            var names: [String: String] = [:]
            for row in try await db.raw("SELECT id, name FROM \(ident: table)").all() {
                names[try row.string("id")] = try row.string("name")
            }
            return names
        }
        return ScopeNames(sites: try await names("sites"), campaigns: try await names("campaigns"), teams: try await names("teams"))
    }

    func site(_ id: String?) -> String { id.flatMap { sites[$0] } ?? "" }
    func campaign(_ id: String?) -> String { id.flatMap { campaigns[$0] } ?? "" }
    func team(_ id: String?) -> String { id.flatMap { teams[$0] } ?? "" }
}
