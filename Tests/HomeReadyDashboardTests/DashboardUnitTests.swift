import Foundation
import HomeReadyScoring
import Testing

@testable import HomeReadyDashboard

@Suite("Dashboard building blocks")
struct DashboardUnitTests {
    @Test("PBKDF2-HMAC-SHA256 matches the RFC 7914 test vector")
    func pbkdf2Vector() {
        // RFC 7914 section 11: PBKDF2-HMAC-SHA256, P="passwd", S="salt", c=1, dkLen=64.
        let derived = PasswordHasher.pbkdf2(password: Data("passwd".utf8), salt: Data("salt".utf8), iterations: 1, length: 64)
        #expect(
            derived.map { String(format: "%02x", $0) }.joined()
                == "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
                + "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783")
    }

    @Test("Password hashes use at least 210,000 iterations, a random salt, and verify")
    func passwordHashing() {
        let hash = DashboardFixture.adminHash
        #expect(hash.hasPrefix("pbkdf2-sha256$210000$"))
        let hasher = PasswordHasher(iterations: 1000)
        #expect(hasher.iterations == 210_000)
        #expect(hasher.verify(DashboardFixture.adminPassword, against: hash))
        #expect(!hasher.verify("correct horse battery stapler", against: hash))
        #expect(!hasher.verify("x", against: "garbage"))
        #expect(DashboardFixture.adminHash != DashboardFixture.plannerHash)
    }

    @Test("Constant-time comparison")
    func constantTime() {
        #expect(constantTimeEqual("abc", "abc"))
        #expect(!constantTimeEqual("abc", "abd"))
        #expect(!constantTimeEqual("abc", "abcd"))
    }

    @Test("The capacity page staffs a forecast with Scoring's Erlang C plan: the classic 10-Erlang example")
    func capacityRow() throws {
        // 10 Erlangs, AHT 180 s, 80% in 20 s: 13 agents hold 79.56% (just short), 14 hold 88.84%; 30% shrinkage
        // makes 20 heads; 15 ready heads give 10 on the phones, which cannot hold any service level.
        let handlers = try DashboardHandlersProbe.make()
        let row = handlers.staffingRow(
            CapacityForecast(callsPerInterval: 100, intervalSeconds: 1800, ahtSeconds: 180, serviceLevel: 0.8,
                targetSeconds: 20, shrinkage: 0.3), ready: 15)
        #expect(row["traffic"] as? String == "10.0")
        #expect(row["onPhones"] as? Int == 14)
        #expect(row["rostered"] as? Int == 20)
        #expect(row["gap"] as? Int == -5)
        #expect(row["held"] as? String == "0.0%")
    }

    @Test("The demo fleet is reproducible and realistic")
    func demoFleet() async {
        let now = DashboardFixture.now
        let a = DemoFleet.generate(agents: 500, seed: 7, now: now)
        let b = DemoFleet.generate(agents: 500, seed: 7, now: now)
        #expect(a.agents == b.agents)
        #expect(a.agents.count == 500)
        let store = InMemoryDashboard(fleet: a, now: { now })
        let overview = await store.overview()
        #expect(overview.total.total == 500)
        #expect(overview.total.ready > 200 && overview.total.ready < 350)
        #expect(overview.bySite.count == 4 && overview.byCampaign.count == 3)
        #expect(overview.burnUps.allSatisfy { $0.history.count == 31 && $0.cutover > now })
        let funnel = await store.equipmentFunnel()
        #expect(funnel.requested >= funnel.shipped && funnel.shipped >= funnel.delivered && funnel.delivered >= funnel.verified)
        #expect(funnel.requested == 1500)
        #expect(!funnel.overdue.isEmpty)
        #expect(!(await store.alerts()).isEmpty)
    }

    @Test("The broadcaster reaches every subscriber and forgets finished ones")
    func broadcaster() async {
        let broadcaster = DashboardBroadcaster()
        let one = broadcaster.events(), two = broadcaster.events()
        #expect(broadcaster.subscriberCount == 2)
        let event = DashboardEvent(kind: .report, agentID: "A1", agentName: "Ana", summary: "check passed", at: Date())
        broadcaster.publish(event)
        broadcaster.finishAll()
        var received: [DashboardEvent] = []
        for await e in one { received.append(e) }
        for await e in two { received.append(e) }
        #expect(received == [event, event])
        #expect(broadcaster.subscriberCount == 0)
    }

    @Test("Charts are accessible SVG with escaped labels")
    func charts() {
        let svg = SVGChart.readinessBars(
            id: "t", title: "By <site>", rows: [ReadinessRollup(name: "A&B", counts: .init(ready: 3, notReady: 1))],
            localizer: .english)
        #expect(svg.hasPrefix("<svg"))
        #expect(svg.contains("role=\"img\""))
        #expect(svg.contains("<title id=\"t-title\">By &lt;site&gt;</title>"))
        #expect(svg.contains("A&amp;B"))
        let line = SVGChart.line(
            id: "l", title: "MOS", unit: "MOS", series: [.init(name: "MOS", color: "#000", points: [(0, 4), (86400, 3.9)])],
            localizer: .english)
        #expect(line.contains("<polyline"))
    }
}

@Suite("Dashboard demo")
struct DashboardDemoTests {
    @Test("The demo bundle signs in its users and demo reports reach subscribers")
    func demoBundle() async throws {
        let demo = InMemoryDashboard.demo(agents: 30, adminPassword: "a-long-admin-pw", plannerPassword: "a-planner-pw")
        let admin = try #require(await demo.users.user(named: "admin"))
        #expect(admin.role == .admin)
        #expect(PasswordHasher().verify("a-long-admin-pw", against: admin.passwordHash))
        let stream = demo.events.events()
        let id = try #require(await demo.dashboard.recordDemoReport(seed: 9))
        var iterator = stream.makeAsyncIterator()
        let event = await iterator.next()
        #expect(event?.agentID == id)
        #expect(event?.kind == .report)
    }
}
