import Foundation
import HomeReadyDashboard
import HomeReadyModel
import HomeReadyTestSupport
import Testing

@testable import HomeReadyServer

/// The live drill view in headless Chromium against the real server (SQLite): a planner signs in, starts a
/// drill from the form, and watches the page's ready share move as agents' devices post signed reports, without
/// a reload. Screenshots go to `.build/dashboard-screenshots-server/` (or `$HOMEREADY_SCREENSHOTS`).
@Suite("Drill view in a browser", .serialized)
struct DrillBrowserTests {
    @Test("start a drill from the form; signed reports move the ready share on the open page without a reload")
    func liveDrillView() async throws {
        try TestEnvironment.require([.chromium])
        try await Harness.with(.sqlite) { h in
            let password = "correct horse battery staple"
            try await h.repository.upsertDashboardUser(
                DashboardUser(name: "grace", passwordHash: PasswordHasher().hash(password), role: .planner), at: Date())
            let instance = try await LiveInstance.start(h.configuration)
            let browser = try await Browser.launch()
            defer { browser.close() }
            let page = browser.page
            let base = instance.base
            let shots = DashboardBrowserServerTests.screenshotDirectory
            do {
                let (_, _, devices) = try await DrillAPITests.fleet(port: instance.port, admin: h.adminToken)
                try await page.navigate(to: "\(base)/login?next=/drills")
                try await page.submitSignIn(user: "grace", password: password)
                #expect(try await page.evaluate("location.pathname") == "\"/drills\"")
                // Start a drill over campaign Voz (E1…E4) with the form.
                try await page.performAndWaitForLoad(
                    """
                    const scope = document.getElementById('drill-scope');
                    scope.value = [...scope.options].find(o => o.textContent === 'Voz').value;
                    document.getElementById('drill-deadline').value = '30';
                    document.getElementById('drill-target').value = '75';
                    document.getElementById('drill-name').value = 'Simulacro en vivo';
                    document.getElementById('drill-form').submit();
                    """)
                #expect(try await page.evaluate("location.pathname.startsWith('/drills/')") == "true")
                #expect(
                    try await page.evaluate("document.getElementById('drill-ready-share').dataset.ready") == "\"0\"")
                #expect(
                    try await page.waitUntil(
                        "document.getElementById('live-status').textContent.includes('connected')", timeout: 5))
                try await page.evaluate("window.__marker = 'same page'")

                // E1 passes: the share moves to 1 of 4 without a reload.
                var sent = ContinuousClock.now
                #expect(
                    try await DrillAPITests.postSigned(port: instance.port, devices["E1"]!, outcome: .passing).status
                        == 201)
                #expect(
                    try await page.waitUntil(
                        "document.getElementById('drill-ready-share').dataset.ready === '1'", timeout: 3),
                    "the page did not update")
                print("drill.live: ready share updated \(ContinuousClock.now - sent) after the POST")
                // E2 claims ready but fails: still 1 ready, E2 leaves the not-answered list, its cause shows.
                #expect(
                    try await DrillAPITests.postSigned(port: instance.port, devices["E2"]!, outcome: .failing).status
                        == 201)
                #expect(
                    try await page.waitUntil(
                        "document.getElementById('drill-not-answered').textContent.trim() === '2' && document.getElementById('drill-causes') !== null",
                        timeout: 3))
                #expect(
                    try await page.evaluate("document.getElementById('drill-ready-share').dataset.ready") == "\"1\"")
                // E3 passes: 2 of 4, half: time to 50 % appears.
                sent = ContinuousClock.now
                #expect(
                    try await DrillAPITests.postSigned(port: instance.port, devices["E3"]!, outcome: .passing).status
                        == 201)
                #expect(
                    try await page.waitUntil(
                        "document.getElementById('drill-ready-share').dataset.ready === '2'", timeout: 3))
                print("drill.live: second update \(ContinuousClock.now - sent) after the POST")
                #expect(
                    try await page.evaluate("document.getElementById('drill-ready-share').textContent.includes('50')")
                        == "true")
                #expect(try await page.evaluate("/\\d/.test(document.getElementById('kpi-t50').textContent)") == "true")
                #expect(try await page.evaluate("document.querySelectorAll('#drill-silent tbody tr').length") == "1")
                #expect(try await page.evaluate("window.__marker") == "\"same page\"", "no reload happened")
                #expect(
                    try await page.evaluate("document.querySelector('#drill-chart polyline.ready') !== null") == "true")
                try await page.screenshot(to: shots.appendingPathComponent("drill-live-1366x768.png"), fullPage: true)
                // The history lists it; Spanish on request.
                try await page.navigate(to: "\(base)/drills?lang=es")
                #expect(
                    try await page.evaluate("document.querySelector('main h1').textContent")
                        == "\"Simulacros de continuidad\"")
                #expect(
                    try await page.evaluate(
                        "document.getElementById('drill-history').textContent.includes('Simulacro en vivo')") == "true")
                try await page.screenshot(to: shots.appendingPathComponent("drills-es-1366x768.png"))
                #expect(page.consoleErrors.isEmpty, "\(page.consoleErrors)")
            } catch {
                Issue.record(error)
            }
            browser.close()
            await instance.stop()
        }
    }
}
