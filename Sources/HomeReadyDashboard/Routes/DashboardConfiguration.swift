import Foundation

/// Settings of the dashboard pages.
public struct DashboardConfiguration: Sendable {
    /// Mark cookies `Secure`: set it whenever the dashboard is served over TLS (directly or behind a proxy).
    public var secureCookies: Bool
    /// How long a sign-in lasts.
    public var sessionLifetime: TimeInterval
    /// Agents per page of the agent list.
    public var pageSize: Int
    /// Largest form body accepted, in bytes.
    public var maxFormBytes: Int
    /// Seconds between SSE keep-alive comments (detects closed browsers, keeps proxies from timing out).
    public var keepAliveSeconds: Double
    /// The address agents reach the server at, for self-test links; nil uses the request's `Host`.
    public var publicBaseURL: String? = nil
    /// The time zone of the dates on the pages (the server's own by default; the footer names it).
    public var timeZone: TimeZone = .current

    /// Creates a configuration; the defaults suit a plain-HTTP development server.
    public init(
        secureCookies: Bool = false, sessionLifetime: TimeInterval = 8 * 3600, pageSize: Int = 50,
        maxFormBytes: Int = 16 * 1024, keepAliveSeconds: Double = 15
    ) {
        self.secureCookies = secureCookies
        self.sessionLifetime = sessionLifetime
        self.pageSize = pageSize
        self.maxFormBytes = maxFormBytes
        self.keepAliveSeconds = keepAliveSeconds
    }
}
