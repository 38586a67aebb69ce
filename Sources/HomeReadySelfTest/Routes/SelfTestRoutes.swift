import Foundation
import HomeReadyModel
import Hummingbird
import Logging

/// The agent's self-test page and its API, mountable on any Hummingbird router (the inventory server mounts it).
///
/// - `GET /self-test/{token}`: the page (HTML), or a page in the agent's language saying what to do when the link
///   is unknown (404), expired, revoked or used up (410).
/// - `GET /self-test/{token}/config`: what the page needs (JSON): the agent's name, the messages waiting for the
///   agent (from IT or the command center), the speed-test paths, timings, whether a relay is configured.
/// - `GET /self-test/{token}/turn`: short-lived TURN credentials and URLs (TURN REST API).
/// - `POST /self-test/{token}/report`: the page's `CheckReport` (`source: "browser"`); the server judges and stores
///   it for the link's agent and answers with its verdict and findings.
/// - `GET /self-test/assets/{file}`: the script, style sheet, icon and the language catalogs (`es.json`, `en.json`).
///
/// Every answer carries a strict Content-Security-Policy (`default-src 'self'`, no inline script, `connect-src
/// 'self'`), `Referrer-Policy: no-referrer` (the token is in the address) and `Cache-Control: no-store`. Errors of
/// the JSON endpoints are `application/problem+json`.
public enum SelfTestRoutes {
    /// Headers on every self-test answer.
    public static let securityHeaders: HTTPFields = [
        .contentSecurityPolicy:
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; media-src 'self'; object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        .init("X-Content-Type-Options")!: "nosniff",
        .init("Referrer-Policy")!: "no-referrer",
        .init("Permissions-Policy")!: "microphone=(self), camera=(), geolocation=()",
        .cacheControl: "no-store",
    ]

    /// Adds the page and its endpoints to `router`.
    public static func add<Context: RequestContext>(
        to router: Router<Context>, backend: any SelfTestBackend, configuration: SelfTestConfiguration = .init(),
        logger: Logger = Logger(label: "homeready.selftest"), now: @escaping @Sendable () -> Date = { Date() }
    ) throws {
        let handlers = SelfTestHandlers(
            backend: backend, configuration: configuration, pages: try SelfTestPages(), logger: logger, now: now)
        router.get("/self-test/assets/:file") { _, context in handlers.asset(context.parameters.get("file") ?? "") }
        router.get("/self-test/:token") { request, context in
            try await handlers.page(request, token: context.parameters.get("token") ?? "")
        }
        router.get("/self-test/:token/config") { _, context in
            try await handlers.config(token: context.parameters.get("token") ?? "")
        }
        router.get("/self-test/:token/turn") { _, context in
            try await handlers.turn(token: context.parameters.get("token") ?? "")
        }
        router.post("/self-test/:token/report") { request, context in
            try await handlers.report(request, token: context.parameters.get("token") ?? "")
        }
    }
}

/// The route handlers, independent of the router's context type.
struct SelfTestHandlers: Sendable {
    let backend: any SelfTestBackend
    let configuration: SelfTestConfiguration
    let pages: SelfTestPages
    let logger: Logger
    let now: @Sendable () -> Date

    // MARK: Links

    /// The link a token names, whatever its state; nil when unknown (or not shaped like a token).
    func link(_ token: String) async throws -> SelfTestLink? {
        guard SelfTestLinks.looksLikeToken(token) else { return nil }
        return try await backend.selfTestLink(tokenHash: SelfTestLinks.hash(token))
    }

    /// The active link and its agent, or the problem to answer with.
    func activeLink(_ token: String) async throws -> (SelfTestLink, SelfTestAgent) {
        guard let link = try await link(token), let agent = try await backend.selfTestAgent(id: link.agentId) else {
            throw SelfTestProblem.unknownLink
        }
        let state = link.state(at: now())
        guard state == .active else { throw SelfTestProblem.unusable(state) }
        return (link, agent)
    }

    // MARK: Page

    func page(_ request: Request, token: String) async throws -> Response {
        var language = SelfTestCatalog.negotiate(acceptLanguage: request.headers[.acceptLanguage])
        guard let link = try await link(token), let agent = try await backend.selfTestAgent(id: link.agentId) else {
            return unavailable(code: "link_unknown", status: .notFound, language: language)
        }
        // The language IT recorded for the agent (the roster's) wins over the browser's; the page's switch over both.
        var source = "browser"
        if let preferred = agent.language, SelfTestCatalog.languages.contains(preferred) {
            language = preferred
            source = "roster"
        }
        let state = link.state(at: now())
        guard state == .active else {
            logger.debug("selftest.page.refused", metadata: ["selftest.link": "\(link.id)", "selftest.state": "\(state.rawValue)"])
            return unavailable(code: SelfTestProblem.unusable(state).code ?? "link_unknown", status: .gone, language: language)
        }
        let html = pages.render(
            "page", language: language, values: ["base": "/self-test/\(token)", "langSource": source])
        return htmlResponse(html, status: .ok)
    }

    func unavailable(code: String, status: HTTPResponse.Status, language: String) -> Response {
        let html = pages.render("unavailable", language: language, values: ["code": code])
        return htmlResponse(html, status: status)
    }

    func htmlResponse(_ html: String, status: HTTPResponse.Status) -> Response {
        var headers = SelfTestRoutes.securityHeaders
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    func asset(_ name: String) -> Response {
        guard let file = pages.assets[name] else {
            return Response(status: .notFound, headers: SelfTestRoutes.securityHeaders)
        }
        var headers = SelfTestRoutes.securityHeaders
        headers[.contentType] = file.contentType
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: file.data)))
    }

    func json(_ object: [String: Any], status: HTTPResponse.Status = .ok) throws -> Response {
        var headers = SelfTestRoutes.securityHeaders
        headers[.contentType] = "application/json"
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func iso(_ date: Date) -> String { date.formatted(.iso8601) }

    // MARK: API

    func config(token: String) async throws -> Response {
        let (link, agent) = try await activeLink(token)
        let prefix = configuration.speedPathPrefix
        let messages = try await backend.selfTestMessages(agentId: agent.id, link: link.id, at: now())
        return try json([
            "agent": ["name": agent.name],
            "messages": messages.map { message in
                ["id": message.id, "text": message.text, "texts": message.texts, "sent_at": Self.iso(message.sentAt)]
                    as [String: Any]
            },
            "expires_at": Self.iso(link.expiresAt),
            "uses_left": max(0, link.maxUses - link.uses),
            "speed": ["download": prefix + "/down", "upload": prefix + "/up", "ping": prefix + "/ping"],
            "throughput_seconds": configuration.throughputSeconds,
            "settle_seconds": configuration.settleSeconds,
            "min_steady_seconds": configuration.minSteadySeconds,
            "stable_spread": configuration.stableSpread,
            "streams": configuration.streams,
            "call_seconds": configuration.callSeconds,
            "relay_connect_seconds": configuration.relayConnectSeconds,
            "speaker_answer_seconds": configuration.speakerAnswerSeconds,
            "relay": configuration.relayConfigured,
        ])
    }

    func turn(token: String) async throws -> Response {
        let (link, _) = try await activeLink(token)
        guard let secret = configuration.turnSecret, configuration.relayConfigured else {
            throw SelfTestProblem(
                .notFound, "No relay configured",
                detail: "this server has no TURN server configured (serve --turn-server and --turn-secret-file)",
                code: "relay_not_configured")
        }
        let credentials = TURNCredentials.make(
            secret: secret, agentId: link.agentId, now: now(), lifetime: configuration.turnCredentialSeconds)
        logger.debug("selftest.turn.issued", metadata: ["selftest.link": "\(link.id)"])
        return try json([
            "username": credentials.username, "credential": credentials.credential,
            "expires_at": Self.iso(credentials.expiresAt),
            "transports": configuration.relayURLs.map { ["transport": $0.transport, "urls": $0.urls] as [String: Any] },
        ])
    }

    func report(_ request: Request, token: String) async throws -> Response {
        guard let link = try await link(token), let agent = try await backend.selfTestAgent(id: link.agentId) else {
            throw SelfTestProblem.unknownLink
        }
        let at = now()
        let state = link.state(at: at)
        // A used-up link still answers a re-sent report (an idempotent retry of its last one); nothing else.
        guard state == .active || state == .usedUp else { throw SelfTestProblem.unusable(state) }
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: configuration.maxReportBytes)
        } catch {
            throw SelfTestProblem(
                .contentTooLarge, "Body too large", detail: "a self-test report is at most \(configuration.maxReportBytes) bytes")
        }
        var report = try Self.decode(Data(buffer.readableBytesView))
        if let stored = try await backend.storedReport(reportId: report.reportID) {
            guard stored.agentId == link.agentId else {
                throw SelfTestProblem(
                    .conflict, "Conflict", detail: "this report_id is already taken; send a new report_id", field: "report_id")
            }
            let previous = try ReportCoding.decoder().decode(CheckReport.self, from: Data(stored.body.utf8))
            return try answer(
                SelfTestSubmission(reportId: report.reportID, duplicate: true, verdict: previous.verdict, findings: previous.findings))
        }
        guard state == .active else { throw SelfTestProblem.unusable(state) }
        guard try await backend.claimSelfTestUse(linkId: link.id, at: at) else {
            let current = try await backend.selfTestLink(id: link.id)?.state(at: at) ?? .revoked
            throw SelfTestProblem.unusable(current == .active ? .usedUp : current)
        }
        report = Self.normalized(report, agent: agent, at: at)
        let submission: SelfTestSubmission
        do {
            submission = try await backend.submitBrowserReport(report, agent: agent, at: at)
        } catch {
            try? await backend.releaseSelfTestUse(linkId: link.id)
            throw error
        }
        if submission.duplicate { try await backend.releaseSelfTestUse(linkId: link.id) }
        logger.debug(
            "selftest.report.stored",
            metadata: [
                "selftest.link": "\(link.id)", "report.id": "\(report.reportID)",
                "report.duplicate": "\(submission.duplicate)", "report.verdict": "\(submission.verdict.rawValue)",
            ])
        return try answer(submission)
    }

    /// `{"report_id", "duplicate", "verdict", "findings", "reason"}`: 201 when stored, 200 for a re-sent report.
    func answer(_ submission: SelfTestSubmission) throws -> Response {
        let findings = try JSONSerialization.jsonObject(with: ReportCoding.encoder().encode(submission.findings))
        var fields: [String: Any] = [
            "report_id": submission.reportId.uuidString.lowercased(), "duplicate": submission.duplicate,
            "verdict": submission.verdict.rawValue, "findings": findings,
        ]
        if let reason = submission.reason { fields["reason"] = reason }
        return try json(fields, status: submission.duplicate ? .ok : .created)
    }

    /// Decodes the page's report, naming the field at fault.
    static func decode(_ data: Data) throws -> CheckReport {
        do {
            let report = try ReportCoding.decoder().decode(CheckReport.self, from: data)
            guard report.schemaVersion <= CheckReport.currentSchemaVersion else {
                throw SelfTestProblem(
                    .unprocessableContent, "Invalid field",
                    detail: "schema_version \(report.schemaVersion) is newer than this server reads", field: "schema_version")
            }
            return report
        } catch let problem as SelfTestProblem {
            throw problem
        } catch let error as DecodingError {
            throw problem(error)
        } catch {
            throw SelfTestProblem(.badRequest, "Malformed JSON", detail: "the body is not valid JSON")
        }
    }

    static func problem(_ error: DecodingError) -> SelfTestProblem {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
                .trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch error {
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key])
            return SelfTestProblem(.badRequest, "Missing field", detail: "`\(field)` is required", field: field)
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            let field = path(context.codingPath)
            return SelfTestProblem(.badRequest, "Invalid field", detail: "`\(field)` has the wrong type", field: field)
        case .dataCorrupted(let context):
            let field = path(context.codingPath)
            if field.isEmpty { return SelfTestProblem(.badRequest, "Malformed JSON", detail: "the body is not valid JSON") }
            return SelfTestProblem(.badRequest, "Invalid field", detail: "`\(field)`: \(context.debugDescription)", field: field)
        @unknown default:
            return SelfTestProblem(.badRequest, "Malformed JSON", detail: "the body could not be read")
        }
    }

    /// The report as the server stores it: the link's agent, source `browser`, the server's clock (a laptop's clock
    /// may be wrong; the page's own duration is kept, at most 15 min), and no section a browser cannot measure.
    static func normalized(_ report: CheckReport, agent: SelfTestAgent, at: Date) -> CheckReport {
        var report = report
        let hostname = report.agent.hostname.isEmpty ? "browser" : String(report.agent.hostname.prefix(64))
        report.agent = AgentIdentity(employeeID: agent.employeeId, hostname: hostname, user: nil)
        report.source = .browser
        let duration = min(max(report.finishedAt.timeIntervalSince(report.startedAt), 0), 900)
        report.finishedAt = Date(timeIntervalSince1970: at.timeIntervalSince1970.rounded(.down))
        report.startedAt = report.finishedAt.addingTimeInterval(-duration.rounded())
        report.vpn = nil
        report.posture = nil
        report.findings = []
        report.voice = nil
        if report.tool == nil { report.tool = ToolInfo(name: "homeready-selftest", version: "1", platform: "browser") }
        return report
    }
}
