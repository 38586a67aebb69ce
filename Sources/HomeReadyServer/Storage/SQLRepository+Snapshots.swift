import Foundation
import SQLKit

extension SQLRepository: SnapshotRepository {
    public func takeSnapshotIfMissing(day: String, now: Date) async throws -> Bool {
        // One transaction: on PostgreSQL an advisory lock serialises instances, on SQLite the write lock
        // (BEGIN IMMEDIATE) does; the marker is the fleet-wide ('all', 'all') row, always written.
        try await writing(field: nil) { db in
            if store.backend == .postgres {
                try await db.raw("SELECT pg_advisory_xact_lock(7406319)").run()
            }
            let existing = try await db.raw(
                "SELECT 1 AS one FROM readiness_daily WHERE day = \(bind: day) AND scope = 'all' AND scope_id = 'all'"
            ).all()
            guard existing.isEmpty else { return false }
            let cells = try await Self.readinessCells(now: now, on: db)
            for scope in RollupScope.allCases {
                var rows = Self.rollup(by: scope, of: cells)
                if scope == .all, rows.isEmpty { rows = [RollupRow(scopeId: "all", ready: 0, atRisk: 0, notReady: 0, unknown: 0)] }
                for row in rows {
                    try await db.raw(
                        """
                        INSERT INTO readiness_daily (day, scope, scope_id, ready, at_risk, not_ready, unknown)
                        VALUES (\(bind: day), \(bind: scope.rawValue), \(bind: row.scopeId), \(literal: row.ready),
                                \(literal: row.atRisk), \(literal: row.notReady), \(literal: row.unknown))
                        ON CONFLICT (day, scope, scope_id) DO NOTHING
                        """
                    ).run()
                }
            }
            return true
        }
    }
}
