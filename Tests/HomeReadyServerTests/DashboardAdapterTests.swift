import Foundation
import HomeReadyDashboard
import HomeReadyModel
import Testing

@testable import HomeReadyServer

/// The SQL adapter behind the dashboard, on SQLite and PostgreSQL, with a demo fleet and hand-made regressions.
@Suite("Dashboard over the inventory database")
struct DashboardAdapterTests {
    static let now = Date(timeIntervalSince1970: 1_795_000_000)  // fixed: the demo is reproducible

    @Test("Demo data fills every page's data and refuses a non-empty database", arguments: TestBackend.available)
    func demoFleetFeedsEveryPage(_ backend: TestBackend) async throws {
        try await Harness.with(backend) { h in
            let outcome = try await DemoData(agents: 40, seed: 7, days: 4).run(
                on: h.repository, now: Self.now, logger: Harness.logger)
            guard case .created(let summary) = outcome else { Issue.record("refused: \(outcome)"); return }
            #expect(summary.agents == 40)
            #expect(summary.reports > 40)
            #expect(summary.items >= 100)
            let again = try await DemoData(agents: 5).run(on: h.repository, now: Self.now, logger: Harness.logger)
            #expect(again == .refused(existingAgents: 40))

            let dashboard = SQLDashboard(repository: h.repository, now: { Self.now })
            let overview = try await dashboard.overview()
            #expect(overview.total.total == 40)
            #expect(overview.byCampaign.map(\.name) == ["Billing", "Retail Care", "Tech Support"])
            #expect(overview.bySite.reduce(0) { $0 + $1.counts.total } == 40)
            #expect(overview.byTeam.count == 9)
            #expect(overview.burnUps.count == 3)
            for burnUp in overview.burnUps {
                #expect(burnUp.history.count == 4, "3 snapshot days + today for \(burnUp.campaign)")
                #expect(burnUp.cutover > Self.now)
                #expect(burnUp.target > 0)
            }
            #expect(overview.total.ready > 0 && overview.total.notReady > 0)

            let funnel = try await dashboard.equipmentFunnel()
            #expect(funnel.requested == summary.items)
            #expect(funnel.requested >= funnel.shipped && funnel.shipped >= funnel.delivered)
            #expect(funnel.delivered >= funnel.verified && funnel.verified > 0)
            // The funnel's kept counts (migration 18) are what counting the audit log gives, also after API events.
            let item = try await h.repository.createItem(NewItem(kind: "headset", model: "spare", agentId: nil), actor: "test")
            _ = try await h.repository.applyEvent(itemId: item.id, event: EquipmentEvent(.allocate), actor: "test", at: Self.now)
            let counted = try await h.repository.store.withConnection { db in
                try await db.raw("SELECT to_state, COUNT(DISTINCT item_id) AS n FROM equipment_audit GROUP BY to_state").all()
                    .reduce(into: [String: Int]()) { $0[try $1.string("to_state")] = try $1.int("n") }
            }
            let kept = try await dashboard.equipmentFunnel()
            #expect(kept.requested == summary.items + 1 && counted["requested"] == kept.requested)
            #expect(counted["shipped"] == kept.shipped)
            #expect(counted["delivered"] == kept.delivered && counted["verified"] == kept.verified)

            let all = try await dashboard.agents(matching: AgentQuery(pageSize: 15))
            #expect(all.total == 40 && all.agents.count == 15)
            #expect(all.sites.count == 4 && all.campaigns.count == 3 && all.teams.count == 9)
            let third = try await dashboard.agents(matching: AgentQuery(page: 3, pageSize: 15))
            #expect(third.agents.count == 10)
            #expect(Set(all.agents.map(\.id)).isDisjoint(with: third.agents.map(\.id)))
            // Keyset pages: forward by `after` to the end, then back by `before`, each agent once, in name order.
            var forward: [AgentSummary] = []
            var page = all
            forward += page.agents
            while let next = page.next {
                page = try await dashboard.agents(matching: AgentQuery(after: next, pageSize: 15))
                forward += page.agents
            }
            #expect(forward.count == 40 && Set(forward.map(\.id)).count == 40)
            #expect(forward.map(\.name) == forward.map(\.name).sorted() && page.agents.count == 10)
            var backward = page.agents
            while let previous = page.previous {
                page = try await dashboard.agents(matching: AgentQuery(before: previous, pageSize: 15))
                backward = page.agents + backward
            }
            #expect(backward.map(\.id) == forward.map(\.id) && page.page == 1)
            let notReady = try await dashboard.agents(matching: AgentQuery(readiness: .notReady, pageSize: 2))
            let notReadyCursor = try #require(notReady.next)
            let notReadyNext = try await dashboard.agents(
                matching: AgentQuery(readiness: .notReady, after: notReadyCursor, pageSize: 2))
            #expect((notReady.agents + notReadyNext.agents).allSatisfy { $0.readiness == .notReady })
            #expect(notReady.total == overview.total.notReady && notReadyNext.total == notReady.total)
            let one = try await dashboard.agents(matching: AgentQuery(search: "e00007"))
            #expect(one.total == 1 && one.agents.first?.employeeID == "E00007")
            let billing = try await dashboard.agents(matching: AgentQuery(campaign: "Billing", readiness: .ready))
            #expect(billing.agents.allSatisfy { $0.campaign == "Billing" && $0.readiness == .ready })
            #expect(billing.total == overview.byCampaign.first { $0.name == "Billing" }?.counts.ready)

            let reporting = try #require(all.agents.first { $0.lastCheck != nil })
            let detail = try #require(try await dashboard.agent(id: reporting.id))
            #expect(!detail.history.isEmpty)
            #expect(detail.history.allSatisfy { $0.downloadMbps > 0 && $0.mos > 1 && $0.mos <= 4.5 })
            #expect(detail.history.map(\.at) == detail.history.map(\.at).sorted())
            #expect(!detail.equipment.isEmpty && detail.equipment.first?.stage == .requested)
            #expect(try await dashboard.agent(id: "no-such-agent") == nil)

            let capacity = try await dashboard.capacityInputs()
            #expect(capacity.count == 3 && capacity.allSatisfy { $0.forecast != nil })
            #expect(capacity.reduce(0) { $0 + $1.headcount } == 40)
        }
    }

    @Test("The same seed gives the same fleet")
    func demoIsDeterministic() async throws {
        func fleet() async throws -> [String] {
            try await Harness.with(.sqlite) { h in
                _ = try await DemoData(agents: 12, seed: 9, days: 3).run(on: h.repository, now: Self.now, logger: Harness.logger)
                let dashboard = SQLDashboard(repository: h.repository, now: { Self.now })
                var rows: [String] = []
                for agent in try await dashboard.agents(matching: AgentQuery()).agents {
                    let detail = try await dashboard.agent(id: agent.id)
                    rows.append(
                        "\(agent.employeeID) \(agent.name) \(agent.site) \(agent.team) \(agent.readiness) "
                            + "\(detail?.history.map(\.downloadMbps) ?? []) \(detail?.equipment.map(\.stage.rawValue) ?? [])")
                }
                return rows
            }
        }
        let first = try await fleet()
        #expect(first.count == 12)
        #expect(try await fleet() == first)
    }

    @Test("A check that passed and now fails is an alert; admins acknowledge it once", arguments: TestBackend.available)
    func regressionsAreAlerts(_ backend: TestBackend) async throws {
        try await Harness.with(backend) { h in
            let agent = try await h.repository.createAgent(
                NewAgent(employeeId: "E1", name: "Ada Lovelace", contact: nil, siteId: nil, campaignId: nil, teamId: nil, roleId: nil))
            let t0 = Self.now.addingTimeInterval(-7200)
            for (verdict, at) in [(Verdict.ready, t0), (.notReady, t0.addingTimeInterval(3600))] {
                let report = sampleReport(employeeId: "E1", verdict: verdict, finishedAt: at)
                _ = try await h.repository.ingest(
                    report, body: String(decoding: try encodeReport(report), as: UTF8.self), agentId: agent.id,
                    deviceId: nil, at: at)
            }
            let dashboard = SQLDashboard(repository: h.repository, now: { Self.now })
            let alerts = try await dashboard.alerts()
            #expect(alerts.count == 1)
            let alert = try #require(alerts.first)
            #expect(alert.agentID == agent.id && alert.agentName == "Ada Lovelace")
            #expect(alert.kind == .postureNewlyFailing)
            #expect(alert.detail.args["check"] == .text("posture.disk-encryption"))
            #expect(alert.acknowledgedBy == nil)
            #expect(try await dashboard.acknowledgeAlert(id: alert.id, by: "ada-admin"))
            #expect(try await dashboard.alerts().first?.acknowledgedBy == "ada-admin")
            #expect(try await dashboard.acknowledgeAlert(id: "\(agent.id)~posture.firewall~1", by: "x") == false)
            #expect(try await dashboard.acknowledgeAlert(id: "garbage", by: "x") == false)

            // Fixed, then failing again: a new alert, not the acknowledged one.
            for (verdict, offset) in [(Verdict.ready, 3.0), (.notReady, 4.0)] {
                let at = t0.addingTimeInterval(offset * 600 + 3600)
                let report = sampleReport(employeeId: "E1", verdict: verdict, finishedAt: at)
                _ = try await h.repository.ingest(
                    report, body: String(decoding: try encodeReport(report), as: UTF8.self), agentId: agent.id,
                    deviceId: nil, at: at)
            }
            let renewed = try await dashboard.alerts()
            #expect(renewed.count == 1 && renewed.first?.id != alert.id && renewed.first?.acknowledgedBy == nil)
        }
    }

    @Test("Users and sessions live in the database", arguments: TestBackend.available)
    func usersAndSessions(_ backend: TestBackend) async throws {
        try await Harness.with(backend) { h in
            let dashboard = SQLDashboard(repository: h.repository, now: { Self.now })
            #expect(try await dashboard.user(named: "grace") == nil)
            try await h.repository.upsertDashboardUser(
                DashboardUser(name: "grace", passwordHash: "pbkdf2-sha256$1$AA$AA", role: .planner), at: Self.now)
            #expect(try await dashboard.user(named: "grace")?.role == .planner)
            let session = DashboardSession(
                id: String(repeating: "ab", count: 32), userName: "grace", role: .planner, csrfToken: "c",
                createdAt: Self.now, expiresAt: Self.now.addingTimeInterval(3600))
            try await dashboard.createSession(session)
            // A second adapter (another instance) sees the session.
            let other = SQLDashboard(repository: h.repository, now: { Self.now })
            #expect(try await other.session(id: session.id) == session)
            try await other.deleteSession(id: session.id)
            #expect(try await dashboard.session(id: session.id) == nil)
            // A new password ends the user's sessions.
            try await dashboard.createSession(session)
            try await h.repository.upsertDashboardUser(
                DashboardUser(name: "grace", passwordHash: "pbkdf2-sha256$1$BB$BB", role: .admin), at: Self.now)
            #expect(try await dashboard.session(id: session.id) == nil)
            #expect(try await dashboard.user(named: "grace")?.role == .admin)
        }
    }
}
