import Foundation
import HomeReadyModel
import Testing

@testable import HomeReadyServer

@Suite("Reports and readiness")
struct ReportTests {
    @Test("a report is stored once by report_id", arguments: TestBackend.available)
    func idempotent(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            try await harness.withClient { api in
                let agent = try await api.create("agents", ["employee_id": "E1", "name": "Ada"])
                let device = try await enrollDevice(api, employeeId: "E1")
                let report = sampleReport(employeeId: "E1")
                let body = try encodeReport(report)
                let first = try await api.send(.post, "/api/v1/reports", token: device, raw: body)
                #expect(first.status == .created)
                #expect(first.json["duplicate"] as? Bool == false)
                let second = try await api.send(.post, "/api/v1/reports", token: device, raw: body)
                #expect(second.status == .ok)
                #expect(second.json["duplicate"] as? Bool == true)
                let list = try await api.send(.get, "/api/v1/agents/\(agent)/reports", token: device)
                #expect(list.items.count == 1)
                let whole = try await api.send(.get, "/api/v1/reports/\(report.reportID.uuidString)", token: api.planner)
                let decoded = try ReportCoding.decoder().decode(CheckReport.self, from: whole.body)
                #expect(decoded == report)
            }
        }
    }

    @Test("a device cannot post for another agent; bad reports name the field", arguments: TestBackend.available)
    func refused(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            try await harness.withClient { api in
                _ = try await api.create("agents", ["employee_id": "E1", "name": "Ada"])
                _ = try await api.create("agents", ["employee_id": "E2", "name": "Bob"])
                let device = try await enrollDevice(api, employeeId: "E1")
                let foreign = try await api.send(
                    .post, "/api/v1/reports", token: device, raw: try encodeReport(sampleReport(employeeId: "E2")))
                #expect(foreign.status == .forbidden)
                let unknown = try await api.send(
                    .post, "/api/v1/reports", token: device, raw: try encodeReport(sampleReport(employeeId: "E404")))
                #expect(unknown.string("field") == "agent.employee_id")
                var json = try JSONSerialization.jsonObject(with: try encodeReport(sampleReport(employeeId: "E1"))) as! [String: Any]
                json["verdict"] = "maybe"
                let verdict = try await api.send(.post, "/api/v1/reports", token: device, json: json)
                #expect(verdict.status == .badRequest)
                #expect(verdict.string("field") == "verdict")
                // A figure the server judges, of the wrong kind, is named too.
                json["verdict"] = "ready"
                json["network"] = ["download_mbps": "fast"]
                let figure = try await api.send(.post, "/api/v1/reports", token: device, json: json)
                #expect(figure.status == .badRequest)
                #expect(figure.string("field") == "network.download_mbps")
                #expect(figure.string("title") == "Invalid field")
                json.removeValue(forKey: "report_id")
                let missing = try await api.send(.post, "/api/v1/reports", token: device, json: json)
                #expect(missing.string("field") == "report_id")
            }
        }
    }

    @Test("per check: when it first failed and when it last passed", arguments: TestBackend.available)
    func checkStates(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            let agent = try await harness.repository.createAgent(NewAgent(employeeId: "E1", name: "Ada"))
            let t0 = Date(timeIntervalSince1970: 1_790_000_000)
            let sequence: [(TimeInterval, Verdict)] = [(0, .ready), (3600, .notReady), (7200, .notReady), (10800, .ready)]
            var states: [[CheckStateRecord]] = []
            for (offset, verdict) in sequence {
                let report = sampleReport(employeeId: "E1", verdict: verdict, finishedAt: t0.addingTimeInterval(offset))
                _ = try await harness.repository.ingest(
                    report, body: "{}", agentId: agent.id, deviceId: nil, at: Date())
                states.append(try await harness.repository.checkStates(agentId: agent.id))
            }
            func disk(_ index: Int) -> CheckStateRecord? { states[index].first { $0.checkId == "posture.disk-encryption" } }
            #expect(disk(1)?.status == .fail)
            #expect(disk(1)?.firstFailedAt == t0.addingTimeInterval(3600))
            #expect(disk(2)?.firstFailedAt == t0.addingTimeInterval(3600))
            #expect(disk(2)?.lastPassedAt == t0)
            #expect(disk(3)?.firstFailedAt == nil)
            #expect(disk(3)?.lastPassedAt == t0.addingTimeInterval(10800))
            // An older report arriving late changes nothing.
            let late = sampleReport(employeeId: "E1", verdict: .notReady, finishedAt: t0.addingTimeInterval(5000))
            _ = try await harness.repository.ingest(late, body: "{}", agentId: agent.id, deviceId: nil, at: Date())
            let after = try await harness.repository.checkStates(agentId: agent.id)
            #expect(after.first { $0.checkId == "posture.disk-encryption" }?.status == .pass)
            #expect(try await harness.repository.agent(id: agent.id)?.lastVerdict == .ready)
        }
    }

    @Test("readiness per agent with reasons, roll-ups, history and capacity", arguments: TestBackend.available)
    func readinessAndRollups(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            try await harness.withClient { api in
                let site = try await api.create("sites", ["name": "Leeds"])
                let campaign = try await api.create(
                    "campaigns", ["name": "Billing", "profile_id": "linux-baseline", "cutover_date": "2026-12-01"])
                let role = try await api.create("roles", ["name": "voice", "kit": ["usb_headset"]])
                var agents: [String] = []
                for index in 0..<4 {
                    agents.append(try await api.create(
                        "agents",
                        ["employee_id": "E\(index)", "name": "A\(index)", "site_id": site, "campaign_id": campaign,
                         "role_id": role]))
                }
                _ = try await api.send(.post, "/api/v1/kits/bulk", token: api.admin, json: ["agent_ids": agents])
                let items = try await api.send(.get, "/api/v1/equipment?limit=100", token: api.admin)
                // E0: verified headset, ready report → ready. E1: delivered headset → at risk.
                // E2: headset still requested, ready report → not ready. E3: no report → unknown.
                for item in items.items {
                    let owner = item["agent_id"] as! String
                    let id = item["id"] as! String
                    let steps: [[String: Any]]
                    switch owner {
                    case agents[0]: steps = [["event": "allocate"], ["event": "ship", "carrier": "DHL", "tracking_number": "1"], ["event": "deliver"], ["event": "verify"]]
                    case agents[1]: steps = [["event": "allocate"], ["event": "ship", "carrier": "DHL", "tracking_number": "2"], ["event": "deliver"]]
                    default: steps = []
                    }
                    for step in steps { _ = try await api.send(.post, "/api/v1/equipment/\(id)/events", token: api.admin, json: step) }
                }
                for index in 0..<3 {
                    let device = try await enrollDevice(api, employeeId: "E\(index)")
                    // A complete passing check (no equipment detected, so no item is verified by it).
                    var report = try await completeReport(
                        for: agents[index], employeeId: "E\(index)", repository: harness.repository)
                    report.equipment = nil
                    let reply = try await api.send(.post, "/api/v1/reports", token: device, raw: try encodeReport(report))
                    #expect(reply.status == .created)
                    #expect(reply.string("verdict") == "ready", "\(reply.text)")
                }
                let expected = ["ready", "at_risk", "not_ready", "unknown"]
                for (index, agent) in agents.enumerated() {
                    let readiness = try await api.send(.get, "/api/v1/agents/\(agent)/readiness", token: api.planner)
                    #expect(readiness.string("status") == expected[index], "E\(index): \(readiness.text)")
                }
                let reasons = try await api.send(.get, "/api/v1/agents/\(agents[2])/readiness", token: api.planner)
                #expect((reasons.json["reasons"] as? [[String: Any]])?.first?["code"] as? String == "equipment.missing.usb_headset")
                let rollup = try await api.send(.get, "/api/v1/rollups?by=site", token: api.planner)
                let row = try #require(rollup.items.first { $0["scope_id"] as? String == site })
                #expect(row["ready"] as? Int == 1 && row["at_risk"] as? Int == 1)
                #expect(row["not_ready"] as? Int == 1 && row["unknown"] as? Int == 1)
                let bad = try await api.send(.get, "/api/v1/rollups?by=planet", token: api.planner)
                #expect(bad.string("field") == "by")

                #expect(try await api.send(.post, "/api/v1/snapshots", token: api.admin, json: ["day": "2026-11-23"]).status == .noContent)
                #expect(try await api.send(.post, "/api/v1/snapshots", token: api.admin, json: ["day": "2026-11-24"]).status == .noContent)
                #expect(try await api.send(.post, "/api/v1/snapshots", token: api.admin, json: ["day": "2026-11-24"]).status == .noContent)
                let history = try await api.send(.get, "/api/v1/history?scope=campaign&id=\(campaign)", token: api.planner)
                #expect(history.items.map { $0["day"] as? String } == ["2026-11-23", "2026-11-24"])
                #expect(history.items.last?["ready"] as? Int == 1)

                let capacity = try await api.send(
                    .post, "/api/v1/campaigns/\(campaign)/capacity", token: api.planner,
                    json: ["calls_per_interval": 100, "interval_seconds": 1800, "aht_seconds": 180, "service_level": 0.8,
                           "target_seconds": 20, "shrinkage": 0.3])
                #expect(capacity.status == .ok, "\(capacity.text)")
                let plan = capacity.json["plan"] as? [String: Any]
                #expect(plan?["agents_required"] as? Int == 14)
                #expect(plan?["ready_agents"] as? Int == 1)
                let invalid = try await api.send(
                    .post, "/api/v1/campaigns/\(campaign)/capacity", token: api.planner,
                    json: ["calls_per_interval": 100, "interval_seconds": 1800, "aht_seconds": 180, "service_level": 80,
                           "target_seconds": 20, "shrinkage": 0.3])
                #expect(invalid.string("field") == "service_level")
            }
        }
    }

    @Test("concurrent posts of the same reports store each exactly once", arguments: TestBackend.available)
    func concurrentIngest(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            let agent = try await harness.repository.createAgent(NewAgent(employeeId: "E1", name: "Ada"))
            let reports = (0..<20).map { _ in sampleReport(employeeId: "E1") }
            let stored = try await withThrowingTaskGroup(of: Bool.self) { group in
                for report in reports + reports {
                    group.addTask {
                        try await harness.repository.ingest(report, body: "{}", agentId: agent.id, deviceId: nil, at: Date())
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(stored == 20)
            #expect(try await harness.repository.reports(agentId: agent.id, after: nil, limit: 100).count == 20)
        }
    }
}
