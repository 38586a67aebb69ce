import Foundation
import HomeReadyModel
import HomeReadyTestSupport
import SQLKit
import Testing

@testable import HomeReadyServer

/// The readiness rule is defined once, in Swift (`Readiness.evaluate`); lists and roll-ups count with SQL forms of
/// it for speed. This property test holds those SQL forms to the Swift rule over random agent states.
@Suite("The SQL readiness forms agree with Readiness.evaluate", .serialized)
struct ReadinessRuleTests {
    @Test("per agent and per roll-up, over random agents, campaigns, verdicts, report ages and equipment",
          arguments: TestBackend.available)
    func sqlMatchesSwift(backend: TestBackend) async throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        var rng = SplitMix64(seed: seed)
        try await Harness.with(backend) { harness in
            let repository = harness.repository
            let now = Date(timeIntervalSince1970: (Date().timeIntervalSince1970).rounded(.down))
            var campaigns: [String] = []
            for (index, hours) in [24, 72, 168].enumerated() {
                campaigns.append(
                    try await repository.createCampaign(
                        name: "C\(index)", profileId: "inbound-voice", cutoverDate: "2026-12-24", freshnessHours: hours
                    ).id)
            }
            let kits = [["laptop"], ["laptop", "usb_headset"], []]
            var roles: [String] = []
            for (index, kit) in kits.enumerated() {
                roles.append(try await repository.createRole(name: "R\(index)", kit: kit).id)
            }
            let states = EquipmentState.allCases
            var agentIds: [String] = []
            for index in 0..<150 {
                let agent = try await repository.createAgent(
                    NewAgent(
                        employeeId: "E\(index)", name: "A\(index)",
                        campaignId: Bool.random(using: &rng) || index < 3 ? campaigns.randomElement(using: &rng) : nil,
                        roleId: roles.randomElement(using: &rng)))
                agentIds.append(agent.id)
                try await harness.store.withConnection { db in
                    for _ in 0..<Int.random(in: 0...3, using: &rng) {
                        try await db.raw(
                            """
                            INSERT INTO equipment_items (id, kind, agent_id, state, updated_at)
                            VALUES (\(bind: UUID().uuidString), \(bind: ["laptop", "usb_headset"].randomElement(using: &rng)!),
                                    \(bind: agent.id), \(bind: states.randomElement(using: &rng)!.rawValue), \(literal: 0))
                            """
                        ).run()
                    }
                    try await SQLRepository.refreshEquipmentStatus(agentId: agent.id, on: db)
                    if Int.random(in: 0..<5, using: &rng) > 0 {
                        // Report ages around every freshness window, on both sides of it.
                        let age = Double(Int.random(in: 0...200, using: &rng)) * 3600 + Double(Int.random(in: -60...60, using: &rng))
                        let verdict = Verdict.allCases.randomElement(using: &rng)!
                        try await db.raw(
                            """
                            UPDATE agents SET last_report_at = \(literal: Clock.millis(now.addingTimeInterval(-age))),
                                last_verdict = \(bind: verdict.rawValue) WHERE id = \(bind: agent.id)
                            """
                        ).run()
                    }
                }
            }
            var expected: [ReadinessStatus: Int] = [:]
            var perCampaign: [String: [ReadinessStatus: Int]] = [:]
            for id in agentIds {
                let input = try #require(try await repository.readinessInput(agentId: id))
                let status = Readiness.evaluate(input, now: now).status
                expected[status, default: 0] += 1
                let sql = try await harness.store.withConnection { db in
                    try await db.raw(
                        """
                        SELECT \(SQLRepository.statusExpression(now: now)) AS status
                        FROM agents a LEFT JOIN campaigns c ON c.id = a.campaign_id WHERE a.id = \(bind: id)
                        """
                    ).all().first?.decode(column: "status", as: String.self)
                }
                #expect(sql == status.rawValue, "seed \(seed): agent \(id) Swift \(status) SQL \(sql ?? "nil") \(input)")
                let campaign = try await repository.agent(id: id)?.campaignId ?? ""
                perCampaign[campaign, default: [:]][status, default: 0] += 1
            }
            let all = try #require(try await repository.rollup(by: .all, now: now).first)
            #expect(all.ready == expected[.ready, default: 0], "seed \(seed)")
            #expect(all.atRisk == expected[.atRisk, default: 0], "seed \(seed)")
            #expect(all.notReady == expected[.notReady, default: 0], "seed \(seed)")
            #expect(all.unknown == expected[.unknown, default: 0], "seed \(seed)")
            for row in try await repository.rollup(by: .campaign, now: now) {
                let counts = perCampaign[row.scopeId, default: [:]]
                let sql: [Int] = [row.ready, row.atRisk, row.notReady, row.unknown]
                let swift: [Int] = [ReadinessStatus.ready, .atRisk, .notReady, .unknown].map { counts[$0, default: 0] }
                #expect(sql == swift, "seed \(seed): campaign \(row.scopeId)")
            }
            for campaign in campaigns {
                #expect(
                    try await repository.readyAgentCount(campaignId: campaign, now: now)
                        == perCampaign[campaign, default: [:]][.ready, default: 0], "seed \(seed)")
            }
        }
    }
}
