import Foundation
import HomeReadySigning
import Hummingbird
import HummingbirdTesting
import Testing

@testable import HomeReadyDashboard

@Suite("Dashboard sign-in, sessions and CSRF")
struct DashboardAuthTests {
    static let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    @Test("Signing in sets an HttpOnly SameSite=Strict session cookie, stored hashed")
    func signInSetsCookie() async throws {
        let fixture = try DashboardFixture()
        try await fixture.makeApplication().test(.router) { client in
            let form = try await client.execute(uri: "/login", method: .get)
            let loginCookie = try #require(setCookieHeader(form.headers, "hr_login"))
            #expect(loginCookie.contains("HttpOnly") && loginCookie.contains("SameSite=Strict"))
            let token = try #require(hiddenValue(String(buffer: form.body), "csrf"))
            let response = try await client.execute(
                uri: "/login", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded", .cookie: "hr_login=\(token)"],
                body: ByteBuffer(string: "csrf=\(token)&next=%2Fagents&username=ada&password=correct+horse+battery+staple"))
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "/agents")
            let cookie = try #require(setCookieHeader(response.headers, "hr_session"))
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Strict"))
            #expect(!cookie.contains("Secure"))
            let value = try #require(cookieValue(response.headers, "hr_session"))
            #expect(await fixture.users.session(id: value) == nil, "the raw token is not the stored id")
            #expect(await fixture.users.session(id: SecretDigest.sha256Hex(value))?.userName == "ada")
        }
    }

    @Test("Cookies are Secure when configured for TLS")
    func secureCookies() async throws {
        let fixture = try DashboardFixture(configuration: .init(secureCookies: true))
        try await fixture.makeApplication().test(.router) { client in
            let form = try await client.execute(uri: "/login", method: .get)
            #expect(setCookieHeader(form.headers, "hr_login")?.contains("Secure") == true)
        }
    }

    @Test("A wrong password or unknown user is refused with the same message")
    func wrongPassword() async throws {
        let fixture = try DashboardFixture()
        try await fixture.makeApplication().test(.router) { client in
            for (user, password) in [("ada", "wrong"), ("nobody", "whatever")] {
                let form = try await client.execute(uri: "/login", method: .get)
                let token = try #require(hiddenValue(String(buffer: form.body), "csrf"))
                let response = try await client.execute(
                    uri: "/login", method: .post,
                    headers: [.contentType: "application/x-www-form-urlencoded", .cookie: "hr_login=\(token)"],
                    body: ByteBuffer(string: "csrf=\(token)&username=\(user)&password=\(password)"))
                #expect(response.status == .unauthorized)
                #expect(String(buffer: response.body).contains("Wrong user name or password."))
                #expect(cookieValue(response.headers, "hr_session") == nil)
            }
        }
    }

    @Test("The sign-in form is refused without or with a wrong CSRF token")
    func loginCSRF() async throws {
        let fixture = try DashboardFixture()
        try await fixture.makeApplication().test(.router) { client in
            let missing = try await client.execute(
                uri: "/login", method: .post, headers: Self.form,
                body: ByteBuffer(string: "username=ada&password=correct+horse+battery+staple"))
            #expect(missing.status == .forbidden)
            let wrong = try await client.execute(
                uri: "/login", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded", .cookie: "hr_login=aaaa"],
                body: ByteBuffer(string: "csrf=bbbb&username=ada&password=correct+horse+battery+staple"))
            #expect(wrong.status == .forbidden)
            #expect(await fixture.users.sessionCount == 0)
        }
    }

    @Test("Form posts without or with a wrong CSRF token are refused")
    func formCSRF() async throws {
        let fixture = try DashboardFixture()
        try await fixture.makeApplication().test(.router) { client in
            let s = try await client.signIn("ada", DashboardFixture.adminPassword)
            let alert = try #require(await fixture.store.alerts().first)
            let bodies = ["", "csrf=", "csrf=\(String(s.csrf.reversed()))", "csrf=\(s.csrf.dropLast())"]
            for body in bodies {
                for path in ["/capacity", "/alerts/\(alert.id)/acknowledge", "/logout"] {
                    let response = try await client.execute(
                        uri: path, method: .post, headers: [.cookie: s.cookie, .contentType: "application/x-www-form-urlencoded"],
                        body: ByteBuffer(string: body + "&campaign=Billing&calls=1&interval=30&aht=1&sl=80&within=20&shrinkage=0"))
                    #expect(response.status == .forbidden, "\(path) with \(body)")
                }
            }
            #expect(await fixture.store.alerts().first?.acknowledgedBy == nil)
            #expect(await fixture.users.sessionCount == 1)
            // Another session's token is no good either.
            let other = try await client.signIn("pat", DashboardFixture.plannerPassword)
            let crossed = try await client.execute(
                uri: "/logout", method: .post, headers: [.cookie: s.cookie, .contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "csrf=\(other.csrf)"))
            #expect(crossed.status == .forbidden)
        }
    }

    @Test("A planner cannot acknowledge alerts; an admin can")
    func plannerCannotAcknowledge() async throws {
        let fixture = try DashboardFixture()
        try await fixture.makeApplication().test(.router) { client in
            let alert = try #require(await fixture.store.alerts().first)
            let planner = try await client.signIn("pat", DashboardFixture.plannerPassword)
            let plannerPage = try await client.execute(uri: "/alerts", method: .get, headers: [.cookie: planner.cookie])
            #expect(!String(buffer: plannerPage.body).contains("/acknowledge"))
            let refused = try await client.execute(
                uri: "/alerts/\(alert.id)/acknowledge", method: .post,
                headers: [.cookie: planner.cookie, .contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "csrf=\(planner.csrf)"))
            #expect(refused.status == .forbidden)
            #expect(await fixture.store.alerts().first { $0.id == alert.id }?.acknowledgedBy == nil)

            let admin = try await client.signIn("ada", DashboardFixture.adminPassword)
            let adminPage = try await client.execute(uri: "/alerts", method: .get, headers: [.cookie: admin.cookie])
            #expect(String(buffer: adminPage.body).contains("/alerts/\(alert.id)/acknowledge"))
            let done = try await client.execute(
                uri: "/alerts/\(alert.id)/acknowledge", method: .post,
                headers: [.cookie: admin.cookie, .contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "csrf=\(admin.csrf)"))
            #expect(done.status == .seeOther)
            #expect(await fixture.store.alerts().first { $0.id == alert.id }?.acknowledgedBy == "ada")
        }
    }

    @Test("Signing out ends the session")
    func signOut() async throws {
        let fixture = try DashboardFixture()
        try await fixture.makeApplication().test(.router) { client in
            let s = try await client.signIn("pat", DashboardFixture.plannerPassword)
            let out = try await client.execute(
                uri: "/logout", method: .post, headers: [.cookie: s.cookie, .contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "csrf=\(s.csrf)"))
            #expect(out.status == .seeOther)
            #expect(setCookieHeader(out.headers, "hr_session")?.contains("Max-Age=0") == true)
            let after = try await client.execute(uri: "/", method: .get, headers: [.cookie: s.cookie])
            #expect(after.status == .seeOther)
        }
    }

    @Test("Sign-in only redirects to local paths")
    func openRedirect() {
        let h = try! DashboardHandlersProbe.make()
        #expect(h.safeNext("https://evil.example/") == "/")
        #expect(h.safeNext("//evil.example/") == "/")
        #expect(h.safeNext("/\\evil") == "/")
        #expect(h.safeNext("/agents?q=x") == "/agents?q=x")
    }
}

enum DashboardHandlersProbe {
    static func make() throws -> DashboardHandlers {
        DashboardHandlers(
            dataSource: InMemoryDashboard(fleet: DemoFleet.generate(agents: 3, seed: 1)), users: InMemoryUserStore(),
            events: DashboardBroadcaster(), configuration: .init(), renderer: try DashboardRenderer(),
            logger: .init(label: "test"))
    }
}
