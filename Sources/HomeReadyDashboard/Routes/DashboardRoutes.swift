import Foundation
import HomeReadyLocalization
import HomeReadySigning
import Hummingbird
import Logging

/// Mounts the dashboard's pages on a Hummingbird router.
///
/// Pages: `/` (fleet overview), `/overview/live` (the overview fragment the live script swaps in), `/equipment`,
/// `/agents`, `/agents/{id}`, `/agents/{id}/self-test-link` (admin, when self-test links are given), `/capacity`, `/alerts`, `/alerts/{id}/acknowledge` (admin), `/login`, `/logout`,
/// `/events` (Server-Sent Events) and `/static/{file}`. Every page but `/login` and `/static` needs a session.
public enum DashboardRoutes {
    /// Adds the dashboard routes to `router`.
    public static func add<Context: RequestContext>(
        to router: Router<Context>, dataSource: any DashboardDataSource, users: any DashboardUserStore,
        events: any DashboardEventSource, configuration: DashboardConfiguration = .init(),
        logger: Logger = Logger(label: "homeready.dashboard"), selfTestLinks: (any DashboardSelfTestLinks)? = nil,
        drills: (any DashboardDrills)? = nil, instructions: (any DashboardInstructions)? = nil,
        escalations: (any DashboardEscalations)? = nil
    ) throws {
        var handlers = DashboardHandlers(
            dataSource: dataSource, users: users, events: events, configuration: configuration,
            renderer: try DashboardRenderer(), logger: logger, selfTestLinks: selfTestLinks)
        handlers.drills = drills
        handlers.instructions = instructions
        handlers.escalations = escalations
        let base = handlers
        router.get("/") { request, _ in try await base.localized(request) { h in try await h.page(request) { try await h.overviewPage($0) } } }
        router.get("/overview/live") { request, _ in
            try await base.localized(request) { h in try await h.page(request) { _ in try await h.overviewFragment() } }
        }
        router.get("/equipment") { request, _ in
            try await base.localized(request) { h in try await h.page(request) { try await h.equipmentPage($0) } }
        }
        router.get("/agents") { request, _ in
            try await base.localized(request) { h in try await h.page(request) { try await h.agentsPage(request, $0) } }
        }
        router.get("/agents/:id") { request, context in
            let id = context.parameters.get("id") ?? ""
            return try await base.localized(request) { h in try await h.page(request) { try await h.agentPage(id: id, $0) } }
        }
        router.post("/agents/:id/self-test-link") { request, context in
            let id = context.parameters.get("id") ?? ""
            let host = request.head.authority ?? "localhost"
            let baseURL = configuration.publicBaseURL ?? "\(configuration.secureCookies ? "https" : "http")://\(host)"
            return try await base.localized(request) { h in
                try await h.form(request) { session, _ in try await h.createSelfTestLink(agentId: id, baseURL: baseURL, session) }
            }
        }
        router.get("/capacity") { request, _ in
            try await base.localized(request) { h in try await h.page(request) { try await h.capacityPage($0, form: nil) } }
        }
        router.post("/capacity") { request, _ in
            try await base.localized(request) { h in
                try await h.form(request) { session, form in try await h.capacityPage(session, form: form) }
            }
        }
        router.get("/alerts") { request, _ in
            try await base.localized(request) { h in try await h.page(request) { try await h.alertsPage($0, message: nil) } }
        }
        router.post("/alerts/:id/acknowledge") { request, context in
            let id = context.parameters.get("id") ?? ""
            return try await base.localized(request) { h in
                try await h.form(request) { session, _ in try await h.acknowledge(id: id, session) }
            }
        }
        router.get("/login") { request, _ in
            try await base.localized(request) { h in try h.loginPage(next: h.queryValue(request, "next"), error: nil, status: .ok) }
        }
        router.post("/login") { request, _ in try await base.localized(request) { h in try await h.login(request) } }
        router.post("/logout") { request, _ in
            try await base.localized(request) { h in try await h.form(request) { session, _ in try await h.logout(session) } }
        }
        addDrillRoutes(to: router, base: base)
        addInstructionRoutes(to: router, base: base)
        addEscalationRoutes(to: router, base: base)
        router.get("/events") { request, _ in try await base.eventStream(request) }
        router.get("/static/:file") { _, context in base.staticFile(context.parameters.get("file") ?? "") }
    }
}

/// The route handlers, independent of the router's context type.
struct DashboardHandlers: Sendable {
    let dataSource: any DashboardDataSource
    let users: any DashboardUserStore
    let events: any DashboardEventSource
    let configuration: DashboardConfiguration
    let renderer: DashboardRenderer
    let logger: Logger
    var selfTestLinks: (any DashboardSelfTestLinks)? = nil
    /// Continuity drills (`/drills`); nil leaves the drill pages out.
    var drills: (any DashboardDrills)? = nil
    /// Sends instructions from IT to agents (`/instructions`); nil leaves the page out.
    var instructions: (any DashboardInstructions)? = nil
    /// Escalations to acknowledge and resolve (`/escalations`); nil leaves the pages out.
    var escalations: (any DashboardEscalations)? = nil
    let hasher = PasswordHasher()
    /// The reader's language, figures and dates (English until `reading(_:)` picks the request's).
    var localizer: Localizer = .english
    /// The page requested, for the language switch: path and query.
    var requestPath = "/"
    var requestQuery: String? = nil

    static let sessionCookie = "hr_session"
    static let loginCookie = "hr_login"

    // MARK: Sessions

    func session(_ request: Request) async throws -> DashboardSession? {
        guard let token = request.cookies[Self.sessionCookie]?.value, token.count == 64 else { return nil }
        let id = SecretDigest.sha256Hex(token)
        guard let session = try await users.session(id: id) else { return nil }
        if session.expiresAt < Date() {
            try await users.deleteSession(id: id)
            return nil
        }
        return session
    }

    /// A GET page that needs a session: redirects to the sign-in page without one.
    func page(_ request: Request, _ body: (DashboardSession) async throws -> Response) async throws -> Response {
        guard let session = try await session(request) else {
            let next = request.uri.path + (request.uri.query.map { "?\($0)" } ?? "")
            return redirect("/login?next=\(percentEncode(next))")
        }
        return try await body(session)
    }

    /// A form POST: needs a session and the session's CSRF token in the `csrf` field.
    func form(_ request: Request, _ body: (DashboardSession, [String: String]) async throws -> Response)
        async throws -> Response
    {
        guard let session = try await session(request) else {
            return try errorPage(
                status: .unauthorized, title: localizer("dashboard.error.signed_out.title"),
                message: localizer("dashboard.error.signed_out.message"))
        }
        var request = request
        let buffer = try await request.collectBody(upTo: configuration.maxFormBytes)
        let fields = parseForm(String(buffer: buffer))
        guard let token = fields["csrf"], constantTimeEqual(token, session.csrfToken) else {
            logger.debug("dashboard.csrf.refused", metadata: ["dashboard.path": "\(request.uri.path)"])
            return try errorPage(
                status: .forbidden, title: localizer("dashboard.error.form_expired.title"),
                message: localizer("dashboard.error.form_expired.message"))
        }
        return try await body(session, fields)
    }

    // MARK: Sign-in

    func loginPage(next: String?, error: String?, status: HTTPResponse.Status) throws -> Response {
        let token = randomToken()
        let next = safeNext(next)
        var context = pageContext()
        context.merge(["csrf": token, "next": next, "error": error ?? "", "hasError": error != nil]) { $1 }
        let html = try renderer.render("login", context)
        var response = htmlResponse(html, status: status)
        response.setCookie(
            Cookie(
                name: Self.loginCookie, value: token, maxAge: 1800, path: "/login", secure: configuration.secureCookies,
                httpOnly: true, sameSite: .strict))
        return response
    }

    func login(_ request: Request) async throws -> Response {
        var request = request
        let buffer = try await request.collectBody(upTo: configuration.maxFormBytes)
        let fields = parseForm(String(buffer: buffer))
        guard let cookie = request.cookies[Self.loginCookie]?.value, let token = fields["csrf"],
            constantTimeEqual(cookie, token)
        else {
            return try errorPage(
                status: .forbidden, title: localizer("dashboard.error.form_expired.title"),
                message: localizer("dashboard.error.login_expired.message"))
        }
        let name = fields["username"] ?? "", password = fields["password"] ?? ""
        let user = try await users.user(named: name)
        // Verify against a dummy hash for unknown users so both paths cost the same.
        let ok = hasher.verify(password, against: user?.passwordHash ?? Self.dummyHash) && user != nil
        guard ok, let user else {
            logger.debug("dashboard.login.failed", metadata: ["dashboard.user": "\(name)"])
            return try loginPage(next: fields["next"], error: localizer("dashboard.login.wrong"), status: .unauthorized)
        }
        let sessionToken = randomToken()
        let now = Date()
        try await users.createSession(
            DashboardSession(
                id: SecretDigest.sha256Hex(sessionToken), userName: user.name, role: user.role, csrfToken: randomToken(),
                createdAt: now, expiresAt: now.addingTimeInterval(configuration.sessionLifetime)))
        logger.debug("dashboard.login.succeeded", metadata: ["dashboard.user": "\(user.name)"])
        var response = redirect(safeNext(fields["next"]))
        response.setCookie(
            Cookie(
                name: Self.sessionCookie, value: sessionToken, maxAge: Int(configuration.sessionLifetime), path: "/",
                secure: configuration.secureCookies, httpOnly: true, sameSite: .strict))
        response.setCookie(
            Cookie(
                name: Self.loginCookie, value: "", maxAge: 0, path: "/login", secure: configuration.secureCookies,
                httpOnly: true, sameSite: .strict))
        return response
    }

    func logout(_ session: DashboardSession) async throws -> Response {
        try await users.deleteSession(id: session.id)
        var response = redirect("/login")
        response.setCookie(
            Cookie(
                name: Self.sessionCookie, value: "", maxAge: 0, path: "/", secure: configuration.secureCookies,
                httpOnly: true, sameSite: .strict))
        return response
    }

    /// A valid hash of a random password, computed once.
    static let dummyHash = PasswordHasher().hash(randomToken())

    // MARK: Live

    func eventStream(_ request: Request) async throws -> Response {
        guard try await session(request) != nil else {
            return Response(status: .unauthorized)
        }
        let stream = events.events()
        let keepAlive = configuration.keepAliveSeconds
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let body = ResponseBody { writer in
            try await writer.write(ByteBuffer(string: "retry: 1000\n: connected\n\n"))
            try await withThrowingTaskGroup(of: Void.self) { group in
                let (merged, continuation) = AsyncStream.makeStream(of: String.self)
                group.addTask {
                    for await event in stream {
                        let json = (try? encoder.encode(event)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
                        continuation.yield("event: \(event.kind.rawValue)\ndata: \(json)\n\n")
                    }
                    continuation.finish()
                }
                group.addTask {
                    while !Task.isCancelled {
                        try await Task.sleep(for: .seconds(keepAlive))
                        continuation.yield(": keep-alive\n\n")
                    }
                }
                defer { group.cancelAll() }
                for await chunk in merged {
                    try await writer.write(ByteBuffer(string: chunk))
                }
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-cache",
                .init("X-Accel-Buffering")!: "no",
            ], body: body)
    }

    // MARK: Responses

    func staticFile(_ name: String) -> Response {
        guard let file = renderer.staticFiles[name] else { return Response(status: .notFound) }
        return Response(
            status: .ok,
            headers: [.contentType: file.contentType, .cacheControl: "public, max-age=300"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: file.data)))
    }

    func htmlResponse(_ html: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                .contentSecurityPolicy:
                    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
                .init("X-Content-Type-Options")!: "nosniff",
                .init("Referrer-Policy")!: "same-origin",
            ],
            body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    func errorPage(status: HTTPResponse.Status, title: String, message: String, session: DashboardSession? = nil)
        throws -> Response
    {
        var context = pageContext()
        context.merge(["title": title, "message": message]) { $1 }
        let content = try renderer.render("error", context)
        return try layout(content: content, title: title, nav: "", session: session, status: status)
    }

    /// Wraps a page body in the layout (navigation, user, sign-out form).
    func layout(
        content: String, title: String, nav: String, session: DashboardSession?, status: HTTPResponse.Status = .ok,
        scripts: [String] = []
    ) throws -> Response {
        let items = [
            "overview": "/", "equipment": "/equipment", "agents": "/agents", "capacity": "/capacity", "alerts": "/alerts",
            "drills": "/drills", "instructions": "/instructions", "escalations": "/escalations",
        ]
        let nav = (["overview", "equipment", "agents", "capacity", "alerts"] + (drills == nil ? [] : ["drills"])
            + (instructions == nil ? [] : ["instructions"]) + (escalations == nil ? [] : ["escalations"])).map {
            ["href": items[$0]!, "label": localizer("dashboard.nav.\($0)"), "current": $0 == nav] as [String: Any]
        }
        var context = pageContext()
        context.merge([
            "title": title, "content": content, "nav": session == nil ? [] : nav,
            "scripts": scripts.map { ["src": "/static/\($0)"] },
        ]) { $1 }
        if let session {
            context["user"] = [
                "name": session.userName, "role": localizer("dashboard.role.\(session.role.rawValue)"),
                "csrf": session.csrfToken,
            ]
        }
        return htmlResponse(try renderer.render("layout", context), status: status)
    }

    // MARK: Forms and queries

    func queryValue(_ request: Request, _ key: String) -> String? {
        parseForm(request.uri.query ?? "")[key]
    }

    func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\") else { return "/" }
        return next
    }
}

/// Parses `application/x-www-form-urlencoded` text (also a query string); the first value of a key wins.
func parseForm(_ text: String) -> [String: String] {
    var result: [String: String] = [:]
    for pair in text.split(separator: "&") {
        let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        func decode(_ s: Substring) -> String {
            String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
        }
        let key = decode(parts[0])
        if result[key] == nil { result[key] = parts.count > 1 ? decode(parts[1]) : "" }
    }
    return result
}

/// Percent-encodes a value for a query string.
func percentEncode(_ s: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~/")
    return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
}
