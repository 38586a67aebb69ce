import Foundation
import HomeReadyAgent
import HomeReadyModel
import HomeReadySigning
import HomeReadyTestSupport
import Testing

@testable import HomeReadyServer

/// From IT to agents (issue 20, point 3): instructions sent to an agent, a team or a campaign reach those agents'
/// devices only, with an ETag (`304` when nothing is new), acknowledgements and expiry; the agent's poller acts on
/// them. A real server on 127.0.0.1 over real database files.
@Suite("Instructions", .serialized)
struct InstructionTests {
    /// An enrolled device of one agent.
    struct Device {
        var agentId: String
        var token: String
    }

    /// A fleet: campaign "Voice", team "North"; E1 in both, E2 in the team only, E3 in the campaign only, E4 in
    /// neither. Each agent has an enrolled device.
    struct Fleet {
        var campaignId: String
        var teamId: String
        var devices: [String: Device]
    }

    static func fleet(port: Int, admin: String) async throws -> Fleet {
        func id(_ path: String, _ json: [String: Any]) async throws -> String {
            let reply = try await RawHTTP.json(port: port, method: "POST", path: "/api/v1/\(path)", token: admin, json: json)
            guard reply.status == 201, let id = reply.json["id"] as? String else {
                throw TestFailure("POST \(path) gave \(reply.status): \(reply.text)")
            }
            return id
        }
        let campaign = try await id("campaigns", ["name": "Voice", "profile_id": "linux-baseline", "cutover_date": "2026-12-01"])
        let team = try await id("teams", ["name": "North"])
        var devices: [String: Device] = [:]
        let members: [(String, String?, String?)] = [("E1", team, campaign), ("E2", team, nil), ("E3", nil, campaign), ("E4", nil, nil)]
        for (employee, teamId, campaignId) in members {
            var json: [String: Any] = ["employee_id": employee, "name": "Agent \(employee)"]
            if let teamId { json["team_id"] = teamId }
            if let campaignId { json["campaign_id"] = campaignId }
            let agentId = try await id("agents", json)
            let code = try await RawHTTP.json(
                port: port, method: "POST", path: "/api/v1/enrollment-codes", token: admin, json: ["employee_id": employee])
            let enrolled = try await RawHTTP.json(
                port: port, method: "POST", path: "/api/v1/enroll",
                json: ["code": code.json["code"] as? String ?? "", "public_key": DeviceKey().publicKeyBase64, "hostname": "laptop"])
            guard let token = enrolled.json["token"] as? String else { throw TestFailure("enroll: \(enrolled.text)") }
            devices[employee] = Device(agentId: agentId, token: token)
        }
        return Fleet(campaignId: campaign, teamId: team, devices: devices)
    }

    static func poll(_ port: Int, _ device: Device, etag: String? = nil) async throws -> RawHTTP.Response {
        var headers = ["Authorization": "Bearer \(device.token)"]
        if let etag { headers["If-None-Match"] = etag }
        return try await RawHTTP.request(port: port, method: "GET", path: "/api/v1/device/instructions", headers: headers)
    }

    static func send(_ port: Int, _ token: String, _ json: [String: Any]) async throws -> RawHTTP.Response {
        try await RawHTTP.json(port: port, method: "POST", path: "/api/v1/instructions", token: token, json: json)
    }

    static func items(_ response: RawHTTP.Response) -> [[String: Any]] {
        response.json["items"] as? [[String: Any]] ?? []
    }

    @Test("an agent, a team and a campaign get what was sent to them and only that; 304 with the ETag; ack removes; expiry",
          arguments: TestBackend.available)
    func fanOutETagAckExpiry(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            try await runLiveServer(repository: harness.repository, configuration: harness.configuration) { port in
                let fleet = try await Self.fleet(port: port, admin: harness.adminToken)
                let devices = fleet.devices
                // Nothing yet: an empty list with a tag, then 304 with it.
                var etags: [String: String] = [:]
                for (employee, device) in devices {
                    let first = try await Self.poll(port, device)
                    #expect(first.status == 200 && Self.items(first).isEmpty, "\(first.text)")
                    let etag = try #require(first.headers["etag"])
                    etags[employee] = etag
                    let again = try await Self.poll(port, device, etag: etags[employee])
                    #expect(again.status == 304)
                    #expect(again.headers["etag"] == etags[employee])
                }

                let toAgent = try await Self.send(
                    port, harness.plannerToken, ["agent_id": devices["E1"]!.agentId, "kind": "check_now"])
                #expect(toAgent.status == 201, "\(toAgent.text)")
                #expect(toAgent.json["recipients"] as? Int == 1)
                let toTeam = try await Self.send(
                    port, harness.adminToken,
                    ["team": "North", "kind": "message", "text": "VPN maintenance tonight",
                     "texts": ["es": "Mantenimiento de la VPN esta noche"]])
                #expect(toTeam.status == 201, "\(toTeam.text)")
                #expect(toTeam.json["recipients"] as? Int == 2 && toTeam.json["target_id"] as? String == fleet.teamId)
                let toCampaign = try await Self.send(
                    port, harness.adminToken, ["campaign_id": fleet.campaignId, "kind": "profile_changed"])
                #expect(toCampaign.json["recipients"] as? Int == 2, "\(toCampaign.text)")

                let expected: [String: [String]] = [
                    "E1": ["check_now", "message", "profile_changed"], "E2": ["message"], "E3": ["profile_changed"], "E4": [],
                ]
                var seen: [String: [[String: Any]]] = [:]
                for (employee, device) in devices {
                    let answer = try await Self.poll(port, device, etag: etags[employee])
                    if expected[employee]!.isEmpty {
                        #expect(answer.status == 304, "\(employee) saw \(answer.text)")
                        continue
                    }
                    #expect(answer.status == 200, "\(employee): \(answer.text)")
                    #expect(answer.headers["etag"] != etags[employee])
                    let kinds = Self.items(answer).compactMap { $0["kind"] as? String }
                    #expect(kinds == expected[employee]!, "\(employee)")
                    seen[employee] = Self.items(answer)
                    etags[employee] = answer.headers["etag"]
                    // The same tag again: nothing new.
                    #expect(try await Self.poll(port, device, etag: etags[employee]).status == 304)
                }
                let message = try #require(seen["E2"]?.first)
                #expect(message["text"] as? String == "VPN maintenance tonight")
                #expect((message["texts"] as? [String: String])?["es"] == "Mantenimiento de la VPN esta noche")
                let messageId = try #require(message["id"] as? String)

                // A device cannot acknowledge (or see) another agent's instruction.
                let checkId = try #require(toAgent.json["id"] as? String)
                let foreign = try await RawHTTP.request(
                    port: port, method: "POST", path: "/api/v1/device/instructions/\(checkId)/ack",
                    headers: ["Authorization": "Bearer \(devices["E2"]!.token)"])
                #expect(foreign.status == 404, "\(foreign.text)")
                #expect(foreign.headers["content-type"]?.hasPrefix("application/problem+json") == true)

                // Acknowledged: gone from the next poll, a new tag; a second ack is a harmless duplicate.
                let ack = try await RawHTTP.request(
                    port: port, method: "POST", path: "/api/v1/device/instructions/\(messageId)/ack",
                    headers: ["Authorization": "Bearer \(devices["E2"]!.token)"])
                #expect(ack.status == 200 && ack.json["duplicate"] as? Bool == false, "\(ack.text)")
                let afterAck = try await Self.poll(port, devices["E2"]!, etag: etags["E2"])
                #expect(afterAck.status == 200 && Self.items(afterAck).isEmpty, "\(afterAck.text)")
                let again = try await RawHTTP.request(
                    port: port, method: "POST", path: "/api/v1/device/instructions/\(messageId)/ack",
                    headers: ["Authorization": "Bearer \(devices["E2"]!.token)"])
                #expect(again.status == 200 && again.json["duplicate"] as? Bool == true)
                // E1 still has the team message: acknowledged per agent.
                let e1 = try await Self.poll(port, devices["E1"]!)
                #expect(Self.items(e1).count == 3)

                // What was sent, with delivery counts.
                let listed = try await RawHTTP.request(
                    port: port, method: "GET", path: "/api/v1/instructions",
                    headers: ["Authorization": "Bearer \(harness.plannerToken)"])
                #expect(listed.status == 200, "\(listed.text)")
                let team = try #require(Self.items(listed).first { $0["id"] as? String == messageId })
                #expect(team["recipients"] as? Int == 2 && team["fetched"] as? Int == 2 && team["acknowledged"] as? Int == 1)
                #expect(Self.items(listed).first?["kind"] as? String == "profile_changed")  // newest first

                // Expiry: seen before, gone after, and the tag moves without any write by IT.
                let expires = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + 3).rounded(.up))
                let shortLived = try await Self.send(
                    port, harness.adminToken,
                    ["agent_id": devices["E4"]!.agentId, "kind": "message", "text": "call IT",
                     "expires_at": ISO8601DateFormatter().string(from: expires)])
                #expect(shortLived.status == 201, "\(shortLived.text)")
                let before = try await Self.poll(port, devices["E4"]!, etag: etags["E4"])
                #expect(Self.items(before).count == 1, "\(before.text)")
                let tag = try #require(before.headers["etag"])
                try await Task.sleep(for: .seconds(max(0, expires.timeIntervalSinceNow) + 0.3))
                let after = try await Self.poll(port, devices["E4"]!, etag: tag)
                #expect(after.status == 200 && Self.items(after).isEmpty, "\(after.status) \(after.text)")
                #expect(after.headers["etag"] != tag)
                #expect(try await Self.poll(port, devices["E4"]!, etag: after.headers["etag"]).status == 304)
            }
        }
    }

    @Test("bad input gets a 4xx problem naming the field; only admins and planners send; devices only poll",
          arguments: TestBackend.available)
    func refusals(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            try await runLiveServer(repository: harness.repository, configuration: harness.configuration) { port in
                let fleet = try await Self.fleet(port: port, admin: harness.adminToken)
                let agent = fleet.devices["E1"]!.agentId
                let cases: [([String: Any], Int, String, String)] = [
                    (["agent_id": "no-such-agent", "kind": "check_now"], 422, "agent_id", "no agent with id \"no-such-agent\""),
                    (["team": "Nowhere", "kind": "check_now"], 422, "team", "no team"),
                    (["agent_id": agent, "kind": "reboot"], 422, "kind", "check_now, message, profile_changed, drill_started"),
                    (["agent_id": agent, "kind": "message"], 422, "text", "needs `text`"),
                    (["agent_id": agent, "kind": "message", "text": "  "], 422, "text", "needs `text`"),
                    (["agent_id": agent, "team": "North", "kind": "check_now"], 422, "target", "exactly one target"),
                    (["kind": "check_now"], 422, "target", "exactly one target"),
                    (["agent_id": agent, "kind": "check_now", "expires_at": "2020-01-01T00:00:00Z"], 422, "expires_at", "past"),
                    (["agent_id": agent, "kind": "message", "text": "x", "texts": ["fr": "y"]], 422, "texts", "\"fr\""),
                    (["agent_id": agent], 400, "kind", "`kind` is required"),
                ]
                for (json, status, field, detail) in cases {
                    let reply = try await Self.send(port, harness.adminToken, json)
                    #expect(reply.status == status, "\(json): \(reply.text)")
                    #expect(reply.headers["content-type"]?.hasPrefix("application/problem+json") == true)
                    #expect(reply.json["field"] as? String == field, "\(json): \(reply.text)")
                    #expect((reply.json["detail"] as? String)?.contains(detail) == true, "\(json): \(reply.text)")
                }
                let device = fleet.devices["E1"]!
                #expect(try await Self.send(port, device.token, ["agent_id": agent, "kind": "check_now"]).status == 403)
                #expect(try await Self.send(port, "hr_not-a-token", ["agent_id": agent, "kind": "check_now"]).status == 401)
                let anonymous = try await RawHTTP.request(port: port, method: "GET", path: "/api/v1/device/instructions")
                #expect(anonymous.status == 401)
                let admin = try await RawHTTP.request(
                    port: port, method: "GET", path: "/api/v1/device/instructions",
                    headers: ["Authorization": "Bearer \(harness.adminToken)"])
                #expect(admin.status == 403)
                // Nothing stored by the refusals.
                let listed = try await RawHTTP.request(
                    port: port, method: "GET", path: "/api/v1/instructions",
                    headers: ["Authorization": "Bearer \(harness.adminToken)"])
                #expect(Self.items(listed).isEmpty, "\(listed.text)")
            }
        }
    }

    @Test("the agent's poller runs one check for check_now, shows the message in its language, acks both, then 304",
          arguments: TestBackend.available)
    func agentPoller(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            try await runLiveServer(repository: harness.repository, configuration: harness.configuration) { port in
                let fleet = try await Self.fleet(port: port, admin: harness.adminToken)
                let device = fleet.devices["E1"]!
                let client = ServerClient(
                    serverURL: URL(string: "http://127.0.0.1:\(port)")!, transport: CurlExchange(), token: device.token)
                var poller = InstructionPoller(client: client)
                var checks = 0
                var shown: [String] = []
                var profiles = 0
                func round() async throws -> InstructionPoller.Round {
                    try await poller.pollAndHandle(
                        language: "es", runCheck: { _ in checks += 1; return true }, show: { shown.append($1) },
                        refetchProfile: { _ in profiles += 1; return true })
                }
                let quiet = try await round()
                #expect(quiet.changed && quiet.acknowledged.isEmpty)
                #expect(try await round().changed == false)  // 304

                for json: [String: Any] in [
                    ["agent_id": device.agentId, "kind": "check_now"],
                    ["team": fleet.teamId, "kind": "message", "text": "Update tonight", "texts": ["es": "Actualización esta noche"]],
                    ["campaign_id": "Voice", "kind": "drill_started", "drill_id": "d-1"],
                    ["agent_id": device.agentId, "kind": "profile_changed"],
                ] {
                    #expect(try await Self.send(port, harness.adminToken, json).status == 201)
                }
                let busy = try await round()
                #expect(busy.changed && busy.ranCheck && busy.pending.isEmpty)
                #expect(busy.acknowledged.count == 4)
                #expect(checks == 1)  // check_now and drill_started answered by one check
                #expect(shown == ["Actualización esta noche"])
                #expect(profiles == 1)
                let after = try await round()  // the acks moved the tag: an empty list
                #expect(after.changed && after.acknowledged.isEmpty)
                #expect(try await round().changed == false)

                // A check that could not run is not acknowledged: the next poll offers it again.
                #expect(try await Self.send(port, harness.adminToken, ["agent_id": device.agentId, "kind": "check_now"]).status == 201)
                let failed = try await poller.pollAndHandle(
                    language: "en", runCheck: { _ in false }, show: { _, _ in }, refetchProfile: { _ in true })
                #expect(failed.pending.count == 1 && failed.acknowledged.isEmpty)
                let retried = try await round()
                #expect(retried.acknowledged.count == 1 && checks == 2)

                let listed = try await RawHTTP.request(
                    port: port, method: "GET", path: "/api/v1/instructions?agent_id=\(device.agentId)",
                    headers: ["Authorization": "Bearer \(harness.adminToken)"])
                #expect(Self.items(listed).count == 5)
                #expect(Self.items(listed).allSatisfy { ($0["acknowledged"] as? Int ?? 0) >= 1 }, "\(listed.text)")
            }
        }
    }
}

@Suite("homeready instructions against a real server", .serialized)
struct InstructionCLITests {
    @Test("the timer's `homeready instructions --after-check` shows IT's message, answers check_now with the check just run, acks both")
    func timerRunHandlesInstructions() throws {
        let fleet = try Fleet.make(agents: 0)
        defer { fleet.tearDown() }
        let created = try fleet.api("POST", "/api/v1/agents", ["employee_id": "C1", "name": "Cleo"])
        let agentId = try #require(created["id"] as? String)
        let agent = HomeReadyAgentProcess(home: fleet.directory.url.appendingPathComponent("agent"))
        // Not enrolled: nothing to ask, nothing said.
        let idle = try agent.run(["instructions", "--after-check"])
        #expect(idle.status == 0 && idle.stderr.isEmpty, "\(idle.stderr)")
        let enrolled = try agent.run(["enroll", "--server", fleet.server.url, "--code", try fleet.server.enrollmentCode(employeeID: "C1")])
        #expect(enrolled.status == 0, "\(enrolled.stderr)")

        _ = try fleet.api("POST", "/api/v1/instructions", ["agent_id": agentId, "kind": "check_now"])
        _ = try fleet.api(
            "POST", "/api/v1/instructions",
            ["agent_id": agentId, "kind": "message", "text": "VPN maintenance tonight", "texts": ["es": "Mantenimiento de la VPN esta noche"]])
        let run = try agent.run(["instructions", "--after-check"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(
            run.stderr.contains("message from IT: VPN maintenance tonight")
                || run.stderr.contains("mensaje de TI: Mantenimiento de la VPN esta noche"), "\(run.stderr)")
        #expect(!run.stderr.contains("could not"), "\(run.stderr)")
        let listed = try #require(try fleet.api("GET", "/api/v1/instructions", [:])["items"] as? [[String: Any]])
        #expect(listed.count == 2)
        #expect(listed.allSatisfy { $0["acknowledged"] as? Int == 1 }, "\(listed)")
        // Nothing left: a second run says nothing.
        let again = try agent.run(["instructions", "--after-check"])
        #expect(again.status == 0 && !again.stderr.contains("message"), "\(again.stderr)")
    }

    @Test("`homeready watch` polls between checks: check_now runs the next check at once, the message is shown, both acked")
    func watchHandlesInstructions() throws {
        let fleet = try Fleet.make(agents: 0)
        defer { fleet.tearDown() }
        let created = try fleet.api("POST", "/api/v1/agents", ["employee_id": "W1", "name": "Wren"])
        let agentId = try #require(created["id"] as? String)
        let agent = HomeReadyAgentProcess(home: fleet.directory.url.appendingPathComponent("agent"))
        let enrolled = try agent.run(["enroll", "--server", fleet.server.url, "--code", try fleet.server.enrollmentCode(employeeID: "W1")])
        #expect(enrolled.status == 0, "\(enrolled.stderr)")
        _ = try fleet.api("POST", "/api/v1/instructions", ["agent_id": agentId, "kind": "message", "text": "Headsets arrive Monday"])
        _ = try fleet.api("POST", "/api/v1/instructions", ["agent_id": agentId, "kind": "check_now"])
        // Checks every hour, polls every 10 s: the second check can only come from the instruction.
        let started = Date()
        let watch = try agent.run(
            ["watch", "--every", "1h", "--count", "2", "--poll-every", "10s", "--", "--only", "equipment", "--no-upload"],
            timeout: 90)
        #expect(watch.status == 0, "\(watch.stderr)")
        #expect(Date().timeIntervalSince(started) < 60)
        #expect(watch.stderr.contains("message from IT: Headsets arrive Monday") || watch.stderr.contains("mensaje de TI"), "\(watch.stderr)")
        #expect(watch.stderr.contains("check 2 exited"), "\(watch.stderr)")
        let listed = try #require(try fleet.api("GET", "/api/v1/instructions", [:])["items"] as? [[String: Any]])
        #expect(listed.allSatisfy { $0["acknowledged"] as? Int == 1 }, "\(listed)")
    }
}
