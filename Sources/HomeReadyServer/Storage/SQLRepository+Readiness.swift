import Foundation
import HomeReadyModel
import SQLKit

extension SQLRepository {
    public func readinessInput(agentId: String) async throws -> ReadinessInput? {
        try await store.withConnection { db in
            guard
                let row = try await db.raw(
                    """
                    SELECT a.last_report_at, a.last_verdict, a.last_verdict_reason, a.last_report_source, c.freshness_hours
                    FROM agents a
                    LEFT JOIN campaigns c ON c.id = a.campaign_id WHERE a.id = \(bind: agentId)
                    """
                ).all().first
            else { return nil }
            let (kinds, items) = try await Self.kitAndItems(agentId: agentId, on: db)
            let hours = try row.optionalInt64("freshness_hours").map(Int.init) ?? 72
            return ReadinessInput(
                requiredKinds: kinds, items: items, lastReportAt: try row.optionalDate("last_report_at"),
                lastVerdict: try row.optionalString("last_verdict").flatMap(Verdict.init(rawValue:)),
                lastVerdictReason: try row.optionalString("last_verdict_reason"), freshnessHours: hours,
                evidence: try row.optionalString("last_report_source").flatMap(ReportSource.init(rawValue:)))
        }
    }

    /// The readiness status of each agent as SQL, the same rules as `Readiness.evaluate`.
    static func statusExpression(now: Date) -> SQLQueryString {
        """
        CASE
            WHEN a.last_report_at IS NULL THEN 'unknown'
            WHEN a.last_verdict IN ('not_ready', 'incomplete') OR a.equipment_status = 'missing'
                 OR a.last_report_at < \(millis: now) - CAST(COALESCE(c.freshness_hours, 72) AS BIGINT) * 3600000
                 THEN 'not_ready'
            WHEN a.last_verdict = 'ready_with_warnings' OR a.equipment_status = 'unverified' THEN 'at_risk'
            ELSE 'ready'
        END
        """
    }

    public func rollup(by scope: RollupScope, now: Date) async throws -> [RollupRow] {
        try await store.withConnection { db in try await Self.rollup(by: scope, now: now, on: db) }
    }

    /// The roll-up by `scope`, added up from `readinessCells`.
    static func rollup(by scope: RollupScope, now: Date, on db: any SQLDatabase) async throws -> [RollupRow] {
        rollup(by: scope, of: try await readinessCells(now: now, on: db))
    }

    /// `cells` added up by `scope`, ordered by scope id.
    static func rollup(by scope: RollupScope, of cells: [ReadinessCell]) -> [RollupRow] {
        var rows: [String: ReadinessCounts] = [:]
        for cell in cells {
            let key: String
            switch scope {
            case .site: key = cell.siteId ?? ""
            case .campaign: key = cell.campaignId ?? ""
            case .team: key = cell.teamId ?? ""
            case .all: key = "all"
            }
            rows[key, default: ReadinessCounts()] += cell.counts
        }
        return rows.keys.sorted().map { RollupRow(scopeId: $0, counts: rows[$0]!) }
    }

    /// The fleet's readiness counts per campaign, site and team: what every roll-up, the overview, the capacity
    /// page and the agents page's totals add up.
    public func readinessCells(now: Date) async throws -> [ReadinessCell] {
        try await store.withConnection { db in try await Self.readinessCells(now: now, on: db) }
    }

    /// Campaigns with more than this many rows use a join for their freshness cut-off instead of an inline CASE.
    static let inlineCutoffLimit = 200

    /// The counts `readinessCells` keeps, recounted by one grouped scan of every agent: what the tallies must
    /// always agree with (the tests compare them), and how the counts were read before migration 20.
    ///
    /// The same rules as `statusExpression`, counted with `FILTER` instead of a per-row status string, and each
    /// campaign's freshness cut-off computed beforehand (campaigns are few) so the scan needs no join.
    static func scannedReadinessCells(now: Date, on db: any SQLDatabase) async throws -> [ReadinessCell] {
        let nowMillis = Clock.millis(now)
        let campaigns = try await db.raw("SELECT id, freshness_hours FROM campaigns").all()
        var cutoff: SQLQueryString
        var join: SQLQueryString = ""
        if campaigns.count > inlineCutoffLimit {
            cutoff = "(\(literal: nowMillis) - CAST(COALESCE(c.freshness_hours, 72) AS BIGINT) * 3600000)"
            join = "LEFT JOIN campaigns c ON c.id = a.campaign_id"
        } else if campaigns.isEmpty {
            cutoff = "\(literal: nowMillis - 72 * 3_600_000)"
        } else {
            cutoff = "(CASE a.campaign_id"
            for row in campaigns {
                let hours = try row.decode(column: "freshness_hours", as: Int64.self)
                let campaign = try row.string("id")
                cutoff += " WHEN \(bind: campaign) THEN \(literal: nowMillis - hours * 3_600_000)"
            }
            cutoff += " ELSE \(literal: nowMillis - 72 * 3_600_000) END)"
        }
        let notReady: SQLQueryString = """
            a.last_report_at IS NOT NULL AND (a.last_verdict IN ('not_ready', 'incomplete')
                OR a.equipment_status = 'missing' OR a.last_report_at < \(cutoff))
            """
        return try await db.raw(
            """
            SELECT a.campaign_id, a.site_id, a.team_id, COUNT(*) AS total, COUNT(a.last_report_at) AS reported,
                COUNT(*) FILTER (WHERE \(notReady)) AS not_ready,
                COUNT(*) FILTER (WHERE a.last_report_at >= \(cutoff)
                    AND COALESCE(a.last_verdict NOT IN ('not_ready', 'incomplete'), TRUE)
                    AND a.equipment_status <> 'missing'
                    AND (a.last_verdict = 'ready_with_warnings' OR a.equipment_status = 'unverified')) AS at_risk
            FROM agents a \(join)
            GROUP BY a.campaign_id, a.site_id, a.team_id
            """
        ).all().map {
            let total = try $0.int("total")
            let reported = try $0.int("reported")
            let notReady = try $0.int("not_ready")
            let atRisk = try $0.int("at_risk")
            return ReadinessCell(
                campaignId: try $0.optionalString("campaign_id"), siteId: try $0.optionalString("site_id"),
                teamId: try $0.optionalString("team_id"),
                counts: ReadinessCounts(
                    ready: reported - notReady - atRisk, atRisk: atRisk, notReady: notReady, unknown: total - reported))
        }
    }

    public func snapshot(day: String, now: Date) async throws {
        let cells = try await readinessCells(now: now)
        let rows = RollupScope.allCases.flatMap { scope in Self.rollup(by: scope, of: cells).map { (scope, $0) } }
        try await writing(field: nil) { db in
            for (scope, row) in rows {
                try await db.raw(
                    """
                    INSERT INTO readiness_daily (day, scope, scope_id, ready, at_risk, not_ready, unknown)
                    VALUES (\(bind: day), \(bind: scope.rawValue), \(bind: row.scopeId), \(literal: row.ready),
                            \(literal: row.atRisk), \(literal: row.notReady), \(literal: row.unknown))
                    ON CONFLICT (day, scope, scope_id) DO UPDATE SET ready = excluded.ready,
                        at_risk = excluded.at_risk, not_ready = excluded.not_ready, unknown = excluded.unknown
                    """
                ).run()
            }
        }
    }

    public func history(scope: RollupScope, scopeId: String) async throws -> [HistoryRow] {
        try await store.withConnection { db in
            try await db.raw(
                """
                SELECT day, ready, at_risk, not_ready, unknown FROM readiness_daily
                WHERE scope = \(bind: scope.rawValue) AND scope_id = \(bind: scopeId) ORDER BY day
                """
            ).all().map {
                HistoryRow(
                    day: try $0.string("day"), ready: try $0.int("ready"), atRisk: try $0.int("at_risk"),
                    notReady: try $0.int("not_ready"), unknown: try $0.int("unknown"))
            }
        }
    }

    public func readyAgentCount(campaignId: String, now: Date) async throws -> Int {
        try await store.withConnection { db in
            let rows = try await db.raw(
                """
                SELECT COUNT(*) AS ready FROM agents a LEFT JOIN campaigns c ON c.id = a.campaign_id
                WHERE a.campaign_id = \(bind: campaignId) AND \(Self.statusExpression(now: now)) = 'ready'
                """
            ).all()
            return try rows.first?.int("ready") ?? 0
        }
    }
}
