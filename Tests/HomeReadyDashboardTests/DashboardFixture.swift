import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import HomeReadyDashboard

/// A dashboard over the demo fleet with an admin and a planner, shared by the tests.
struct DashboardFixture: Sendable {
    static let adminPassword = "correct horse battery staple"
    static let plannerPassword = "planner pass 1234"
    /// Hashing at 210,000 iterations takes a while in debug builds: do it once per test process.
    static let adminHash = PasswordHasher().hash(adminPassword)
    static let plannerHash = PasswordHasher().hash(plannerPassword)
    static let now = Date(timeIntervalSince1970: 1_795_000_000)

    let store: InMemoryDashboard
    let users: InMemoryUserStore
    let broadcaster: DashboardBroadcaster
    let configuration: DashboardConfiguration

    init(agents: Int = 120, configuration: DashboardConfiguration = .init()) throws {
        broadcaster = DashboardBroadcaster()
        let now = Self.now
        store = InMemoryDashboard(
            fleet: DemoFleet.generate(agents: agents, seed: 42, now: now), broadcaster: broadcaster, now: { now })
        users = InMemoryUserStore(users: [
            DashboardUser(name: "ada", passwordHash: Self.adminHash, role: .admin),
            DashboardUser(name: "pat", passwordHash: Self.plannerHash, role: .planner),
        ])
        self.configuration = configuration
    }

    /// An application serving the dashboard on 127.0.0.1 (port 0 for `.live`).
    func makeApplication() throws -> some ApplicationProtocol {
        let router = Router()
        try DashboardRoutes.add(
            to: router, dataSource: store, users: users, events: broadcaster, configuration: configuration)
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }
}

/// A signed-in test client: the session cookie and the page's CSRF token.
struct SignedIn {
    var cookie: String
    var csrf: String
}

extension TestClientProtocol {
    /// Signs in through the real form (login CSRF cookie + field) and returns the session.
    func signIn(_ user: String, _ password: String) async throws -> SignedIn {
        let form = try await execute(uri: "/login", method: .get)
        let loginCookie = try #require(cookieValue(form.headers, "hr_login"))
        let token = try #require(hiddenValue(String(buffer: form.body), "csrf"))
        let body = "csrf=\(token)&next=%2F&username=\(user)&password=\(password.replacingOccurrences(of: " ", with: "+"))"
        let response = try await execute(
            uri: "/login", method: .post,
            headers: [.contentType: "application/x-www-form-urlencoded", .cookie: "hr_login=\(loginCookie)"],
            body: ByteBuffer(string: body))
        #expect(response.status == .seeOther)
        let session = try #require(cookieValue(response.headers, "hr_session"))
        let page = try await execute(uri: "/", method: .get, headers: [.cookie: "hr_session=\(session)"])
        let csrf = try #require(hiddenValue(String(buffer: page.body), "csrf"))
        return SignedIn(cookie: "hr_session=\(session)", csrf: csrf)
    }
}

/// The value of cookie `name` in the response's Set-Cookie headers.
func cookieValue(_ headers: HTTPFields, _ name: String) -> String? {
    for field in headers[values: .setCookie] {
        let first = field.split(separator: ";").first ?? ""
        let parts = first.split(separator: "=", maxSplits: 1)
        if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == name { return String(parts[1]) }
    }
    return nil
}

/// The full Set-Cookie header for cookie `name`.
func setCookieHeader(_ headers: HTTPFields, _ name: String) -> String? {
    headers[values: .setCookie].first { $0.hasPrefix("\(name)=") }
}

/// The value of the first hidden input named `name` in an HTML page.
func hiddenValue(_ html: String, _ name: String) -> String? {
    guard let range = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
    let rest = html[range.upperBound...]
    return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
}
