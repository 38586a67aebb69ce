import Foundation
import HomeReadyJudging
import HomeReadyModel
import HomeReadyProfiles
import HomeReadyTestSupport
import SQLKit
import Testing

@testable import HomeReadyServer

/// The shipped profiles, as the agent loads them.
let shippedProfiles: [Profile] = {
    let loader = ProfileLoader(
        searchPath: ProfileSearchPath(directories: [TestEnvironment.packageRoot.appendingPathComponent("Profiles")]))
    return ["inbound-voice", "outbound-payments", "chat-email", "supervisor", "linux-baseline", "macos-baseline"]
        .map { try! loader.load($0) }
}()

extension APIClient {
    /// Creates a campaign on `profileId` and an agent in it; returns the agent's id.
    func agentInCampaign(_ employeeId: String, profileId: String, settings: [String: Any] = [:]) async throws -> String {
        var campaign: [String: Any] = [
            "name": "C-\(employeeId)", "profile_id": profileId, "cutover_date": "2026-12-24",
        ]
        campaign.merge(settings) { $1 }
        let campaignId = try await create("campaigns", campaign)
        return try await create("agents", ["employee_id": employeeId, "name": employeeId, "campaign_id": campaignId])
    }

    /// Posts a report (as admin unless `token` is given) and returns the server's answer.
    func post(_ report: CheckReport, token: String? = nil) async throws -> Reply {
        let reply = try await send(.post, "/api/v1/reports", token: token ?? admin, raw: try encodeReport(report))
        guard reply.status == .created || reply.status == .ok else {
            throw TestFailure("POST /reports gave \(reply.status.code): \(reply.text)")
        }
        return reply
    }

    func readiness(_ agentId: String) async throws -> (status: String?, reasons: [String]) {
        let reply = try await send(.get, "/api/v1/agents/\(agentId)/readiness", token: planner)
        let reasons = (reply.json["reasons"] as? [[String: Any]] ?? []).compactMap { $0["message"] as? String }
        return (reply.string("status"), reasons)
    }
}

@Suite("The server judges every report itself", .serialized)
struct ServerJudgingTests {
    static let inboundVoice = shippedProfiles[0]

    /// Random reports per shipped profile and back end: 300 in the suite (3,600 in all), more on purpose with
    /// `HOMEREADY_JUDGING_SAMPLES=N` (the seed is printed, so a disagreement can be replayed).
    static let samplesPerProfile = ProcessInfo.processInfo.environment["HOMEREADY_JUDGING_SAMPLES"].flatMap(Int.init) ?? 300

    @Test("for random measurement sets on every shipped profile, the server's judgement equals the agent's",
          arguments: TestBackend.available)
    func serverAgreesWithTheAgent(backend: TestBackend) async throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        let perProfile = Self.samplesPerProfile
        try await Harness.with(backend) { harness in
            try await harness.withClient { api in
                var rng = SplitMix64(seed: seed)
                var compared = 0
                for profile in shippedProfiles {
                    let employee = "E-\(profile.id)"
                    let agentId = try await api.agentInCampaign(employee, profileId: profile.id)
                    for index in 0..<perProfile {
                        let report = RandomMeasurements.report(
                            for: profile, employeeID: employee,
                            finishedAt: Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)),
                            using: &rng)
                        // What `homeready check` decides on the agent (CheckRunner calls the same judge).
                        let agent = ReportJudge.judged(report, profile: profile)
                        let reply = try await api.post(agent)
                        #expect(
                            reply.string("verdict") == agent.verdict.rawValue,
                            "seed \(seed), \(profile.id) #\(index): server \(reply.text), agent \(agent.verdict) \(agent.findings.map { "\($0.id)=\($0.status.rawValue)" })")
                        #expect(reply.string("reason") == nil, "seed \(seed): \(reply.text)")
                        if index % 100 == 99 {
                            // The check states the server keeps are its own findings: the agent's, id for id.
                            let checks = try await api.send(.get, "/api/v1/agents/\(agentId)/checks", token: api.planner)
                            let stored = Dictionary(
                                checks.items.map { ($0["check_id"] as? String ?? "", $0["status"] as? String ?? "") },
                                uniquingKeysWith: { $1 })
                            var expected: [String: String] = [:]
                            for finding in agent.findings { expected[finding.id] = finding.status.rawValue }
                            // (Checks of earlier reports stay listed with their own times; this report's must agree.)
                            let differing = expected.filter { stored[$0.key] != $0.value }
                            #expect(differing.isEmpty, "seed \(seed), \(profile.id) #\(index): server \(differing.keys.map { "\($0)=\(stored[$0] ?? "none")" }) agent \(differing)")
                        }
                        compared += 1
                    }
                }
                #expect(compared == perProfile * shippedProfiles.count)
                print("judging: \(compared) random reports on \(backend), server equals agent (seed \(seed))")
            }
        }
    }

    @Test("each bypass ends incomplete or not ready, in readiness, roll-ups and the CSV export, with the reason",
          arguments: TestBackend.available)
    func bypassesDoNotCount(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            try await harness.withClient { api in
                let profile = Self.inboundVoice
                var cases: [(employee: String, report: CheckReport, verdict: String, reason: String)] = []

                // `homeready check --only vpn`: nothing else measured.
                var onlyVPN = ReportFixtures.complete(for: profile, employeeID: "E-VPN")
                onlyVPN.network = nil
                onlyVPN.posture = nil
                onlyVPN.postureContext = nil
                onlyVPN.equipment = nil
                onlyVPN = ReportJudge.judged(onlyVPN, profile: profile)
                #expect(onlyVPN.verdict == .ready, "the agent's own claim")
                cases.append(("E-VPN", onlyVPN, "incomplete", "covered only vpn; inbound-voice v1 also needs network, posture and equipment"))

                // What `homeready report --spool-synthetic` used to send: a claim with no measurement.
                let synthetic = CheckReport(
                    agent: AgentIdentity(employeeID: "E-SYN", hostname: "synthetic"),
                    profile: ProfileReference(id: profile.id, version: profile.version),
                    startedAt: Date(), finishedAt: Date(), verdict: .ready)
                cases.append(("E-SYN", synthetic, "incomplete", "covered nothing"))

                // Measured against another profile.
                let chat = try #require(shippedProfiles.first { $0.id == "chat-email" })
                let other = ReportJudge.judged(ReportFixtures.complete(for: chat, employeeID: "E-CHAT"), profile: chat)
                cases.append(("E-CHAT", other, "incomplete", "made with profile chat-email v1; the campaign requires inbound-voice v1"))

                // Posture replayed from a facts file.
                var replayed = ReportFixtures.complete(for: profile, employeeID: "E-FACTS")
                replayed.postureContext?.collection = .recordedFacts
                cases.append(("E-FACTS", ReportJudge.judged(replayed, profile: profile), "incomplete", "replayed from a facts file"))

                // A failing measurement claimed as ready.
                let failing = ReportFixtures.complete(for: profile, employeeID: "E-LIE", outcome: .failing, claimed: .ready)
                cases.append(("E-LIE", failing, "not_ready", ""))

                var agentIds: [String: String] = [:]
                for item in cases {
                    let agentId = try await api.agentInCampaign(item.employee, profileId: profile.id)
                    agentIds[item.employee] = agentId
                    let reply = try await api.post(item.report)
                    #expect(reply.string("verdict") == item.verdict, "\(item.employee): \(reply.text)")
                    let readiness = try await api.readiness(agentId)
                    #expect(readiness.status == "not_ready", "\(item.employee)")
                    if !item.reason.isEmpty {
                        #expect((reply.string("reason") ?? "").contains(item.reason), "\(item.employee): \(reply.text)")
                        #expect(readiness.reasons.first?.contains(item.reason) == true, "\(item.employee): \(readiness.reasons)")
                    }
                }
                // The agent's claim is kept for diagnosis, never counted.
                let claimed = try await harness.store.withConnection { db in
                    try await db.raw(
                        "SELECT claimed_verdict, verdict FROM reports WHERE report_id = \(bind: failing.reportID.uuidString.lowercased())"
                    ).all().first.map { (try $0.decode(column: "claimed_verdict", as: String.self), try $0.decode(column: "verdict", as: String.self)) }
                }
                #expect(claimed?.0 == "ready" && claimed?.1 == "not_ready")

                // One honest, complete report: the only ready agent in the roll-up.
                let honestId = try await api.agentInCampaign("E-OK", profileId: profile.id)
                let honest = try await api.post(ReportFixtures.complete(for: profile, employeeID: "E-OK"))
                #expect(honest.string("verdict") == "ready", "\(honest.text)")
                #expect(try await api.readiness(honestId).status == "ready")
                let rollup = try await api.send(.get, "/api/v1/rollups?by=all", token: api.planner)
                let all = try #require(rollup.items.first)
                #expect(all["ready"] as? Int == 1, "\(rollup.text)")
                #expect(all["not_ready"] as? Int == cases.count, "\(rollup.text)")

                let csv = try await api.send(.get, "/api/v1/export/readiness.csv", token: api.planner).text
                for item in cases where !item.reason.isEmpty {
                    let line = csv.split(separator: "\n").first { $0.hasPrefix(item.employee + ",") }
                    #expect(line?.contains("not_ready") == true && line?.contains(item.reason) == true, "\(line ?? "")")
                }
            }
        }
    }

    @Test("an agent's judging facts in one statement: campaign, role, and the identities of items on their way or held",
          arguments: TestBackend.available)
    func judgingFacts(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            try await harness.store.withConnection { db in
                try await db.raw(
                    "INSERT INTO campaigns (id, name, profile_id, cutover_date, freshness_hours, created_at) VALUES ('cf', 'Facts', 'linux-baseline', '2026-12-01', 48, 0)"
                ).run()
                try await db.raw("INSERT INTO roles (id, name, created_at) VALUES ('rf', 'Supervisor', 0)").run()
                try await db.raw(
                    """
                    INSERT INTO agents (id, employee_id, name, campaign_id, role_id, created_at)
                    VALUES ('af', 'EF1', 'Ada', 'cf', 'rf', 0), ('ag', 'EF2', 'Bo', NULL, NULL, 0)
                    """
                ).run()
                // Shipped, delivered, accepted and verified items count; requested, returned and items without
                // an identity do not.
                for (id, kind, state, identity) in [
                    ("i1", "usb_headset", "shipped", "0b0e:245d"), ("i2", "usb_headset", "verified", "046d:0a44"),
                    ("i3", "webcam", "delivered", "046d:085c"), ("i4", "webcam", "accepted", "1bcf:2284"),
                    ("i5", "usb_headset", "requested", "dead:beef"), ("i6", "usb_headset", "returned", "0b0e:0001"),
                    ("i7", "laptop", "delivered", nil),
                ] as [(String, String, String, String?)] {
                    try await db.raw(
                        """
                        INSERT INTO equipment_items (id, kind, agent_id, state, usb_identity, tracking_number, updated_at)
                        VALUES (\(bind: id), \(bind: kind), 'af', \(bind: state), \(bind: identity), 'T', 0)
                        """
                    ).run()
                }
            }
            let facts = try await harness.repository.judgingFacts(agentId: "af")
            #expect(facts.campaign?.id == "cf" && facts.campaign?.name == "Facts" && facts.campaign?.freshnessHours == 48)
            #expect(facts.roleName == "Supervisor")
            #expect(facts.shippedIdentities.mapValues { $0.sorted() }
                == ["usb_headset": ["046d:0a44", "0b0e:245d"], "webcam": ["046d:085c", "1bcf:2284"]])
            let bare = try await harness.repository.judgingFacts(agentId: "ag")
            #expect(bare == JudgingFacts(campaign: nil, roleName: nil, shippedIdentities: [:]))
            let unknown = try await harness.repository.judgingFacts(agentId: "nobody")
            #expect(unknown == JudgingFacts(campaign: nil, roleName: nil, shippedIdentities: [:]))
        }
    }

    @Test("the headset must be the one IT shipped: another USB headset does not verify the item", arguments: TestBackend.available)
    func shippedHeadset(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            try await harness.withClient { api in
                let profile = Self.inboundVoice
                let agentId = try await api.agentInCampaign("E-HS", profileId: profile.id)
                let device = try await enrollDevice(api, employeeId: "E-HS")
                let bad = try await api.send(
                    .post, "/api/v1/equipment", token: api.admin,
                    json: ["kind": "usb_headset", "agent_id": agentId, "usb_identity": "0b0e"])
                #expect(bad.status == .unprocessableContent && bad.string("field") == "usb_identity", "\(bad.text)")
                let item = try await api.create("equipment", ["kind": "usb_headset", "agent_id": agentId])
                for event in [
                    ["event": "allocate"],
                    ["event": "ship", "carrier": "DHL", "tracking_number": "T1", "usb_identity": "0b0e:245d"],
                    ["event": "deliver"],
                ] {
                    let reply = try await api.send(.post, "/api/v1/equipment/\(item)/events", token: api.admin, json: event)
                    #expect(reply.status == .ok, "\(reply.text)")
                }
                // A device cannot name the device itself.
                let named = try await api.send(
                    .post, "/api/v1/equipment/\(item)/events", token: device,
                    json: ["event": "accept", "usb_identity": "046d:0a44"])
                #expect(named.status == .forbidden)

                var other = ReportFixtures.complete(for: profile, employeeID: "E-HS")
                for index in other.equipment!.indices { other.equipment![index].identities = ["046d:0a44"] }
                let wrong = try await api.post(other, token: device)
                #expect(wrong.string("verdict") == "not_ready", "\(wrong.text)")
                var state = try await api.send(.get, "/api/v1/equipment/\(item)", token: api.admin)
                #expect(state.string("state") == "delivered")

                var right = ReportFixtures.complete(for: profile, employeeID: "E-HS")
                for index in right.equipment!.indices { right.equipment![index].identities = ["0b0e:245d:SN1"] }
                let good = try await api.post(right, token: device)
                #expect(good.string("verdict") == "ready", "\(good.text)")
                state = try await api.send(.get, "/api/v1/equipment/\(item)", token: api.admin)
                #expect(state.string("state") == "verified", "\(state.text)")
                #expect(state.string("usb_identity") == "0b0e:245d")
            }
        }
    }

    @Test("a report made against the previous profile version counts during the grace period, not after",
          arguments: TestBackend.available)
    func profileVersionGrace(backend: TestBackend) async throws {
        let folder = try TemporaryDirectory(prefix: "hr-profiles")
        defer { folder.remove() }
        let yaml = """
            id: grace
            title: Grace test
            version: 1
            network:
              min_download_mbps: 10
            """
        try folder.write("grace.yaml", yaml)
        try await Harness.with(backend, configure: {
            $0.profileDirectories = [folder.path]
            $0.lookupCacheSeconds = 0
        }) { harness in
            try await harness.withClient { api in
                let loader = ProfileLoader(searchPath: ProfileSearchPath(directories: [folder.url]))
                let v1 = try loader.load("grace")
                let agentId = try await api.agentInCampaign("E-G", profileId: "grace", settings: ["profile_grace_hours": 1])
                #expect(try await api.post(ReportFixtures.complete(for: v1, employeeID: "E-G")).string("verdict") == "ready")
                try folder.write("grace.yaml", yaml.replacingOccurrences(of: "version: 1", with: "version: 2"))
                let v2 = try loader.load("grace")
                // v1 is still accepted for an hour after v2 is first served.
                #expect(try await api.post(ReportFixtures.complete(for: v1, employeeID: "E-G")).string("verdict") == "ready")
                #expect(try await api.post(ReportFixtures.complete(for: v2, employeeID: "E-G")).string("verdict") == "ready")
                let campaign = try await api.send(.get, "/api/v1/agents/\(agentId)", token: api.admin).string("campaign_id") ?? ""
                let patched = try await api.send(
                    .patch, "/api/v1/campaigns/\(campaign)", token: api.admin, json: ["profile_grace_hours": 0])
                #expect(patched.json["profile_grace_hours"] as? Int == 0, "\(patched.text)")
                let late = try await api.post(ReportFixtures.complete(for: v1, employeeID: "E-G"))
                #expect(late.string("verdict") == "incomplete", "\(late.text)")
                #expect(late.string("reason")?.contains("made against grace v1; the campaign requires grace v2") == true, "\(late.text)")
            }
        }
    }
}

extension ServerJudgingTests {
    @Test("readiness says which evidence it rests on; a browser report the campaign does not accept leaves a full check's verdict alone",
          arguments: TestBackend.available)
    func readinessNamesItsEvidence(backend: TestBackend) async throws {
        // No lookup cache: the campaign's setting, changed below, applies to the very next report.
        try await Harness.with(backend, configure: { $0.lookupCacheSeconds = 0 }) { harness in
            try await harness.withClient { api in
                let profile = Self.inboundVoice
                let agentId = try await api.agentInCampaign("E-EV", profileId: profile.id)
                func readiness() async throws -> [String: Any] {
                    try await api.send(.get, "/api/v1/agents/\(agentId)/readiness", token: api.planner).json
                }
                func csvLine() async throws -> String {
                    let csv = try await api.send(.get, "/api/v1/export/readiness.csv", token: api.planner).text
                    #expect(csv.hasPrefix("employee_id,name,site,campaign,team,status,evidence,reasons,explanation"))
                    return String(csv.split(separator: "\n").first { $0.hasPrefix("E-EV,") } ?? "")
                }
                func browserPost(_ report: CheckReport) async throws -> APIClient.Reply {
                    let link = try await api.send(.post, "/api/v1/agents/\(agentId)/self-test-links", token: api.admin)
                    let token = try #require(link.string("url")?.split(separator: "/").last)
                    return try await api.send(.post, "/self-test/\(token)/report", token: nil, raw: Data(try reportJSON(report).utf8))
                }
                #expect(try await readiness()["evidence"] == nil, "no report yet")
                #expect(try await csvLine().hasPrefix("E-EV,E-EV,,C-E-EV,,unknown,,"))

                // A full check: the agent is ready on it.
                _ = try await api.post(ReportFixtures.complete(for: profile, employeeID: "E-EV"))
                var answer = try await readiness()
                #expect(answer["status"] as? String == "ready" && answer["evidence"] as? String == "cli", "\(answer)")

                // A browser self-test in a campaign that requires the full check: stored, listed, not counted.
                let refused = try await browserPost(browserReport(transport: .udp))
                #expect(refused.status == .created && refused.string("verdict") == "incomplete", "\(refused.text)")
                answer = try await readiness()
                #expect(answer["status"] as? String == "ready" && answer["evidence"] as? String == "cli", "\(answer)")
                #expect(try await csvLine().contains(",ready,cli,"))
                let history = try await api.send(.get, "/api/v1/agents/\(agentId)/reports", token: api.planner)
                #expect(history.items.count == 2, "both reports are kept: \(history.text)")
                let sources = try await harness.store.withConnection { db in
                    try await db.raw("SELECT source FROM reports WHERE agent_id = \(bind: agentId) ORDER BY finished_at")
                        .all().map { try $0.decode(column: "source", as: String.self) }
                }
                #expect(sources == ["cli", "browser"])

                // The campaign now accepts browser reports (e.g. it works through VDI): the next one is the evidence.
                let agent = try await api.send(.get, "/api/v1/agents/\(agentId)", token: api.admin)
                let campaignId = try #require(agent.string("campaign_id"))
                let patched = try await api.send(
                    .patch, "/api/v1/campaigns/\(campaignId)", token: api.admin, json: ["browser_reports_count": true])
                #expect(patched.status == .ok, "\(patched.text)")
                let counted = try await browserPost(browserReport(transport: .udp))
                #expect(counted.status == .created, "\(counted.text)")
                answer = try await readiness()
                #expect(answer["evidence"] as? String == "browser", "\(answer)")
                #expect(try await csvLine().contains(",browser,"))
                let page = try await SQLDashboard(repository: harness.repository, now: { Date() }).agent(id: agentId)
                #expect(page?.evidence == .browser)
                #expect(page?.history.last?.fromBrowser == true && page?.history.first?.fromBrowser == false)
            }
        }
    }
}

/// A complete report for the profile of `agentId`'s campaign, passing (or failing) as a real check would.
func completeReport(
    for agentId: String, employeeId: String, repository: any InventoryRepository,
    outcome: ReportFixtures.Outcome = .passing
) async throws -> CheckReport {
    let agent = try #require(try await repository.agent(id: agentId))
    let campaign = try #require(try await repository.campaign(id: agent.campaignId ?? ""), "agent \(employeeId) has no campaign")
    let profile = try #require(shippedProfiles.first { $0.id == campaign.profileId })
    return ReportFixtures.complete(for: profile, employeeID: employeeId, outcome: outcome)
}
