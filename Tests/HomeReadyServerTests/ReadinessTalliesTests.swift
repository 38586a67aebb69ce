import Foundation
import HomeReadyModel
import SQLKit
import Testing

@testable import HomeReadyServer

/// The kept readiness counts (migration 20) against a scan of every agent, through every way `agents` changes,
/// sweeps at moving times, readers whose clock is behind the sweeper's, and two instances at once.
@Suite struct ReadinessTalliesTests {
    /// A small deterministic generator, so a failure replays.
    struct Dice {
        var state: UInt64
        mutating func roll(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
        mutating func pick<T>(_ values: [T]) -> T { values[roll(values.count)] }
    }

    static let campaigns: [String?] = ["c24", "c72", "c8", nil]
    static let sites: [String?] = ["s1", "s2", nil]
    static let teams: [String?] = ["t1", nil]
    static let verdicts: [String?] = ["ready", "ready_with_warnings", "not_ready", "incomplete", nil]
    static let kits = ["complete", "unverified", "missing"]

    static func organisation(on db: any SQLDatabase) async throws {
        try await db.raw(
            """
            INSERT INTO campaigns (id, name, profile_id, cutover_date, freshness_hours, created_at)
            VALUES ('c24', 'Day', 'p', '2026-12-01', 24, 0), ('c72', 'Three days', 'p', '2026-12-01', 72, 0),
                   ('c8', 'Shift', 'p', '2026-12-01', 8, 0)
            """
        ).run()
        try await db.raw("INSERT INTO sites (id, name, created_at) VALUES ('s1', 'Monterrey', 0), ('s2', 'Puebla', 0)").run()
        try await db.raw("INSERT INTO teams (id, name, created_at) VALUES ('t1', 'Blue', 0)").run()
    }

    /// A new agent with random placement, verdict, kit and report age (up to five days before `now`, or none).
    static func insertAgent(_ index: Int, now: Int64, dice: inout Dice, on db: any SQLDatabase) async throws {
        let age = dice.roll(6) == 0 ? nil : Int64(dice.roll(120 * 60)) * 60_000
        let at = age.map { now - $0 }
        try await db.raw(
            """
            INSERT INTO agents (id, employee_id, name, site_id, team_id, campaign_id, last_report_at, last_verdict,
                                equipment_status, created_at)
            VALUES (\(bind: "a\(index)"), \(bind: "E\(index)"), 'x', \(bind: dice.pick(sites)), \(bind: dice.pick(teams)),
                    \(bind: dice.pick(campaigns)), \(bind: at), \(bind: at == nil ? nil : dice.pick(verdicts)),
                    \(bind: dice.pick(kits)), 0)
            """
        ).run()
    }

    /// The kept counts equal the scan's at `now`.
    static func expectAgree(_ repository: SQLRepository, now: Date, _ step: String) async throws {
        let (kept, scanned) = try await repository.store.withConnection { db in
            (try await SQLRepository.readinessCells(now: now, on: db),
             try await SQLRepository.scannedReadinessCells(now: now, on: db))
        }
        func byCell(_ cells: [ReadinessCell]) -> [String: ReadinessCounts] {
            Dictionary(uniqueKeysWithValues: cells.map { ("\($0.campaignId ?? "-")/\($0.siteId ?? "-")/\($0.teamId ?? "-")", $0.counts) })
        }
        #expect(byCell(kept) == byCell(scanned), "\(step)")
    }

    @Test("after every kind of change, sweeps at moving times and readers behind the sweeper, the kept counts equal a scan",
          arguments: TestBackend.available)
    func keptCountsEqualTheScan(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            let repository = harness.repository
            var dice = Dice(state: 21)
            var now = Clock.millis(Date(timeIntervalSince1970: 1_790_000_000))
            try await repository.store.withConnection { db in
                try await Self.organisation(on: db)
                for index in 0..<80 { try await Self.insertAgent(index, now: now, dice: &dice, on: db) }
            }
            try await Self.expectAgree(repository, now: Clock.date(now), "before any sweep")
            var next = 80
            for step in 0..<120 {
                let agent = "a\(dice.roll(next))"
                let operation = dice.roll(9)
                var description = "step \(step), operation \(operation)"
                try await repository.store.withConnection { db in
                    switch operation {
                    case 0:  // a report: now, with a verdict
                        try await db.raw(
                            "UPDATE agents SET last_report_at = \(literal: now), last_verdict = \(bind: dice.pick(Self.verdicts.compactMap { $0 })) WHERE id = \(bind: agent)"
                        ).run()
                    case 1:  // the kit changes
                        try await db.raw("UPDATE agents SET equipment_status = \(bind: dice.pick(Self.kits)) WHERE id = \(bind: agent)").run()
                    case 2:  // moved to another campaign, site or team
                        try await db.raw(
                            """
                            UPDATE agents SET campaign_id = \(bind: dice.pick(Self.campaigns)), site_id = \(bind: dice.pick(Self.sites)),
                                              team_id = \(bind: dice.pick(Self.teams)) WHERE id = \(bind: agent)
                            """
                        ).run()
                    case 3:  // one statement changes many agents
                        try await db.raw(
                            "UPDATE agents SET equipment_status = \(bind: dice.pick(Self.kits)) WHERE site_id = \(bind: dice.pick(Self.sites.compactMap { $0 }))"
                        ).run()
                    case 4:
                        try await Self.insertAgent(next, now: now, dice: &dice, on: db)
                        next += 1
                    case 5:
                        try await db.raw("DELETE FROM agents WHERE id = \(bind: agent)").run()
                    case 6:  // a column the standing does not read
                        try await db.raw("UPDATE agents SET name = \(bind: "n\(step)") WHERE id = \(bind: agent)").run()
                    default:  // time passes, then a sweep (below)
                        now += Int64(dice.roll(10 * 60)) * 60_000
                    }
                }
                if operation >= 7 {
                    // Sometimes the sweeping instance's clock is an hour behind.
                    let behind = dice.roll(4) == 0 ? Int64(3_600_000) : 0
                    description += ", sweep \(behind / 3_600_000) h behind"
                    try await repository.sweepLapsedReadiness(now: Clock.date(now - behind))
                }
                for offset: Int64 in [0, -2 * 3_600_000, 9 * 3_600_000] {
                    try await Self.expectAgree(repository, now: Clock.date(now + offset), "\(description), read at \(offset / 3_600_000) h")
                }
            }
            // A freshness window changed behind the server's back: the next sweep rebuilds, and counts agree before.
            try await repository.store.withConnection { db in
                try await db.raw("UPDATE campaigns SET freshness_hours = 48 WHERE id = 'c24'").run()
            }
            try await Self.expectAgree(repository, now: Clock.date(now), "freshness changed, before the sweep")
            try await repository.sweepLapsedReadiness(now: Clock.date(now))
            try await Self.expectAgree(repository, now: Clock.date(now), "freshness changed, after the sweep")
            let marks = try await repository.store.withConnection { db in
                try await db.raw("SELECT freshness_hours FROM readiness_watermarks WHERE campaign_key = 'c24'").all()
            }
            #expect(try marks.first?.int("freshness_hours") == 48)
        }
    }

    @Test("a sweep moves each aged-out agent once: the count it returns, then nothing until time passes",
          arguments: TestBackend.available)
    func sweepMovesOnce(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            let now = Clock.millis(Date(timeIntervalSince1970: 1_790_000_000))
            try await harness.store.withConnection { db in
                try await Self.organisation(on: db)
                // c8 agents reported 1, 7 and 9 hours ago; one agent never reported.
                for (index, hours) in [1, 7, 9].enumerated() {
                    try await db.raw(
                        """
                        INSERT INTO agents (id, employee_id, name, campaign_id, last_report_at, last_verdict, equipment_status, created_at)
                        VALUES (\(bind: "a\(index)"), \(bind: "E\(index)"), 'x', 'c8', \(literal: now - Int64(hours) * 3_600_000), 'ready', 'complete', 0)
                        """
                    ).run()
                }
                try await db.raw("INSERT INTO agents (id, employee_id, name, campaign_id, created_at) VALUES ('a9', 'E9', 'x', 'c8', 0)").run()
            }
            #expect(try await harness.repository.sweepLapsedReadiness(now: Clock.date(now)) == 1)
            #expect(try await harness.repository.sweepLapsedReadiness(now: Clock.date(now)) == 0)
            #expect(try await harness.repository.sweepLapsedReadiness(now: Clock.date(now + 2 * 3_600_000)) == 1)
            let counts = try await harness.repository.rollup(by: .campaign, now: Clock.date(now + 2 * 3_600_000))
            #expect(counts == [RollupRow(scopeId: "c8", ready: 1, atRisk: 0, notReady: 2, unknown: 1)])
            // A reader 3 hours behind the last sweep's clock sees both lapsed agents (reports 9 and 7 hours before
            // `now`, within 8 hours of its own time) as fresh again.
            let behind = try await harness.repository.rollup(by: .campaign, now: Clock.date(now - 3 * 3_600_000))
            #expect(behind == [RollupRow(scopeId: "c8", ready: 3, atRisk: 0, notReady: 0, unknown: 1)])
        }
    }

    @Test("two instances ingesting real reports while both sweep leave the counts a scan gives",
          arguments: TestBackend.available)
    func twoInstancesReportingAndSweeping(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            let (secondStore, second) = try await openRepository(harness.configuration, logger: Harness.logger)
            let instances = [harness.repository, second]
            var agents: [AgentRecord] = []
            for index in 0..<12 {
                agents.append(try await harness.repository.createAgent(NewAgent(employeeId: "E\(index)", name: "A\(index)")))
            }
            let base = Date(timeIntervalSince1970: 1_790_000_000)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, agent) in agents.enumerated() {
                    for n in 0..<6 {
                        let instance = instances[(n + index) % 2]
                        let status: FindingStatus = (n + index) % 3 == 0 ? .fail : .pass
                        // Reports spread over four days: the early ones age out under the later sweeps.
                        let posted = sampleReport(
                            employeeId: "E\(index)", finishedAt: base.addingTimeInterval(Double(n * 16 * 3600 + index)),
                            findings: [Finding(id: "posture.disk", section: .posture, severity: .critical, status: status, message: "m")])
                        group.addTask {
                            _ = try await instance.ingest(posted, body: "{}", agentId: agent.id, deviceId: nil, at: Date())
                        }
                    }
                }
                for sweep in 0..<12 {
                    let instance = instances[sweep % 2]
                    group.addTask {
                        try await instance.sweepLapsedReadiness(now: base.addingTimeInterval(Double(sweep * 8 * 3600)))
                    }
                }
                try await group.waitForAll()
            }
            await secondStore.shutdown()
            for hours in [0.0, 40, 80, 100, 200] {
                try await Self.expectAgree(harness.repository, now: base.addingTimeInterval(hours * 3600), "read at +\(hours) h")
            }
        }
    }
}
