import Foundation

/// Users and sessions kept in memory (tests, demos, a single instance).
public actor InMemoryUserStore: DashboardUserStore {
    private var users: [String: DashboardUser] = [:]
    private var sessions: [String: DashboardSession] = [:]

    /// Creates a store holding `users`.
    public init(users: [DashboardUser] = []) {
        for user in users { self.users[user.name] = user }
    }

    /// Adds or replaces a user.
    public func upsert(_ user: DashboardUser) { users[user.name] = user }

    public func user(named name: String) -> DashboardUser? { users[name] }
    public func createSession(_ session: DashboardSession) { sessions[session.id] = session }
    public func session(id: String) -> DashboardSession? { sessions[id] }
    public func deleteSession(id: String) { sessions[id] = nil }

    /// Open sessions (for tests).
    public var sessionCount: Int { sessions.count }
}
