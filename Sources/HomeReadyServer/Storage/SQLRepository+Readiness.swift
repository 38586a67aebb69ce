import Foundation
import HomeReadyModel
import SQLKit

extension SQLRepository {
    public func readinessInput(agentId: String) async throws -> ReadinessInput? {
        try await store.withConnection { db in
            guard
                let row = try await db.raw(
                    """
                    SELECT a.last_report_at, a.last_verdict, c.freshness_hours FROM agents a
                    LEFT JOIN campaigns c ON c.id = a.campaign_id WHERE a.id = \(bind: agentId)
                    """
                ).all().first
            else { return nil }
            let (kinds, items) = try await Self.kitAndItems(agentId: agentId, on: db)
            let hours = try row.decode(column: "freshness_hours", as: Int64?.self).map(Int.init) ?? 72
            return ReadinessInput(
                requiredKinds: kinds, items: items, lastReportAt: try row.optionalDate("last_report_at"),
                lastVerdict: try row.optionalString("last_verdict").flatMap(Verdict.init(rawValue:)),
                freshnessHours: hours)
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
        let column: SQLQueryString
        switch scope {
        case .site: column = "COALESCE(a.site_id, '')"
        case .campaign: column = "COALESCE(a.campaign_id, '')"
        case .team: column = "COALESCE(a.team_id, '')"
        case .all: column = "'all'"
        }
        return try await store.withConnection { db in
            try await db.raw(
                """
                SELECT scope_id,
                    SUM(CASE WHEN status = 'ready' THEN 1 ELSE 0 END) AS ready,
                    SUM(CASE WHEN status = 'at_risk' THEN 1 ELSE 0 END) AS at_risk,
                    SUM(CASE WHEN status = 'not_ready' THEN 1 ELSE 0 END) AS not_ready,
                    SUM(CASE WHEN status = 'unknown' THEN 1 ELSE 0 END) AS unknown
                FROM (SELECT \(column) AS scope_id, \(Self.statusExpression(now: now)) AS status
                      FROM agents a LEFT JOIN campaigns c ON c.id = a.campaign_id) s
                GROUP BY scope_id ORDER BY scope_id
                """
            ).all().map {
                RollupRow(
                    scopeId: try $0.string("scope_id"), ready: try $0.int("ready"), atRisk: try $0.int("at_risk"),
                    notReady: try $0.int("not_ready"), unknown: try $0.int("unknown"))
            }
        }
    }

    public func snapshot(day: String, now: Date) async throws {
        var rows: [(RollupScope, RollupRow)] = []
        for scope in RollupScope.allCases {
            rows += try await rollup(by: scope, now: now).map { (scope, $0) }
        }
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
