import Foundation
import HomeReadyModel
import HomeReadySigning
import HomeReadyTestSupport
import Testing

@testable import HomeReadyServer

/// The drill API against a real server on 127.0.0.1 (SQLite, and PostgreSQL through `Scripts/with-postgres`):
/// a drill asks every agent in scope through a `drill_started` instruction, counts only what the server judges
/// from signed reports received since it started, and reports its KPIs at the injected clock's time.
@Suite("Drill API", .serialized)
struct DrillAPITests {
    /// An enrolled device with its signing key.
    struct Device: Sendable {
        var agentId: String
        var employeeId: String
        var token: String
        var deviceId: String
        var key: DeviceKey
    }

    /// Campaign "Voz" on linux-baseline with E1…E4, site "Monterrey" with E3, E4 and E5 (E5 in no campaign).
    static func fleet(port: Int, admin: String) async throws -> (
        campaign: String, site: String, devices: [String: Device]
    ) {
        func id(_ path: String, _ json: [String: Any]) async throws -> String {
            let reply = try await RawHTTP.json(
                port: port, method: "POST", path: "/api/v1/\(path)", token: admin, json: json)
            guard reply.status == 201, let id = reply.json["id"] as? String else {
                throw TestFailure("POST \(path) gave \(reply.status): \(reply.text)")
            }
            return id
        }
        let campaign = try await id(
            "campaigns", ["name": "Voz", "profile_id": "linux-baseline", "cutover_date": "2026-12-24"])
        let site = try await id("sites", ["name": "Monterrey"])
        var devices: [String: Device] = [:]
        for (employee, inCampaign, inSite) in [
            ("E1", true, false), ("E2", true, false), ("E3", true, true), ("E4", true, true), ("E5", false, true),
        ] {
            var json: [String: Any] = ["employee_id": employee, "name": "Agente \(employee)"]
            if inCampaign { json["campaign_id"] = campaign }
            if inSite { json["site_id"] = site }
            let agentId = try await id("agents", json)
            let key = DeviceKey()
            let code = try await RawHTTP.json(
                port: port, method: "POST", path: "/api/v1/enrollment-codes", token: admin,
                json: ["employee_id": employee])
            let enrolled = try await RawHTTP.json(
                port: port, method: "POST", path: "/api/v1/enroll",
                json: [
                    "code": code.json["code"] as? String ?? "", "public_key": key.publicKeyBase64, "hostname": "laptop",
                ])
            guard let token = enrolled.json["token"] as? String, let deviceId = enrolled.json["device_id"] as? String
            else {
                throw TestFailure("enroll: \(enrolled.text)")
            }
            devices[employee] = Device(
                agentId: agentId, employeeId: employee, token: token, deviceId: deviceId, key: key)
        }
        return (campaign, site, devices)
    }

    /// Posts a complete linux-baseline report signed by `device`; the agent claims ready whatever the outcome.
    static func postSigned(
        port: Int, _ device: Device, outcome: ReportFixtures.Outcome
    ) async throws -> RawHTTP.Response {
        let profile = try #require(shippedProfiles.first { $0.id == "linux-baseline" })
        let report = ReportFixtures.complete(
            for: profile, employeeID: device.employeeId, outcome: outcome, claimed: .ready)
        let body = try encodeReport(report)
        return try await RawHTTP.request(
            port: port, method: "POST", path: "/api/v1/reports",
            headers: [
                "Authorization": "Bearer \(device.token)", "Content-Type": "application/json",
                ReportSignature.deviceHeader: device.deviceId,
                ReportSignature.signatureHeader: try ReportSignature.sign(body: body, with: device.key),
            ], body: body)
    }

    static func get(_ port: Int, _ path: String, token: String) async throws -> RawHTTP.Response {
        try await RawHTTP.request(port: port, method: "GET", path: path, headers: ["Authorization": "Bearer \(token)"])
    }

    @Test(
        "a campaign drill asks its agents, counts server-judged signed reports, KPIs at the injected clock; a site drill too",
        arguments: TestBackend.available)
    func campaignAndSiteDrills(backend: TestBackend) async throws {
        // The drill starts 10 minutes "ago" on the injected clock; reports arrive now, 10 minutes into it.
        let clock = DrillTestClock(Date().addingTimeInterval(-600))
        try await Harness.with(backend, configure: { $0.drillClock = clock.closure }) { harness in
            try await runLiveServer(repository: harness.repository, configuration: harness.configuration) { port in
                let (campaign, _, devices) = try await Self.fleet(port: port, admin: harness.adminToken)
                let started = try await RawHTTP.json(
                    port: port, method: "POST", path: "/api/v1/drills", token: harness.plannerToken,
                    json: [
                        "campaign_id": "Voz", "deadline_minutes": 30, "target_ready_share": 0.75,
                        "name": "Simulacro Q4",
                    ])
                #expect(started.status == 201, "\(started.text)")
                let drillId = try #require(started.json["id"] as? String)
                #expect(started.json["agents"] as? Int == 4)
                let scope = try #require(started.json["scope"] as? [String: Any])
                #expect(
                    scope["type"] as? String == "campaign" && scope["id"] as? String == campaign
                        && scope["name"] as? String == "Voz")
                #expect(
                    started.json["deadline_minutes"] as? Int == 30 && started.json["status"] as? String == "running")
                let startedAt = try #require(
                    ISO8601DateFormatter().date(from: started.json["started_at"] as? String ?? ""))
                let deadlineAt = try #require(
                    ISO8601DateFormatter().date(from: started.json["deadline_at"] as? String ?? ""))
                #expect(
                    abs(startedAt.timeIntervalSince(clock.now)) < 1 && deadlineAt.timeIntervalSince(startedAt) == 1800)

                // Every agent in the campaign gets drill_started with the drill's id; E5 (not in it) nothing.
                let poll = try await Self.get(port, "/api/v1/device/instructions", token: devices["E1"]!.token)
                let items = poll.json["items"] as? [[String: Any]] ?? []
                #expect(items.count == 1 && items.first?["kind"] as? String == "drill_started", "\(poll.text)")
                #expect(items.first?["drill_id"] as? String == drillId)
                let other = try await Self.get(port, "/api/v1/device/instructions", token: devices["E5"]!.token)
                #expect((other.json["items"] as? [[String: Any]])?.isEmpty == true, "\(other.text)")

                // E1 passes; E2 claims ready but fails (the server judges it not ready); E3, E4 stay silent.
                #expect(try await Self.postSigned(port: port, devices["E1"]!, outcome: .passing).status == 201)
                let failing = try await Self.postSigned(port: port, devices["E2"]!, outcome: .failing)
                #expect(failing.status == 201, "\(failing.text)")
                clock.set(Date())
                var detail = try await Self.get(port, "/api/v1/drills/\(drillId)", token: harness.adminToken)
                #expect(detail.status == 200, "\(detail.text)")
                let counts = try #require(detail.json["counts"] as? [String: Any])
                #expect(
                    counts["ready"] as? Int == 1 && counts["not_ready"] as? Int == 1
                        && counts["not_answered"] as? Int == 2,
                    "\(detail.text)")
                #expect(detail.json["ready_share"] as? Double == 0.25)
                let silent = try #require(detail.json["not_answered"] as? [[String: Any]])
                #expect(silent.compactMap { $0["employee_id"] as? String } == ["E3", "E4"])
                #expect(silent.allSatisfy { $0["instruction_fetched_at"] == nil }, "E3 and E4 never polled")
                let causes = try #require(detail.json["failing_checks"] as? [[String: Any]])
                #expect(
                    !causes.isEmpty && causes.allSatisfy { ($0["employee_ids"] as? [String]) == ["E2"] }, "\(causes)")
                let timeline = try #require(detail.json["timeline"] as? [[String: Any]])
                #expect(timeline.count == 3 && timeline.first?["ready"] as? Int == 0)
                let kpis = try #require(detail.json["kpis"] as? [String: Any])
                #expect(kpis["time_to_50_minutes"] == nil && kpis["share_ready_at_rto"] == nil, "\(kpis)")

                // E3 passes too: half ready, about 10 minutes in.
                #expect(try await Self.postSigned(port: port, devices["E3"]!, outcome: .passing).status == 201)
                // Past the RTO (the clock moves, nobody waits): the share at the deadline is 2 of 4, under 0.75.
                clock.set(startedAt.addingTimeInterval(31 * 60))
                detail = try await Self.get(port, "/api/v1/drills/\(drillId)", token: harness.plannerToken)
                let late = try #require(detail.json["kpis"] as? [String: Any])
                let to50 = try #require(late["time_to_50_minutes"] as? Double, "\(detail.text)")
                #expect(to50 >= 9.9 && to50 < 12, "\(to50)")
                #expect(late["share_ready_at_rto"] as? Double == 0.5 && late["target_met"] as? Bool == false)
                #expect(late["time_to_90_minutes"] == nil)
                #expect(detail.json["status"] as? String == "overtime")

                // A site drill by the site's name: E3, E4, E5, one instruction each, all in the site only.
                clock.set(Date())
                let site = try await RawHTTP.json(
                    port: port, method: "POST", path: "/api/v1/drills", token: harness.adminToken,
                    json: ["site_id": "Monterrey", "deadline_minutes": 15])
                #expect(site.status == 201, "\(site.text)")
                #expect(site.json["agents"] as? Int == 3 && site.json["target_ready_share"] as? Double == 0.9)
                let siteDrill = try #require(site.json["id"] as? String)
                for employee in ["E3", "E4", "E5"] {
                    let polled = try await Self.get(
                        port, "/api/v1/device/instructions", token: devices[employee]!.token)
                    let kinds = (polled.json["items"] as? [[String: Any]] ?? []).filter {
                        $0["drill_id"] as? String == siteDrill
                    }
                    #expect(kinds.count == 1, "\(employee): \(polled.text)")
                }
                let e1 = try await Self.get(port, "/api/v1/device/instructions", token: devices["E1"]!.token)
                #expect(
                    (e1.json["items"] as? [[String: Any]] ?? []).allSatisfy { $0["drill_id"] as? String != siteDrill })
                // They all polled: the fetch shows on the not-answered list.
                let siteDetail = try await Self.get(port, "/api/v1/drills/\(siteDrill)", token: harness.adminToken)
                let siteSilent = try #require(siteDetail.json["not_answered"] as? [[String: Any]])
                #expect(
                    siteSilent.compactMap { $0["employee_id"] as? String } == ["E3", "E4", "E5"], "\(siteDetail.text)")
                #expect(siteSilent.allSatisfy { $0["instruction_fetched_at"] is String }, "\(siteSilent)")

                // History: newest first, with KPIs.
                let history = try await Self.get(port, "/api/v1/drills", token: harness.plannerToken)
                let listed = history.json["items"] as? [[String: Any]] ?? []
                #expect(listed.compactMap { $0["id"] as? String } == [siteDrill, drillId], "\(history.text)")
                #expect(listed.allSatisfy { $0["kpis"] is [String: Any] && $0["timeline"] == nil })
            }
        }
    }

    @Test(
        "refusals: a problem naming the field and what is expected; only admins and planners",
        arguments: TestBackend.available)
    func refusals(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            try await runLiveServer(repository: harness.repository, configuration: harness.configuration) { port in
                let (_, _, devices) = try await Self.fleet(port: port, admin: harness.adminToken)
                _ = try await RawHTTP.json(
                    port: port, method: "POST", path: "/api/v1/campaigns", token: harness.adminToken,
                    json: ["name": "Vacía", "profile_id": "linux-baseline", "cutover_date": "2026-12-24"])
                let cases: [([String: Any], Int, String, String)] = [
                    (["deadline_minutes": 30], 422, "scope", "exactly one scope"),
                    (
                        ["campaign_id": "Voz", "site_id": "Monterrey", "deadline_minutes": 30], 422, "scope",
                        "exactly one scope"
                    ),
                    (["campaign_id": "Voz"], 422, "deadline_minutes", "recovery-time objective"),
                    (["campaign_id": "Voz", "deadline_minutes": 0], 422, "deadline_minutes", "1…10080"),
                    (
                        ["campaign_id": "Voz", "deadline_minutes": 30, "target_ready_share": 1.5], 422,
                        "target_ready_share", "at most 1"
                    ),
                    (
                        ["campaign_id": "Voz", "deadline_minutes": 30, "target_ready_share": 0], 422,
                        "target_ready_share", "more than 0"
                    ),
                    (
                        ["campaign_id": "Nowhere", "deadline_minutes": 30], 422, "campaign_id",
                        "no campaign with id or name \"Nowhere\""
                    ),
                    (["site_id": "Nowhere", "deadline_minutes": 30], 422, "site_id", "no site"),
                    (["campaign_id": "Vacía", "deadline_minutes": 30], 422, "campaign_id", "has no agents"),
                    (["campaign_id": "Voz", "deadline_minutes": "soon"], 400, "deadline_minutes", "must be"),
                    (["campaign_id": "", "deadline_minutes": 30], 422, "campaign_id", "must not be empty"),
                ]
                for (json, status, field, detail) in cases {
                    let reply = try await RawHTTP.json(
                        port: port, method: "POST", path: "/api/v1/drills", token: harness.adminToken, json: json)
                    #expect(reply.status == status, "\(json): \(reply.text)")
                    #expect(reply.headers["content-type"]?.hasPrefix("application/problem+json") == true)
                    #expect(reply.json["field"] as? String == field, "\(json): \(reply.text)")
                    #expect((reply.json["detail"] as? String)?.contains(detail) == true, "\(json): \(reply.text)")
                }
                let device = try await RawHTTP.json(
                    port: port, method: "POST", path: "/api/v1/drills", token: devices["E1"]!.token,
                    json: ["campaign_id": "Voz", "deadline_minutes": 30])
                #expect(device.status == 403)
                let unknown = try await Self.get(port, "/api/v1/drills/no-such-drill", token: harness.adminToken)
                #expect(unknown.status == 404 && (unknown.json["detail"] as? String)?.contains("no drill") == true)
                let noToken = try await RawHTTP.request(port: port, method: "GET", path: "/api/v1/drills")
                #expect(noToken.status == 401)
                let drills = try await Self.get(port, "/api/v1/drills", token: harness.adminToken)
                #expect(
                    (drills.json["items"] as? [Any])?.isEmpty == true, "no refused drill was stored: \(drills.text)")
            }
        }
    }
}
