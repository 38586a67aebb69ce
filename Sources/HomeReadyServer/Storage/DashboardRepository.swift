import Foundation
import HomeReadyDashboard
import HomeReadyScoring

/// What the dashboard adapters need of the storage beyond `InventoryRepository`: dashboard users and sessions,
/// alert acknowledgements and campaign forecasts (migration 5). `SQLRepository` implements it.
public protocol DashboardRepository: Sendable {
    /// Creates a dashboard user or replaces the password and role of an existing one.
    func upsertDashboardUser(_ user: DashboardUser, at: Date) async throws
    /// The dashboard user with this name, or nil.
    func dashboardUser(named name: String) async throws -> DashboardUser?
    /// Stores a signed-in session (only the token's SHA-256 is kept).
    func createDashboardSession(_ session: DashboardSession) async throws
    /// The session with this id, or nil.
    func dashboardSession(id: String) async throws -> DashboardSession?
    /// Removes a session and every expired one.
    func deleteDashboardSession(id: String, now: Date) async throws
    /// Stores or replaces a campaign's capacity forecast.
    func setForecast(campaignId: String, forecast: CapacityForecast) async throws
    /// Records that `user` acknowledged the alert `alertId`; false when it was already acknowledged.
    func acknowledgeDashboardAlert(id alertId: String, by user: String, at: Date) async throws -> Bool
}

/// The tables of migration 5.
enum DashboardSchema {
    static let statements: [String] = [
        """
        CREATE TABLE dashboard_users (
            name TEXT PRIMARY KEY CHECK (length(name) > 0), password_hash TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('admin', 'planner')), created_at BIGINT NOT NULL)
        """,
        """
        CREATE TABLE dashboard_sessions (
            id TEXT PRIMARY KEY CHECK (length(id) = 64),
            user_name TEXT NOT NULL REFERENCES dashboard_users(name) ON DELETE CASCADE,
            role TEXT NOT NULL CHECK (role IN ('admin', 'planner')), csrf_token TEXT NOT NULL,
            created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL)
        """,
        "CREATE INDEX dashboard_sessions_expiry ON dashboard_sessions(expires_at)",
        """
        CREATE TABLE dashboard_alert_acks (
            alert_id TEXT PRIMARY KEY, acknowledged_by TEXT NOT NULL, acknowledged_at BIGINT NOT NULL)
        """,
        """
        CREATE TABLE campaign_forecasts (
            campaign_id TEXT PRIMARY KEY REFERENCES campaigns(id) ON DELETE CASCADE,
            calls_per_interval DOUBLE PRECISION NOT NULL CHECK (calls_per_interval >= 0),
            interval_seconds DOUBLE PRECISION NOT NULL CHECK (interval_seconds > 0),
            aht_seconds DOUBLE PRECISION NOT NULL CHECK (aht_seconds > 0),
            service_level DOUBLE PRECISION NOT NULL CHECK (service_level > 0 AND service_level < 1),
            answer_within_seconds DOUBLE PRECISION NOT NULL CHECK (answer_within_seconds >= 0),
            shrinkage DOUBLE PRECISION NOT NULL CHECK (shrinkage >= 0 AND shrinkage < 1))
        """,
        "CREATE INDEX check_states_failing ON check_states(status, last_passed_at)",
    ]
}
