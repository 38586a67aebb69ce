import Foundation
import HomeReadyDashboard
import HomeReadyScoring
import SQLKit

extension SQLRepository: DashboardRepository {
    public func upsertDashboardUser(_ user: DashboardUser, at: Date) async throws {
        try await writing(field: "name") { db in
            try await db.raw(
                """
                INSERT INTO dashboard_users (name, password_hash, role, created_at)
                VALUES (\(bind: user.name), \(bind: user.passwordHash), \(bind: user.role.rawValue), \(millis: at))
                ON CONFLICT (name) DO UPDATE SET password_hash = excluded.password_hash, role = excluded.role
                """
            ).run()
            // A new password or role ends the user's sessions.
            try await db.raw("DELETE FROM dashboard_sessions WHERE user_name = \(bind: user.name)").run()
        }
    }

    public func dashboardUser(named name: String) async throws -> DashboardUser? {
        try await store.withConnection { db in
            guard
                let row = try await db.raw(
                    "SELECT name, password_hash, role FROM dashboard_users WHERE name = \(bind: name)"
                ).all().first,
                let role = DashboardRole(rawValue: try row.string("role"))
            else { return nil }
            return DashboardUser(name: try row.string("name"), passwordHash: try row.string("password_hash"), role: role)
        }
    }

    public func createDashboardSession(_ session: DashboardSession) async throws {
        try await writing(field: "session") { db in
            try await db.raw(
                """
                INSERT INTO dashboard_sessions (id, user_name, role, csrf_token, created_at, expires_at)
                VALUES (\(bind: session.id), \(bind: session.userName), \(bind: session.role.rawValue),
                        \(bind: session.csrfToken), \(millis: session.createdAt), \(millis: session.expiresAt))
                """
            ).run()
        }
    }

    public func dashboardSession(id: String) async throws -> DashboardSession? {
        try await store.withConnection { db in
            guard
                let row = try await db.raw(
                    """
                    SELECT id, user_name, role, csrf_token, created_at, expires_at FROM dashboard_sessions
                    WHERE id = \(bind: id)
                    """
                ).all().first,
                let role = DashboardRole(rawValue: try row.string("role"))
            else { return nil }
            return DashboardSession(
                id: try row.string("id"), userName: try row.string("user_name"), role: role,
                csrfToken: try row.string("csrf_token"), createdAt: try row.date("created_at"),
                expiresAt: try row.date("expires_at"))
        }
    }

    public func deleteDashboardSession(id: String, now: Date) async throws {
        try await writing(field: nil) { db in
            try await db.raw(
                "DELETE FROM dashboard_sessions WHERE id = \(bind: id) OR expires_at < \(millis: now)"
            ).run()
        }
    }

    public func setForecast(campaignId: String, forecast: CapacityForecast) async throws {
        try await writing(field: "campaign_id") { db in
            try await db.raw(
                """
                INSERT INTO campaign_forecasts (campaign_id, calls_per_interval, interval_seconds, aht_seconds,
                    service_level, answer_within_seconds, shrinkage)
                VALUES (\(bind: campaignId), \(bind: forecast.callsPerInterval), \(bind: forecast.intervalSeconds),
                        \(bind: forecast.ahtSeconds), \(bind: forecast.serviceLevel),
                        \(bind: forecast.targetSeconds), \(bind: forecast.shrinkage))
                ON CONFLICT (campaign_id) DO UPDATE SET calls_per_interval = excluded.calls_per_interval,
                    interval_seconds = excluded.interval_seconds, aht_seconds = excluded.aht_seconds,
                    service_level = excluded.service_level, answer_within_seconds = excluded.answer_within_seconds,
                    shrinkage = excluded.shrinkage
                """
            ).run()
        }
    }

    public func acknowledgeDashboardAlert(id alertId: String, by user: String, at: Date) async throws -> Bool {
        try await writing(field: nil) { db in
            !(try await db.raw(
                """
                INSERT INTO dashboard_alert_acks (alert_id, acknowledged_by, acknowledged_at)
                VALUES (\(bind: alertId), \(bind: user), \(millis: at))
                ON CONFLICT (alert_id) DO NOTHING RETURNING alert_id
                """
            ).all().isEmpty)
        }
    }
}
