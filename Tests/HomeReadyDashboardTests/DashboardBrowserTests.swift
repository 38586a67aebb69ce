import Foundation
import HomeReadyTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

@testable import HomeReadyDashboard

/// Real-browser tests: headless Chromium (Debian's `chromium`) against a live server on 127.0.0.1 with the demo
/// fleet, driven over the DevTools protocol (`Browser` in HomeReadyTestSupport). Screenshots of every page at
/// 1366×768 and 390×844 go to `.build/dashboard-screenshots/` (or `$HOMEREADY_SCREENSHOTS`).
@Suite("Dashboard in a real browser", .serialized)
struct DashboardBrowserTests {
    static var screenshotDirectory: URL {
        if let path = ProcessInfo.processInfo.environment["HOMEREADY_SCREENSHOTS"] { return URL(fileURLWithPath: path) }
        return TestEnvironment.packageRoot.appendingPathComponent(".build/dashboard-screenshots")
    }

    @Test("Sign-in, CSRF, every page without console errors, screenshots, and live updates within 2 s")
    func browserJourney() async throws {
        try TestEnvironment.require([.chromium])
        let fixture = try DashboardFixture(agents: 500, configuration: .init(keepAliveSeconds: 1))
        try await fixture.makeApplication().test(.live) { client in
            let base = "http://127.0.0.1:\(try #require(client.port))"
            let browser = try await Browser.launch()
            defer {
                fixture.broadcaster.finishAll()
                browser.close()
            }
            let page = browser.page
            let shots = Self.screenshotDirectory

            // Not signed in: the overview sends us to the sign-in page.
            try await page.navigate(to: "\(base)/")
            #expect(try await page.evaluate("location.pathname === '/login'") == "true")
            #expect(page.consoleErrors.isEmpty, "\(page.consoleErrors)")
            try await page.screenshot(to: shots.appendingPathComponent("login-1366x768.png"))

            // A tampered CSRF token is refused by the server.
            try await page.performAndWaitForLoad(
                """
                document.querySelector('input[name=csrf]').value = 'forged';
                document.getElementById('username').value = 'ada';
                document.getElementById('password').value = '\(DashboardFixture.adminPassword)';
                document.querySelector('form').submit();
                """)
            #expect(try await page.evaluate("document.querySelector('h1').textContent") == "\"Form expired\"")
            #expect(await fixture.users.sessionCount == 0)

            // The real form signs in and lands on the overview.
            try await page.navigate(to: "\(base)/login")
            try await page.submitSignIn(user: "ada", password: DashboardFixture.adminPassword)
            #expect(try await page.evaluate("location.pathname === '/'") == "true")
            #expect(try await page.evaluate("document.cookie") == "\"\"", "the session cookie is HttpOnly")

            // Every page renders without console errors, at desktop and phone sizes.
            let alertAgent = try #require(await fixture.store.alerts().first?.agentID)
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
                // Nothing overflows the desktop width.
                #expect(try await page.evaluate("document.documentElement.scrollWidth <= 1366") == "true", "\(path)")
                try await page.setViewport(width: 390, height: 844, mobile: true)
                try await page.navigate(to: base + path)
                try await page.screenshot(to: shots.appendingPathComponent("\(name)-390x844.png"))
                #expect(page.consoleErrors.isEmpty, "\(path) on a phone: \(page.consoleErrors)")
            }
            try await page.setViewport(width: 1366, height: 768)

            // The capacity form works in the browser (CSRF token from the page).
            try await page.navigate(to: "\(base)/capacity")
            try await page.performAndWaitForLoad(
                """
                document.getElementById('calls').value = '100'; document.getElementById('aht').value = '180';
                document.getElementById('shrinkage').value = '0';
                document.querySelector('form.filters button').click();
                """)
            #expect(try await page.evaluate("document.getElementById('required').textContent") == "\"14\"")

            // Live: a new report changes the overview without a reload, within 2 s.
            try await page.navigate(to: "\(base)/")
            #expect(try await page.waitUntil("document.getElementById('live-status').textContent.includes('connected')", timeout: 5))
            try await page.evaluate("window.__marker = 'same page'")
            let readyBefore = try await page.evaluate("document.getElementById('count-ready').textContent")
            let target = try #require(await fixture.store.agents(matching: AgentQuery(readiness: .notReady)).agents.first)
            let sent = ContinuousClock.now
            await fixture.store.record(
                report: ReportPoint(
                    at: Date(), downloadMbps: 250, uploadMbps: 40, latencyIdleMs: 11, latencyLoadedMs: 28, jitterMs: 1.5,
                    mos: 4.35, passed: true), for: target.id, readiness: .ready)
            let expected = "\"\(Int(readyBefore.trimmingCharacters(in: CharacterSet(charactersIn: "\"")))! + 1)\""
            let updated = try await page.waitUntil(
                "document.getElementById('count-ready').textContent === \(expected) && document.getElementById('live-feed').textContent.includes('\(target.id)')",
                timeout: 2)
            let elapsed = ContinuousClock.now - sent
            #expect(updated, "overview did not update within 2 s")
            #expect(try await page.evaluate("window.__marker") == "\"same page\"", "no reload happened")
            print("dashboard.live: overview updated \(elapsed) after the report")
            try await page.screenshot(to: shots.appendingPathComponent("overview-live-1366x768.png"))
            #expect(page.consoleErrors.isEmpty, "\(page.consoleErrors)")

            // The console-error check is not vacuous: a real console.error is caught.
            try await page.evaluate("console.error('probe error')")
            try await Task.sleep(for: .milliseconds(100))
            #expect(page.consoleErrors.contains { $0.contains("probe error") })

            // Sign out through the form.
            try await page.performAndWaitForLoad("document.querySelector('form.signout button').click()")
            #expect(try await page.evaluate("location.pathname === '/login'") == "true")
        }
    }
}
