import Foundation
import HomeReadyModel
import HomeReadySigning

/// A personal self-test link: names one agent, expires, can be revoked, and serves a bounded number of reports.
///
/// Only the SHA-256 of its token is stored; the token itself is shown once, inside the link's URL.
public struct SelfTestLink: Codable, Sendable, Equatable {
    public var id: String
    public var agentId: String
    public var createdAt: Date
    /// Who made it (`admin:TOKEN-ID`, `dashboard:USER`, `cli`).
    public var createdBy: String?
    public var expiresAt: Date
    public var revokedAt: Date?
    /// Reports the link may store (each new report spends one; a re-sent report spends none).
    public var maxUses: Int
    public var uses: Int
    public var lastUsedAt: Date?

    public init(
        id: String, agentId: String, createdAt: Date, createdBy: String?, expiresAt: Date, revokedAt: Date? = nil,
        maxUses: Int, uses: Int = 0, lastUsedAt: Date? = nil
    ) {
        self.id = id
        self.agentId = agentId
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
        self.maxUses = maxUses
        self.uses = uses
        self.lastUsedAt = lastUsedAt
    }

    /// What the link allows at `now`.
    public func state(at now: Date) -> SelfTestLinkState {
        if revokedAt != nil { return .revoked }
        if expiresAt <= now { return .expired }
        if uses >= maxUses { return .usedUp }
        return .active
    }
}

/// Whether a link can still be used.
public enum SelfTestLinkState: String, Codable, Sendable, CaseIterable {
    case active, expired, revoked
    case usedUp = "used_up"
}

/// The agent a link names, as the self-test needs it (never another agent's).
public struct SelfTestAgent: Sendable, Equatable {
    public var id: String
    public var employeeId: String
    public var name: String
    /// The language the agent reads, from the roster (`es`, `en`); nil when IT did not record one. The page opens in
    /// it unless the agent chose another on the page.
    public var language: String?

    public init(id: String, employeeId: String, name: String, language: String? = nil) {
        self.id = id
        self.employeeId = employeeId
        self.name = name
        self.language = language
    }
}

/// What the server answers a posted self-test report with: its own verdict and findings.
public struct SelfTestSubmission: Sendable, Equatable {
    public var reportId: UUID
    /// True when this report id was already stored for this agent (nothing changed).
    public var duplicate: Bool
    public var verdict: Verdict
    public var findings: [Finding]
    /// Why the report cannot count toward readiness (the server's words), when it cannot.
    public var reason: String?

    public init(reportId: UUID, duplicate: Bool, verdict: Verdict, findings: [Finding], reason: String? = nil) {
        self.reportId = reportId
        self.duplicate = duplicate
        self.verdict = verdict
        self.findings = findings
        self.reason = reason
    }
}

/// Where links live and where a browser report goes. The inventory server implements it over its database and
/// its one report ingestion path.
/// A message from IT or the command center waiting for the agent (an instruction of kind `message`): the page shows
/// it above the test, in the page's language when IT wrote one.
public struct SelfTestMessage: Sendable, Equatable {
    public var id: String
    /// The text as sent (the fallback).
    public var text: String
    /// The text per language (`es`, `en`) when IT wrote it in several.
    public var texts: [String: String]
    public var sentAt: Date

    public init(id: String, text: String, texts: [String: String] = [:], sentAt: Date) {
        self.id = id
        self.text = text
        self.texts = texts
        self.sentAt = sentAt
    }
}

public protocol SelfTestBackend: Sendable {
    /// Stores a new link under the SHA-256 hex of its token.
    func createSelfTestLink(_ link: SelfTestLink, tokenHash: String) async throws
    /// The link whose token has this SHA-256 hex, whatever its state.
    func selfTestLink(tokenHash: String) async throws -> SelfTestLink?
    func selfTestLink(id: String) async throws -> SelfTestLink?
    /// An agent's links, newest first.
    func selfTestLinks(agentId: String) async throws -> [SelfTestLink]
    /// Revokes a link (idempotent: the first revocation time stays); nil when no link has this id.
    func revokeSelfTestLink(id: String, at: Date) async throws -> SelfTestLink?
    /// Spends one use of an active link in one conditional update; false when it is no longer active.
    func claimSelfTestUse(linkId: String, at: Date) async throws -> Bool
    /// Gives back a use claimed for a report that turned out to be stored already.
    func releaseSelfTestUse(linkId: String) async throws
    /// The agent a link names.
    func selfTestAgent(id: String) async throws -> SelfTestAgent?
    /// Judges `report` (its agent already set to `agent`) with the server's judge against the agent's campaign
    /// profile and stores it through the server's report ingestion, once by `report_id`.
    func submitBrowserReport(_ report: CheckReport, agent: SelfTestAgent, at: Date) async throws -> SelfTestSubmission
    /// A stored report's agent id and body, to answer a re-sent report (nil when not stored).
    func storedReport(reportId: UUID) async throws -> (agentId: String, body: String)?
    /// The messages waiting for the agent at `at`, newest first, counted as delivered to the page (`link`).
    func selfTestMessages(agentId: String, link: String, at: Date) async throws -> [SelfTestMessage]
}

extension SelfTestBackend {
    /// No messages: a backend without a command center.
    public func selfTestMessages(agentId: String, link: String, at: Date) async throws -> [SelfTestMessage] { [] }
}

/// Makes, names and checks links.
public enum SelfTestLinks {
    /// The prefix of every link token (so it is recognisable in logs and leak scanners).
    public static let tokenPrefix = "st_"

    /// A new token: 256 random bits, base64url.
    public static func generateToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return tokenPrefix
            + Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The stored form of a token: lower-case hex SHA-256.
    public static func hash(_ token: String) -> String { SecretDigest.sha256Hex(token) }

    /// Whether `text` has the shape of a token (checked before any database lookup).
    public static func looksLikeToken(_ text: String) -> Bool {
        text.hasPrefix(tokenPrefix) && text.count == tokenPrefix.count + 43
            && text.utf8.dropFirst(tokenPrefix.count).allSatisfy {
                ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D
                    || $0 == 0x5F
            }
    }

    /// The page's address for `token` under `baseURL` (e.g. `https://homeready.example.com`).
    public static func url(baseURL: String, token: String) -> String {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        return base + "/self-test/" + token
    }

    /// Default lifetime of a link: 7 days.
    public static let defaultLifetime: TimeInterval = 7 * 86_400
    /// Longest lifetime accepted: 90 days.
    public static let maxLifetime: TimeInterval = 90 * 86_400
    /// Default reports a link may store: 5 (an agent re-runs the test after fixing something).
    public static let defaultMaxUses = 5

    /// Parses a lifetime such as `7d`, `12h`, `30m`, `900s` or plain seconds; nil for anything else or outside
    /// 1 minute … 90 days.
    public static func parseLifetime(_ text: String) -> TimeInterval? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard let last = trimmed.last else { return nil }
        let units: [Character: Double] = ["d": 86_400, "h": 3_600, "m": 60, "s": 1]
        let seconds: Double
        if let unit = units[last], let number = Double(trimmed.dropLast()), number.isFinite {
            seconds = number * unit
        } else if let number = Double(trimmed), number.isFinite {
            seconds = number
        } else {
            return nil
        }
        guard seconds >= 60, seconds <= maxLifetime else { return nil }
        return seconds
    }

    /// Creates a link for `agentId` and returns it with its URL (the only place the token appears).
    public static func create(
        agentId: String, lifetime: TimeInterval = defaultLifetime, maxUses: Int = defaultMaxUses,
        createdBy: String?, baseURL: String, backend: any SelfTestBackend, now: Date = Date()
    ) async throws -> (link: SelfTestLink, url: String) {
        let token = generateToken()
        let link = SelfTestLink(
            id: "stl_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20),
            agentId: agentId, createdAt: now, createdBy: createdBy,
            expiresAt: Date(timeIntervalSince1970: (now.timeIntervalSince1970 + lifetime).rounded(.down)),
            maxUses: maxUses)
        try await backend.createSelfTestLink(link, tokenHash: hash(token))
        return (link, url(baseURL: baseURL, token: token))
    }
}
