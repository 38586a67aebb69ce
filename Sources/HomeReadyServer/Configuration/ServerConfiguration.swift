import Foundation
import HomeReadySelfTest

/// Where the inventory lives.
public enum DatabaseLocation: Sendable, Equatable {
    /// An SQLite file (created when missing).
    case sqlite(path: String)
    /// A PostgreSQL database; `schema` sets the search path (tests use a throwaway schema each).
    case postgres(url: String, schema: String? = nil)

    /// Parses `sqlite:PATH` or `postgres://…` (also `postgresql://…`).
    public init(parsing text: String) throws(ServerError) {
        if text.hasPrefix("sqlite:") {
            let path = String(text.dropFirst("sqlite:".count))
            guard !path.isEmpty else { throw .badDatabaseURL(text) }
            self = .sqlite(path: path)
        } else if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            self = .postgres(url: text)
        } else {
            throw .badDatabaseURL(text)
        }
    }

    /// The back end's name for logs and `/healthz`.
    public var kind: String {
        switch self {
        case .sqlite: return "sqlite"
        case .postgres: return "postgres"
        }
    }
}

/// The server's settings, each with a default.
public struct ServerConfiguration: Sendable {
    /// Address to listen on (default 127.0.0.1).
    public var host: String
    /// Port to listen on (default 8080; 0 picks a free port).
    public var port: Int
    /// The database (default `sqlite:homeready.sqlite`).
    public var database: DatabaseLocation
    /// UDP port of the speed-test echo responder; nil leaves it off.
    public var echoPort: Int?
    /// UDP and TCP port of the SIP mirror that detects home routers' SIP ALG (`--sip-port`); nil leaves it off.
    public var sipPort: Int? = nil
    /// Largest request body accepted for a report, in bytes (default 1 MiB).
    public var maxReportBytes: Int
    /// Largest request body for other JSON requests, in bytes (default 256 KiB).
    public var maxJSONBytes: Int
    /// Largest CSV upload, in bytes (default 16 MiB).
    public var maxCSVBytes: Int
    /// Database connections per event loop (default 4).
    public var connectionsPerEventLoop: Int
    /// Days after which a shipped, undelivered item counts as overdue (default 5).
    public var overdueDays: Int
    /// Oldest accepted report `started_at`, in seconds before the server's clock (default 72 h: a weekend offline).
    public var maxReportAgeSeconds: Double = 72 * 3600
    /// Furthest accepted report `started_at` ahead of the server's clock, in seconds (default 10 min).
    public var maxReportFutureSeconds: Double = 600
    /// Folders searched for assigned profiles (`--profiles`), before ./Profiles and the built-in set.
    public var profileDirectories: [String] = []
    /// PEM certificate chain to serve HTTPS with (with `tlsKey`); nil serves plain HTTP.
    public var tlsCertificate: String? = nil
    /// PEM private key of `tlsCertificate`.
    public var tlsKey: String? = nil
    /// Seconds a resolved API token, and the agent and device records a report names, stay cached per process
    /// (default 5; 0 turns the caches off). A revoked token keeps working for at most this long on an instance
    /// that had it cached; a revoked device's reports are refused at once (checked in the write itself).
    public var lookupCacheSeconds: Double = 5

    /// `lookupCacheSeconds` as a duration.
    var lookupCacheTTL: Duration { .milliseconds(Int64(lookupCacheSeconds * 1000)) }
    /// Seconds `/metrics` reuses its readiness roll-up (default 5; 0 recomputes on every scrape).
    public var metricsCacheSeconds: Double = 5
    /// Whether the server takes the day's readiness snapshot by itself (default on).
    public var automaticSnapshots: Bool = true
    /// Seconds between checks for a missing daily snapshot (default 600).
    public var snapshotCheckSeconds: Double = 600
    /// Seconds between passes of the escalation engine: periodic events, then due steps (default 30).
    public var escalationCheckSeconds: Double = 30
    /// Mark the dashboard's cookies `Secure` (set it when served over TLS, directly or behind a proxy).
    public var secureCookies = false
    /// Seconds a signed readiness statement counts after it is issued (`--readiness-statement-minutes`, default
    /// 15 minutes; see docs/readiness-statement.md).
    public var readinessStatementSeconds: Double = 900

    public init(
        host: String = "127.0.0.1", port: Int = 8080, database: DatabaseLocation = .sqlite(path: "homeready.sqlite"),
        echoPort: Int? = nil, maxReportBytes: Int = 1 << 20, maxJSONBytes: Int = 256 << 10,
        maxCSVBytes: Int = 16 << 20, connectionsPerEventLoop: Int = 4, overdueDays: Int = 5
    ) {
        self.host = host
        self.port = port
        self.database = database
        self.echoPort = echoPort
        self.maxReportBytes = maxReportBytes
        self.maxJSONBytes = maxJSONBytes
        self.maxCSVBytes = maxCSVBytes
        self.connectionsPerEventLoop = connectionsPerEventLoop
        self.overdueDays = overdueDays
    }

    // MARK: Protection (set after init)
    /// Requests in progress at once before the server answers 429 (default 512; 0 turns shedding off).
    public var maxInFlightRequests: Int = 512
    /// `Retry-After` seconds sent when shedding load (default 1).
    public var shedRetryAfterSeconds: Int = 1
    /// Enrollment attempts per client address (default 100 at once, 100 a minute: a site behind one NAT address
    /// enrolls many laptops the same morning).
    public var enrollRateLimit: RateLimit = RateLimit(burst: 100, perMinute: 100)
    /// Dashboard sign-in attempts (`POST /login`) per client address (default 5 at once, 5 a minute).
    public var signInRateLimit: RateLimit = RateLimit(burst: 5, perMinute: 5)
    /// A header holding the client address set by a trusted reverse proxy (e.g. `X-Real-IP`); nil uses the peer.
    public var clientAddressHeader: String?

    // MARK: Browser self-test (set after init)
    /// TURN servers the self-test page relays its test call through, over UDP and TCP on their port
    /// (`--turn-server HOST:PORT`, repeatable).
    public var turnServers: [TURNServer] = []
    /// TURN servers reached over TLS (`turns:`, `--turn-tls-server HOST:PORT`).
    public var turnTLSServers: [TURNServer] = []
    /// coturn's `static-auth-secret` (read from `--turn-secret-file`); nil leaves the page's call test out. Never
    /// logged.
    public var turnSecret: String?
    /// The address agents reach the server at, for self-test links (`--public-url`, e.g.
    /// `https://homeready.example.com`); nil uses the request's `Host` (and HTTPS when the server serves TLS).
    public var publicBaseURL: String?
    /// Seconds of audio the page's looped call measures (nil: the page's default, 10).
    public var selfTestCallSeconds: Double?
    /// The clock continuity drills start and are read at (docs/drills.md); tests inject a scripted one.
    public var drillClock: @Sendable () -> Date = { Date() }

    // MARK: Notifications (set after init; docs/notifications.md)
    /// The outgoing mail server (`--smtp-url`): `smtp://HOST:PORT`, `smtps://…`, with `USER:PASSWORD@` for AUTH and
    /// `?starttls=required|optional|never`, `cafile=PATH`, `timeout=SECONDS`; nil sends no email. Holds the
    /// password: never logged (`smtpSettings()` keeps it apart).
    public var smtpURL: String?
    /// The sender of notification email (`--smtp-from`): `homeready@example.com` or `HomeReady <…>`.
    public var smtpFrom: String?
}
