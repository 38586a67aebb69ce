import Foundation
import HomeReadyDashboard
import HomeReadyModel
import HomeReadyTestSupport
import Testing

@testable import HomeReadyServer

/// Headless Chromium against the REAL server (SQLite, demo data from `DemoData`), not the in-memory source:
/// sign-in through the form, a forged CSRF token refused, every page without console errors at desktop and
/// phone sizes, and a report posted through the API showing on the open overview within 2 s without a reload.
/// Screenshots go to `.build/dashboard-screenshots-server/` (or `$HOMEREADY_SCREENSHOTS`); copies are in
/// `docs/screenshots/`.
@Suite("Dashboard on the real server in a browser", .serialized)
struct DashboardBrowserServerTests {
    static let password = "correct horse battery staple"

    static var screenshotDirectory: URL {
        if let path = ProcessInfo.processInfo.environment["HOMEREADY_SCREENSHOTS"] { return URL(fileURLWithPath: path) }
        return TestEnvironment.packageRoot.appendingPathComponent(".build/dashboard-screenshots-server")
    }

    @Test("Real server with demo data: sign-in, CSRF, every page, live report from the API")
    func realServerJourney() async throws {
        try TestEnvironment.require([.chromium])
        try await Harness.with(.sqlite) { h in
            let outcome = try await DemoData(agents: 300, seed: 3, days: 10).run(on: h.repository, logger: Harness.logger)
            guard case .created = outcome else { Issue.record("demo data refused"); return }
            try await h.repository.upsertDashboardUser(
                DashboardUser(name: "ada", passwordHash: PasswordHasher().hash(Self.password), role: .admin), at: Date())
            let dashboard = SQLDashboard(repository: h.repository)
            // An agent that never reported and whose kit is complete: one passing report makes it ready.
            var target: AgentSummary?
            for candidate in try await dashboard.agents(matching: AgentQuery(readiness: .unknown, pageSize: 500)).agents {
                let input = try #require(try await h.repository.readinessInput(agentId: candidate.id))
                if EquipmentReadiness.of(requiredKinds: input.requiredKinds, items: input.items) == .complete {
                    target = candidate
                    break
                }
            }
            let agent = try #require(target, "the demo has a silent agent with a complete kit")
            let alertAgent = try #require(try await dashboard.alerts().first?.agentID, "the demo has regressions")

            let instance = try await LiveInstance.start(h.configuration)
            let browser = try await Browser.launch()
            defer { browser.close() }
            let page = browser.page
            let base = instance.base
            let shots = Self.screenshotDirectory
            do {
                try await page.navigate(to: "\(base)/")
                #expect(try await page.evaluate("location.pathname === '/login'") == "true")
                try await page.screenshot(to: shots.appendingPathComponent("login-1366x768.png"))

                // A forged CSRF token is refused; no session is created.
                try await page.performAndWaitForLoad(
                    """
                    document.querySelector('input[name=csrf]').value = 'forged';
                    document.getElementById('username').value = 'ada';
                    document.getElementById('password').value = '\(Self.password)';
                    document.querySelector('form').submit();
                    """)
                #expect(try await page.evaluate("document.querySelector('h1').textContent") == "\"Form expired\"")
                let sessions = try await h.store.withConnection { db in
                    try await db.raw("SELECT COUNT(*) AS n FROM dashboard_sessions").all().first?.int("n") ?? -1
                }
                #expect(sessions == 0)

                // A wrong password is refused; the right one signs in (session stored in the database).
                try await page.navigate(to: "\(base)/login")
                try await page.submitSignIn(user: "ada", password: "wrong password")
                #expect(try await page.evaluate("location.pathname === '/login'") == "true")
                try await page.submitSignIn(user: "ada", password: Self.password)
                #expect(try await page.evaluate("location.pathname === '/'") == "true")
                #expect(try await page.evaluate("document.cookie") == "\"\"", "the session cookie is HttpOnly")

                let pages: [(String, String)] = [
                    ("overview", "/"), ("equipment", "/equipment"), ("agents", "/agents"),
                    ("agent", "/agents/\(alertAgent)"), ("capacity", "/capacity"), ("alerts", "/alerts"),
                ]
                for (name, path) in pages {
                    try await page.setViewport(width: 1366, height: 768)
                    page.clearEvents()
                    try await page.navigate(to: base + path)
                    #expect(try await page.evaluate("document.querySelector('main h1') !== null") == "true", "\(path)")
                    try await Task.sleep(for: .milliseconds(200))
                    #expect(page.consoleErrors.isEmpty, "\(path): \(page.consoleErrors)")
                    try await page.screenshot(to: shots.appendingPathComponent("\(name)-1366x768.png"))
                    #expect(try await page.evaluate("document.documentElement.scrollWidth <= 1366") == "true", "\(path)")
                    try await page.setViewport(width: 390, height: 844, mobile: true)
                    try await page.navigate(to: base + path)
                    try await page.screenshot(to: shots.appendingPathComponent("\(name)-390x844.png"))
                    #expect(page.consoleErrors.isEmpty, "\(path) on a phone: \(page.consoleErrors)")
                }
                try await page.setViewport(width: 1366, height: 768)

                // An admin acknowledges an alert through the form (CSRF token from the page).
                try await page.navigate(to: "\(base)/alerts")
                try await page.performAndWaitForLoad("document.querySelector('main form button').click()")
                #expect(try await page.evaluate("location.pathname.startsWith('/alerts')") == "true")
                #expect(try await dashboard.alerts().contains { $0.acknowledgedBy == "ada" })

                // Live: a report posted through the API changes the open overview within 2 s, without a reload.
                try await page.navigate(to: "\(base)/")
                #expect(try await page.waitUntil("document.getElementById('live-status').textContent.includes('connected')", timeout: 5))
                try await page.evaluate("window.__marker = 'same page'")
                let readyBefore = try await page.evaluate("document.getElementById('count-ready').textContent")
                let directory = try TemporaryDirectory(prefix: "dashboard-browser")
                defer { directory.remove() }
                let sent = ContinuousClock.now
                let passing = try await completeReport(for: agent.id, employeeId: agent.employeeID, repository: h.repository)
                let status = try DashboardLiveTests.post(passing, to: instance, token: h.adminToken, in: directory)
                #expect(status == 201)
                let expected = "\"\(Int(readyBefore.trimmingCharacters(in: CharacterSet(charactersIn: "\"")))! + 1)\""
                let updated = try await page.waitUntil(
                    "document.getElementById('count-ready').textContent === \(expected) && document.getElementById('live-feed').textContent.includes('\(agent.id)')",
                    timeout: 2)
                let elapsed = ContinuousClock.now - sent
                #expect(updated, "overview did not update within 2 s")
                #expect(try await page.evaluate("window.__marker") == "\"same page\"", "no reload happened")
                print("dashboard.live real server: overview updated \(elapsed) after the POST")
                try await page.screenshot(to: shots.appendingPathComponent("overview-live-1366x768.png"))
                #expect(page.consoleErrors.isEmpty, "\(page.consoleErrors)")

                try await page.performAndWaitForLoad("document.querySelector('form.signout button').click()")
                #expect(try await page.evaluate("location.pathname === '/login'") == "true")
            } catch {
                Issue.record(error)
            }
            browser.close()
            await instance.stop()
        }
    }
}
