import Foundation

/// What a dashboard user may do.
public enum DashboardRole: String, Sendable, Codable, CaseIterable {
    /// IT: everything, including acknowledging alerts.
    case admin
    /// Planners: read-only fleet and capacity.
    case planner
}

/// A person who signs in to the dashboard.
public struct DashboardUser: Sendable, Equatable {
    public var name: String
    /// A `PasswordHasher` string (`pbkdf2-sha256$iterations$salt$hash`).
    public var passwordHash: String
    public var role: DashboardRole

    /// Creates a user record.
    public init(name: String, passwordHash: String, role: DashboardRole) {
        self.name = name
        self.passwordHash = passwordHash
        self.role = role
    }
}

/// A signed-in browser. The store only ever sees the SHA-256 of the cookie's token, so a leaked sessions table
/// cannot be replayed.
public struct DashboardSession: Sendable, Equatable {
    /// Hex SHA-256 of the session cookie's token.
    public var id: String
    public var userName: String
    public var role: DashboardRole
    /// The synchronizer token every form of this session must carry.
    public var csrfToken: String
    public var createdAt: Date
    public var expiresAt: Date

    /// Creates a session record.
    public init(id: String, userName: String, role: DashboardRole, csrfToken: String, createdAt: Date, expiresAt: Date) {
        self.id = id
        self.userName = userName
        self.role = role
        self.csrfToken = csrfToken
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// Users and sessions of the dashboard. The server implements it over its storage (sessions in the database so
/// that every instance sees them); `InMemoryUserStore` serves tests and single-instance use.
public protocol DashboardUserStore: Sendable {
    /// The user with this name, or nil.
    func user(named name: String) async throws -> DashboardUser?
    /// Stores a new session.
    func createSession(_ session: DashboardSession) async throws
    /// The session with this id (hashed token), or nil.
    func session(id: String) async throws -> DashboardSession?
    /// Removes a session (sign-out); no error when it does not exist.
    func deleteSession(id: String) async throws
}
