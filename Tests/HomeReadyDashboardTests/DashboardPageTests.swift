import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import HomeReadyDashboard

@Suite("Dashboard pages")
struct DashboardPageTests {
    @Test("Every page redirects to sign-in without a session")
    func pagesNeedASession() async throws {
        let fixture = try DashboardFixture()
        try await fixture.makeApplication().test(.router) { client in
            for path in ["/", "/equipment", "/agents", "/agents/A0001", "/capacity", "/alerts", "/overview/live"] {
                let response = try await client.execute(uri: path, method: .get)
                #expect(response.status == .seeOther, "\(path)")
                #expect(response.headers[.location]?.hasPrefix("/login?next=") == true, "\(path)")
            }
            let events = try await client.execute(uri: "/events", method: .get)
            #expect(events.status == .unauthorized)
        }
    }

    @Test("Every page renders for a signed-in planner with landmarks, headings and charts")
    func pagesRender() async throws {
        let fixture = try DashboardFixture()
        try await fixture.makeApplication().test(.router) { client in
            let s = try await client.signIn("pat", DashboardFixture.plannerPassword)
            let expectations: [(String, [String])] = [
                ("/", ["<h1>Fleet overview</h1>", "id=\"count-ready\"", "Burn-up toward cutover", "<svg", "By team"]),
                ("/equipment", ["Equipment rollout", "Requested:", "Overdue shipments", "Faulty items"]),
                ("/agents", ["<h1>Agents</h1>", "120 agents match", "<label for=\"q\">", "<a href=\"/agents/A0"]),
                ("/agents/A0001", ["Report history", "Equipment timeline", "Failing posture checks"]),
                ("/capacity", ["Capacity planner", "Erlang C", "Retail Care", "name=\"csrf\""]),
                ("/alerts", ["<h1>Alerts</h1>"]),
            ]
            for (path, needles) in expectations {
                let response = try await client.execute(uri: path, method: .get, headers: [.cookie: s.cookie])
                #expect(response.status == .ok, "\(path)")
                let html = String(buffer: response.body)
                #expect(html.contains("<main id=\"main\""), "\(path) has a main landmark")
                #expect(html.contains("<nav aria-label=\"Main\">"), "\(path) has navigation")
                #expect(response.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
                for needle in needles { #expect(html.contains(needle), "\(path) shows \(needle)") }
            }
        }
    }

    @Test("Agent list filters, searches and paginates")
    func agentListFilters() async throws {
        let fixture = try DashboardFixture()
        try await fixture.makeApplication().test(.router) { client in
            let s = try await client.signIn("pat", DashboardFixture.plannerPassword)
            let all = await fixture.store.agents(matching: AgentQuery(pageSize: 500))
            let notReady = all.agents.filter { $0.readiness == .notReady }
            let response = try await client.execute(
                uri: "/agents?readiness=not-ready&q=", method: .get, headers: [.cookie: s.cookie])
            #expect(String(buffer: response.body).contains("\(notReady.count) agents match"))
            let someone = all.agents[7]
            let search = try await client.execute(
                uri: "/agents?q=\(someone.employeeID)", method: .get, headers: [.cookie: s.cookie])
            let html = String(buffer: search.body)
            #expect(html.contains("1 agent matches"))
            #expect(html.contains(someone.name))
            // Keyset links: the next page starts after the last agent shown, the previous one ends before the first.
            let page1 = try await client.execute(uri: "/agents", method: .get, headers: [.cookie: s.cookie])
            let html1 = String(buffer: page1.body)
            #expect(html1.contains("page 1 of 3") && !html1.contains("rel=\"prev\""))
            let sorted = all.agents.sorted { AgentCursor(of: $0) < AgentCursor(of: $1) }
            let after = AgentCursor(of: sorted[49]).token
            #expect(html1.contains("href=\"/agents?page=2&amp;after=\(after)\""))
            let page2 = try await client.execute(
                uri: "/agents?page=2&after=\(after)", method: .get, headers: [.cookie: s.cookie])
            let html2 = String(buffer: page2.body)
            #expect(html2.contains("page 2 of 3"))
            #expect(html2.contains(sorted[50].name) && !html2.contains(">\(sorted[49].name)<"))
            #expect(html2.contains("href=\"/agents?page=1&amp;before=\(AgentCursor(of: sorted[50]).token)\""))
            #expect(html2.contains("href=\"/agents?page=3&amp;after=\(AgentCursor(of: sorted[99]).token)\""))
            // A bookmarked page number without a cursor still opens that page.
            let bookmarked = try await client.execute(uri: "/agents?page=2", method: .get, headers: [.cookie: s.cookie])
            #expect(String(buffer: bookmarked.body).contains("page 2 of 3"))
        }
    }

    @Test("An unknown agent is a 404 page, not an error")
    func unknownAgent() async throws {
        let fixture = try DashboardFixture()
        try await fixture.makeApplication().test(.router) { client in
            let s = try await client.signIn("pat", DashboardFixture.plannerPassword)
            let response = try await client.execute(uri: "/agents/NOPE", method: .get, headers: [.cookie: s.cookie])
            #expect(response.status == .notFound)
            #expect(String(buffer: response.body).contains("No agent has the id NOPE"))
        }
    }

    @Test("The capacity form computes agents required against agents ready and rejects bad numbers")
    func capacityForm() async throws {
        let fixture = try DashboardFixture()
        try await fixture.makeApplication().test(.router) { client in
            let s = try await client.signIn("pat", DashboardFixture.plannerPassword)
            let good = try await client.execute(
                uri: "/capacity", method: .post,
                headers: [.cookie: s.cookie, .contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(
                    string: "csrf=\(s.csrf)&campaign=Billing&calls=100&interval=30&aht=180&sl=80&within=20&shrinkage=0"))
            #expect(good.status == .ok)
            let html = String(buffer: good.body)
            // 100 calls × 180 s / 1800 s = 10 Erlangs; 80/20 needs 14 agents (13 hold only 79.6%).
            #expect(html.contains("10.0 Erlangs offered"))
            #expect(html.contains("<strong id=\"required\">14</strong>"))
            let bad = try await client.execute(
                uri: "/capacity", method: .post,
                headers: [.cookie: s.cookie, .contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "csrf=\(s.csrf)&campaign=Billing&calls=lots&interval=30&aht=0&sl=80&within=20&shrinkage=30"))
            #expect(bad.status == .badRequest)
            let badHTML = String(buffer: bad.body)
            #expect(badHTML.contains("Calls per interval must be a number"))
            #expect(badHTML.contains("Average handling time must be a number of seconds above 0"))
        }
    }

    @Test("Static files are served with their content types")
    func staticFiles() async throws {
        let fixture = try DashboardFixture()
        try await fixture.makeApplication().test(.router) { client in
            let css = try await client.execute(uri: "/static/dashboard.css", method: .get)
            #expect(css.status == .ok)
            #expect(css.headers[.contentType] == "text/css; charset=utf-8")
            let js = try await client.execute(uri: "/static/live.js", method: .get)
            #expect(String(buffer: js.body).contains("EventSource"))
            let missing = try await client.execute(uri: "/static/nothing.js", method: .get)
            #expect(missing.status == .notFound)
        }
    }

    @Test("The live overview fragment reflects a newly recorded report")
    func liveFragmentChanges() async throws {
        let fixture = try DashboardFixture()
        try await fixture.makeApplication().test(.router) { client in
            let s = try await client.signIn("pat", DashboardFixture.plannerPassword)
            let before = await fixture.store.overview().total
            let notReady = await fixture.store.agents(matching: AgentQuery(readiness: .notReady)).agents[0]
            await fixture.store.record(
                report: ReportPoint(
                    at: DashboardFixture.now, downloadMbps: 200, uploadMbps: 30, latencyIdleMs: 12, latencyLoadedMs: 30,
                    jitterMs: 2, mos: 4.3, passed: true), for: notReady.id, readiness: .ready)
            let response = try await client.execute(uri: "/overview/live", method: .get, headers: [.cookie: s.cookie])
            #expect(String(buffer: response.body).contains("<span class=\"n\" id=\"count-ready\">\(before.ready + 1)</span>"))
        }
    }
}
