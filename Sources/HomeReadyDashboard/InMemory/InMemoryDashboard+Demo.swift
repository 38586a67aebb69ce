import Foundation
import HomeReadyModel

extension InMemoryDashboard {
    /// A ready-to-mount demo: `agents` generated agents, an admin and a planner with the given passwords.
    public static func demo(
        agents: Int = 500, seed: UInt64 = 1, adminPassword: String, plannerPassword: String,
        now: @escaping @Sendable () -> Date = { Date() }
    ) -> (dashboard: InMemoryDashboard, users: InMemoryUserStore, events: DashboardBroadcaster) {
        let events = DashboardBroadcaster()
        let dashboard = InMemoryDashboard(
            fleet: DemoFleet.generate(agents: agents, seed: seed, now: now()), broadcaster: events, now: now)
        let hasher = PasswordHasher()
        let users = InMemoryUserStore(users: [
            DashboardUser(name: "admin", passwordHash: hasher.hash(adminPassword), role: .admin),
            DashboardUser(name: "planner", passwordHash: hasher.hash(plannerPassword), role: .planner),
        ])
        return (dashboard, users, events)
    }

    /// Records one plausible report for a pseudo-randomly chosen agent (for a demo that moves); returns its id.
    @discardableResult
    public func recordDemoReport(seed: UInt64, at date: Date = Date()) async -> String? {
        var rng = SplitMix64(seed: seed)
        let page = agents(matching: AgentQuery(pageSize: 500))
        guard !page.agents.isEmpty else { return nil }
        let agent = page.agents[rng.below(page.agents.count)]
        let good = rng.unit() < 0.8
        record(
            report: ReportPoint(
                at: date, downloadMbps: good ? 80 + rng.unit() * 200 : 5 + rng.unit() * 10,
                uploadMbps: good ? 10 + rng.unit() * 30 : 1 + rng.unit() * 2,
                latencyIdleMs: good ? 10 + rng.unit() * 20 : 50 + rng.unit() * 50,
                latencyLoadedMs: good ? 30 + rng.unit() * 40 : 150 + rng.unit() * 100,
                jitterMs: good ? 1 + rng.unit() * 5 : 20 + rng.unit() * 30, mos: good ? 4.0 + rng.unit() * 0.4 : 2.8,
                passed: good),
            for: agent.id, readiness: good ? .ready : .notReady,
            reasons: good ? [] : [LocalizedText("dashboard.reason.link_fails")])
        return agent.id
    }
}
