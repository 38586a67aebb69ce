import Foundation
import HomeReadyModel
import HomeReadyTestSupport
import Synchronization
import Testing

@testable import HomeReadyServer

/// Records every message instead of sending it; each delivery succeeds (or fails, when told to).
final class RecordingSender: MessageSender {
    private let messages = Mutex<[OutgoingMessage]>([])
    let succeed: Bool

    init(succeed: Bool = true) { self.succeed = succeed }

    var sent: [OutgoingMessage] { messages.withLock { $0 } }

    func send(_ message: OutgoingMessage) async -> [ChannelDelivery] {
        messages.withLock { $0.append(message) }
        return [ChannelDelivery(channel: "email", succeeded: succeed, error: succeed ? nil : "550 mailbox unavailable")]
    }
}

/// A clock tests move by hand.
final class ManualClock: Sendable {
    private let value: Mutex<Date>

    init(_ start: Date) { value = Mutex(start) }

    var now: Date { value.withLock { $0 } }

    func set(_ date: Date) { value.withLock { $0 = date } }
}

/// Escalations (issue 20, point 1): policies, roster contacts, events → incidents, the chain's steps with grouping
/// and quiet hours, acknowledge/resolve by API and signed link, the audit trail, and two instances on one database
/// sending each step once. Real server on 127.0.0.1, real SQLite files and PostgreSQL.
@Suite("Escalations", .serialized)
struct EscalationTests {
    static let policyYAML = """
        events:
          agent_regressed:   {severity: high}
          check_stale:       {severity: medium, older_than_hours: 24, within_days_of_cutover: 7}
          shipment_overdue:  {severity: medium}
          drill_unanswered:  {severity: high}
        steps:
          - {notify: agent}
          - {notify: supervisor, after_minutes: 30}
          - {notify: coordinator, after_minutes: 120}
          - {notify: director, after_minutes: 240, min_severity: high}
        group_interval_minutes: 15
        """

    // MARK: Policies

    @Test("the issue's example policy parses, with quiet hours, and round-trips through JSON")
    func examplePolicy() throws {
        let policy = try EscalationPolicy.parse(
            Self.policyYAML
                + "\nquiet_hours: {from: \"22:00\", to: \"07:00\", time_zone: America/Mexico_City, except_severity: critical}\n")
        #expect(policy.events.count == 4 && policy.events[.checkStale]?.olderThanHours == 24)
        #expect(policy.steps.map(\.notify) == [.agent, .supervisor, .coordinator, .director])
        #expect(policy.steps(for: .medium).map(\.position) == [0, 1, 2])
        #expect(policy.steps(for: .high).map(\.position) == [0, 1, 2, 3])
        #expect(policy.quietHours?.exceptSeverity == .critical)
        let json = try JSONEncoder().encode(policy)
        #expect(try EscalationPolicy.parse(String(decoding: json, as: UTF8.self), json: true) == policy)
        // 23:30 in Mexico City (UTC-6) is 05:30 UTC: quiet until 07:00 local, 13:00 UTC.
        let quiet = try #require(policy.quietHours)
        let late = ISO8601DateFormatter().date(from: "2026-12-06T05:30:00Z")!
        #expect(quiet.contains(late))
        #expect(quiet.end(after: late) == ISO8601DateFormatter().date(from: "2026-12-06T13:00:00Z")!)
        #expect(!quiet.contains(ISO8601DateFormatter().date(from: "2026-12-06T18:00:00Z")!))
    }

    @Test("a bad policy is refused with the field at fault and what was expected")
    func policyErrors() {
        let cases: [(String, String, String)] = [
            ("events: {agent_late: {severity: high}}\nsteps: [{notify: agent}]", "events.agent_late", "unknown event"),
            ("events: {agent_regressed: {severity: urgent}}\nsteps: [{notify: agent}]", "events.agent_regressed.severity",
             "low, medium, high, critical"),
            ("events: {check_stale: {severity: low}}\nsteps: [{notify: agent}]", "events.check_stale.older_than_hours",
             "is required"),
            ("events: {agent_regressed: {severity: high}}\nsteps: [{notify: agent}, {notify: supervisor, after_minutes: 30}, {notify: director, after_minutes: 10}]",
             "steps[2].after_minutes", "previous step"),
            ("events: {agent_regressed: {severity: high}}\nsteps: [{notify: supervisor}, {notify: agent}]",
             "steps[1].notify", "told first"),
            ("events: {agent_regressed: {severity: high}}\nsteps: [{notify: boss}]", "steps[0].notify",
             "agent, supervisor, coordinator, director"),
            ("events: {agent_regressed: {severity: high}}\nsteps: [{notify: agent, after_minutes: soon}]",
             "steps[0].after_minutes", "whole number of minutes"),
            ("events: {agent_regressed: {severity: high}}\nsteps: [{notify: agent}]\nquiet_hours: {from: \"22:00\", to: \"7\", time_zone: UTC}",
             "quiet_hours.to", "HH:MM"),
            ("events: {agent_regressed: {severity: high}}\nsteps: [{notify: agent}]\nquiet_hours: {from: \"22:00\", to: \"07:00\", time_zone: Mars/Olympus}",
             "quiet_hours.time_zone", "IANA"),
            ("events: {agent_regressed: {severity: high}}\nsteps: [{notify: agent}]\ngroup_interval: 5", "group_interval",
             "unknown key"),
            ("events: {agent_regressed: {severity: high}}", "steps", "is required"),
            ("events:\nsteps: [{notify: agent}]", "events", "is required"),
            ("events: {agent_regressed: {severity: high}}\nsteps: [{notify: agent}]\nquiet_hours:", "quiet_hours", "is required"),
            ("- a list", "policy", "must be a mapping"),
            ("events: {agent_regressed: {severity: high}}\nsteps: [{notify: agent}]\nquiet_hours: {from: 22:00, to: \"07:00\", time_zone: UTC}",
             "quiet_hours.from", "in quotes"),
            ("events: [", "body", "not valid YAML"),
        ]
        for (yaml, field, words) in cases {
            do {
                _ = try EscalationPolicy.parse(yaml)
                Issue.record("accepted: \(yaml)")
            } catch {
                #expect(error.field == field, "\(yaml): \(error)")
                #expect(error.message.contains(words), "\(yaml): \(error)")
            }
        }
    }

    @Test("PUT and GET a campaign's policy as YAML and JSON; 422 names the field; 404 for an unknown campaign",
          arguments: TestBackend.available)
    func policyRoutes(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            try await runLiveServer(repository: harness.repository, configuration: harness.configuration) { port in
                let admin = harness.adminToken
                let campaign = try await RawHTTP.json(
                    port: port, method: "POST", path: "/api/v1/campaigns", token: admin,
                    json: ["name": "Voice", "profile_id": "linux-baseline", "cutover_date": "2026-12-10"])
                let id = try #require(campaign.json["id"] as? String)
                let path = "/api/v1/campaigns/\(id)/escalation-policy"
                let none = try await RawHTTP.request(
                    port: port, method: "GET", path: path, headers: ["Authorization": "Bearer \(admin)"])
                #expect(none.status == 404)
                let put = try await RawHTTP.request(
                    port: port, method: "PUT", path: path,
                    headers: ["Authorization": "Bearer \(harness.plannerToken)", "Content-Type": "application/yaml"],
                    body: Data(Self.policyYAML.utf8))
                #expect(put.status == 200, "\(put.text)")
                let got = try await RawHTTP.request(
                    port: port, method: "GET", path: path, headers: ["Authorization": "Bearer \(admin)"])
                #expect(got.status == 200)
                let policy = try #require(got.json["policy"] as? [String: Any])
                #expect((policy["steps"] as? [Any])?.count == 4 && policy["group_interval_minutes"] as? Int == 15)
                #expect(got.json["updated_by"] as? String != nil)
                let bad = try await RawHTTP.json(
                    port: port, method: "PUT", path: path, token: admin,
                    json: ["events": ["agent_regressed": ["severity": "high"]], "steps": [["notify": "agent", "after_minutes": -5]]])
                #expect(bad.status == 422, "\(bad.text)")
                #expect(bad.json["field"] as? String == "steps[0].after_minutes", "\(bad.text)")
                let unknown = try await RawHTTP.json(
                    port: port, method: "PUT", path: "/api/v1/campaigns/nope/escalation-policy", token: admin,
                    json: ["events": ["agent_regressed": ["severity": "high"]], "steps": [["notify": "agent"]]])
                #expect(unknown.status == 404)
            }
        }
    }

    // MARK: Roster contacts

    @Test("roster columns name each agent's supervisor, coordinator and director; old rosters still import; bad ones say the column",
          arguments: TestBackend.available)
    func rosterContacts(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            try await harness.withClient { api in
                let old = "employee_id,name,language\nE1,Ana,es\n"
                #expect(try await api.send(.post, "/api/v1/import/roster", token: api.admin, raw: Data(old.utf8)).status == .ok)
                let roster = """
                    employee_id,name,supervisor_name,supervisor_email,supervisor_language,coordinator_email,director_chat_webhook
                    E1,Ana,Sofía Ruiz,sofia@example.com,es,coord@example.com,https://hooks.slack.com/services/T/B/x
                    E2,Ben,,,,coord@example.com,
                    """
                let reply = try await api.send(.post, "/api/v1/import/roster", token: api.admin, raw: Data(roster.utf8))
                #expect(reply.status == .ok, "\(reply.text)")
                let agents = try await api.send(.get, "/api/v1/agents", token: api.admin).items
                let e1 = try #require(agents.first { $0["employee_id"] as? String == "E1" }?["id"] as? String)
                let e2 = try #require(agents.first { $0["employee_id"] as? String == "E2" }?["id"] as? String)
                let one = try await harness.repository.escalationContacts(agentId: e1)
                #expect(one[.supervisor] == Recipient(role: "supervisor", name: "Sofía Ruiz", email: "sofia@example.com", language: "es"))
                #expect(one[.coordinator]?.email == "coord@example.com" && one[.coordinator]?.name == "coord@example.com")
                #expect(one[.director]?.chatWebhook?.host == "hooks.slack.com")
                let two = try await harness.repository.escalationContacts(agentId: e2)
                #expect(two.keys.sorted { $0.rank < $1.rank } == [.coordinator])
                // A roster without the columns leaves the contacts as they were.
                #expect(try await api.send(.post, "/api/v1/import/roster", token: api.admin, raw: Data(old.utf8)).status == .ok)
                #expect(try await harness.repository.escalationContacts(agentId: e1).count == 3)
                let bad = """
                    employee_id,name,supervisor_name,supervisor_email,director_chat_webhook,coordinator_language
                    E3,Cy,Sam,,,
                    E4,Di,,not-an-address,,
                    E5,Ed,,,ftp://example.com/x,
                    E6,Flo,,x@example.com,,fr
                    """
                let refused = try await api.send(.post, "/api/v1/import/roster", token: api.admin, raw: Data(bad.utf8))
                let errors = refused.json["errors"] as? [[String: Any]] ?? []
                #expect(errors.map { $0["column"] as? String } == ["supervisor_email", "supervisor_email", "director_chat_webhook", "coordinator_email"], "\(refused.text)")
                #expect((errors.first?["message"] as? String)?.contains("supervisor_chat_webhook") == true)
            }
        }
    }

    // MARK: The chain

    /// A campaign with the example policy (optionally more YAML), agents E1…En with a supervisor each
    /// (`supervisors` distinct ones, shared round-robin), one coordinator and one director; returns agent ids.
    static func fleet(
        _ harness: Harness, agents: Int = 2, supervisors: Int = 1, extraYAML: String = "", cutover: String = "2027-06-01"
    ) async throws -> (campaignId: String, agentIds: [String]) {
        let campaign = try await harness.repository.createCampaign(
            name: "Voice", profileId: "linux-baseline", cutoverDate: cutover, freshnessHours: 72)
        let policy = try EscalationPolicy.parse(Self.policyYAML + extraYAML)
        try await harness.repository.setEscalationPolicy(campaignId: campaign.id, policy, actor: "test", at: Date())
        var rows: [RosterRow] = []
        for index in 1...agents {
            let supervisor = (index - 1) % supervisors
            var row = RosterRow(
                line: index + 1, employeeId: "E\(index)", name: "Agent \(index)", contact: nil, site: nil,
                campaign: "Voice", team: nil, role: nil, language: "es")
            row.contacts = [
                Recipient(role: "supervisor", name: "Sup \(supervisor)", email: "sup\(supervisor)@example.com", language: "es"),
                Recipient(role: "coordinator", name: "Coord", email: "coord@example.com", language: "en"),
                Recipient(role: "director", name: "Dir", email: "dir@example.com"),
            ]
            rows.append(row)
        }
        let result = try await harness.repository.importRoster(rows, dryRun: false)
        guard result.errors.isEmpty else { throw TestFailure("roster: \(result.errors)") }
        var ids: [String] = []
        for index in 1...agents {
            guard let agent = try await harness.repository.agent(employeeId: "E\(index)") else {
                throw TestFailure("no agent E\(index)")
            }
            ids.append(agent.id)
        }
        return (campaign.id, ids)
    }

    static func engine(_ repository: SQLRepository, _ sender: RecordingSender, _ clock: ManualClock, port: Int = 8080)
        -> EscalationEngine
    {
        EscalationEngine(
            repository: repository, sender: sender, publicBaseURL: "http://127.0.0.1:\(port)", logger: Harness.logger,
            now: { clock.now })
    }

    @Test("a regression tells the agent, then the supervisor (one digest for two agents), coordinator and director; a link acknowledges, a ready report resolves; all audited",
          arguments: TestBackend.available)
    func chain(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            try await runLiveServer(repository: harness.repository, configuration: harness.configuration) { port in
                let repository = harness.repository
                let (_, agents) = try await Self.fleet(harness)
                let t0 = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
                // Ready, then not ready: agent_regressed for both, raised at ingestion; a second failing report
                // does not raise another.
                for (index, agent) in agents.enumerated() {
                    for (offset, verdict) in [(0.0, Verdict.ready), (60, .notReady), (120, .notReady)] {
                        let report = sampleReport(
                            employeeId: "E\(index + 1)", verdict: verdict, finishedAt: t0.addingTimeInterval(offset - 600))
                        _ = try await repository.ingest(report, body: "{}", agentId: agent, deviceId: nil, at: t0)
                    }
                }
                let open = try await repository.escalations(status: "open", limit: 10)
                #expect(open.count == 2 && open.allSatisfy { $0.event == "agent_regressed" && $0.severity == "high" })
                // The agent was told at once, in their language, through the instructions.
                let told = try await repository.instructions(limit: 10, agentId: agents[0])
                #expect(told.count == 1 && told.first?.kind == .message)
                #expect(told.first?.text?.contains("ya no estás listo") == true && told.first?.texts?["en"] != nil)

                let sender = RecordingSender()
                let clock = ManualClock(t0.addingTimeInterval(60))
                let engine = Self.engine(repository, sender, clock, port: port)
                try await engine.tick()
                #expect(sender.sent.isEmpty)
                clock.set(t0.addingTimeInterval(31 * 60))
                let pass = try await engine.tick()
                #expect(pass.messagesSent == 1)
                try await engine.tick()
                #expect(sender.sent.count == 1, "\(sender.sent.map(\.subject))")
                let digest = try #require(sender.sent.first)
                #expect(digest.recipient.email == "sup0@example.com")
                #expect(digest.subject == "[HomeReady] 2 escalamientos para ti", "\(digest.subject)")
                #expect(digest.body.contains("Agent 1") && digest.body.contains("Agent 2"))
                #expect(digest.links.count == 4 && digest.links[0].label.hasPrefix("Confirmar"))

                clock.set(t0.addingTimeInterval(121 * 60))
                try await engine.tick()
                #expect(sender.sent.count == 2 && sender.sent[1].recipient.email == "coord@example.com")
                #expect(sender.sent[1].subject.hasPrefix("[HomeReady] 2 escalations"))

                // The coordinator acknowledges agent 1's through the link, without a login.
                let ack = try #require(
                    sender.sent[1].links.first { $0.label == "Acknowledge: Agent 1" }?.url)
                let page = try await RawHTTP.request(
                    port: port, method: "GET", path: String(ack.absoluteString.dropFirst("http://127.0.0.1:\(port)".count)))
                #expect(page.status == 200 && page.text.contains("Acknowledged"), "\(page.text)")
                // A token for another escalation, or tampered, is refused.
                let other = open.first { $0.agentId == agents[1] }!.id
                let forged = try await RawHTTP.request(
                    port: port, method: "GET",
                    path: "/escalations/\(other)/ack?token=" + (URLComponents(url: ack, resolvingAgainstBaseURL: false)?
                        .queryItems?.first?.value ?? ""))
                #expect(forged.status == 403)

                // The director gets agent 2's only (agent 1's was acknowledged).
                clock.set(t0.addingTimeInterval(241 * 60))
                try await engine.tick()
                #expect(sender.sent.count == 3 && sender.sent[2].recipient.email == "dir@example.com")
                #expect(sender.sent[2].body.contains("Agent 2") && !sender.sent[2].body.contains("Agent 1"))
                #expect(sender.sent[2].subject.contains("Escalation (high)"), "\(sender.sent[2].subject)")

                // Agent 2 is ready again: resolved by the report.
                let fixed = sampleReport(employeeId: "E2", verdict: .ready, finishedAt: t0.addingTimeInterval(240))
                _ = try await repository.ingest(fixed, body: "{}", agentId: agents[1], deviceId: nil, at: Date())
                #expect(try await repository.escalations(status: "open", limit: 10).isEmpty)
                // Agent 1's is resolved through the API.
                let first = open.first { $0.agentId == agents[0] }!.id
                let resolved = try await RawHTTP.json(
                    port: port, method: "POST", path: "/api/v1/escalations/\(first)/resolve", token: harness.plannerToken,
                    json: [:])
                #expect(resolved.status == 200 && resolved.json["status"] as? String == "resolved", "\(resolved.text)")
                let again = try await RawHTTP.json(
                    port: port, method: "POST", path: "/api/v1/escalations/\(first)/ack", token: harness.adminToken,
                    json: [:])
                #expect(again.status == 409)

                let detail = try await RawHTTP.request(
                    port: port, method: "GET", path: "/api/v1/escalations/\(first)",
                    headers: ["Authorization": "Bearer \(harness.adminToken)"])
                let kinds = (detail.json["events"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
                #expect(
                    kinds == ["raised", "agent_told", "escalated", "message_sent", "escalated", "message_sent",
                              "acknowledged", "resolved"], "\(detail.text)")
                let events = detail.json["events"] as? [[String: Any]] ?? []
                #expect(events.first { $0["kind"] as? String == "acknowledged" }?["actor"] as? String == "link:coordinator")
                let second = try await repository.escalation(id: other)
                #expect(second?.events?.last?.kind == "resolved" && second?.resolvedBy == "report")
                let listed = try await RawHTTP.request(
                    port: port, method: "GET", path: "/api/v1/escalations?status=resolved",
                    headers: ["Authorization": "Bearer \(harness.adminToken)"])
                #expect((listed.json["items"] as? [Any])?.count == 2)
                let badStatus = try await RawHTTP.request(
                    port: port, method: "GET", path: "/api/v1/escalations?status=closed",
                    headers: ["Authorization": "Bearer \(harness.adminToken)"])
                #expect(badStatus.status == 422)
                // A new regression of the same agent is a new incident.
                let worse = sampleReport(employeeId: "E2", verdict: .notReady, finishedAt: t0.addingTimeInterval(300))
                _ = try await repository.ingest(worse, body: "{}", agentId: agents[1], deviceId: nil, at: Date())
                #expect(try await repository.escalations(status: "open", limit: 10).count == 1)
            }
        }
    }

    @Test("quiet hours hold a message until they end (audited); a critical one goes at once; a failed send is audited",
          arguments: TestBackend.available)
    func quietHoursAndFailures(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            let repository = harness.repository
            let (_, agents) = try await Self.fleet(
                harness, agents: 2, supervisors: 2,
                extraYAML: "\nquiet_hours: {from: \"22:00\", to: \"07:00\", time_zone: America/Mexico_City, except_severity: critical}\n")
            // 05:30 UTC = 23:30 in Mexico City.
            let t0 = ISO8601DateFormatter().date(from: "2026-12-06T05:00:00Z")!
            let raised = try await repository.raiseEscalation(
                event: .drillUnanswered, agentId: agents[0], detail: "drill d1", subjectId: "d1", now: t0)
            guard case .raised(let held) = raised else { throw TestFailure("\(raised)") }
            #expect(
                try await repository.raiseEscalation(event: .drillUnanswered, agentId: agents[0], detail: "again", now: t0)
                    == .alreadyOpen(id: held))
            guard case .raised(let urgent) = try await repository.raiseEscalation(
                event: .drillUnanswered, agentId: agents[1], detail: "drill d1", severity: .critical, now: t0)
            else { throw TestFailure("not raised") }
            let sender = RecordingSender()
            let clock = ManualClock(t0.addingTimeInterval(31 * 60))
            let engine = Self.engine(repository, sender, clock)
            let pass = try await engine.tick()
            #expect(pass.held == 1 && pass.messagesSent == 1)
            #expect(sender.sent.map(\.recipient.email) == ["sup1@example.com"])
            let step = try await repository.escalation(id: held)?.steps?.first { $0.role == "supervisor" }
            #expect(step?.heldUntil == ISO8601DateFormatter().date(from: "2026-12-06T13:00:00Z"))
            #expect(try await repository.escalation(id: held)?.events?.map(\.kind).contains("held_quiet_hours") == true)
            _ = urgent
            clock.set(ISO8601DateFormatter().date(from: "2026-12-06T12:59:00Z")!)
            try await engine.tick()
            #expect(sender.sent.filter { $0.recipient.email == "sup0@example.com" }.isEmpty)
            clock.set(ISO8601DateFormatter().date(from: "2026-12-06T13:00:00Z")!)
            try await engine.tick()
            #expect(sender.sent.filter { $0.recipient.email == "sup0@example.com" }.count == 1)

            // A channel that fails: the step is failed and audited with the channel's words.
            let failing = RecordingSender(succeed: false)
            let broken = Self.engine(repository, failing, ManualClock(ISO8601DateFormatter().date(from: "2026-12-06T16:00:00Z")!))
            try await broken.tick()
            let events = try await repository.escalation(id: held)?.events ?? []
            #expect(events.contains { $0.kind == "message_failed" && ($0.detail ?? "").contains("550") }, "\(events)")
            // Unknown agent and no policy.
            #expect(try await repository.raiseEscalation(event: .drillUnanswered, agentId: "nobody", detail: "x") == .unknownAgent)
            let loner = try await harness.repository.createAgent(NewAgent(employeeId: "E99", name: "No campaign"))
            #expect(try await repository.raiseEscalation(event: .drillUnanswered, agentId: loner.id, detail: "x") == .notInPolicy)
        }
    }

    @Test("check_stale and shipment_overdue are raised by the periodic pass and resolve themselves",
          arguments: TestBackend.available)
    func periodicEvents(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            let repository = harness.repository
            let (_, agents) = try await Self.fleet(harness, agents: 2, cutover: "2026-12-08")
            let now = ISO8601DateFormatter().date(from: "2026-12-06T12:00:00Z")!
            // Agent 1 checked an hour ago; agent 2 never did, and has a laptop shipped 6 days ago.
            let recent = sampleReport(employeeId: "E1", verdict: .ready, finishedAt: now.addingTimeInterval(-3600))
            _ = try await repository.ingest(recent, body: "{}", agentId: agents[0], deviceId: nil, at: now)
            try await repository.store.withConnection { db in
                try await db.raw(
                    """
                    INSERT INTO equipment_items (id, kind, asset_tag, agent_id, state, tracking_number, shipped_at, updated_at)
                    VALUES ('item-1', 'laptop', 'LT-1', \(bind: agents[1]), 'shipped', 'TRK1',
                            \(millis: now.addingTimeInterval(-6 * 86_400)), \(millis: now))
                    """
                ).run()
            }
            let sender = RecordingSender()
            let clock = ManualClock(now)
            let engine = Self.engine(repository, sender, clock)
            let pass = try await engine.tick()
            #expect(pass.raised == 2, "\(pass)")
            let open = try await repository.escalations(status: "open", limit: 10)
            #expect(Set(open.map(\.event)) == ["check_stale", "shipment_overdue"])
            #expect(open.allSatisfy { $0.agentId == agents[1] })
            #expect(open.first { $0.event == "shipment_overdue" }?.detail.contains("LT-1") == true)
            #expect(try await engine.tick().raised == 0)
            // The check arrives and the laptop is delivered: both resolve on the next pass.
            let check = sampleReport(employeeId: "E2", verdict: .ready, finishedAt: now.addingTimeInterval(60))
            _ = try await repository.ingest(check, body: "{}", agentId: agents[1], deviceId: nil, at: now)
            try await repository.store.withConnection { db in
                try await db.raw("UPDATE equipment_items SET state = 'delivered' WHERE id = 'item-1'").run()
            }
            clock.set(now.addingTimeInterval(120))
            #expect(try await engine.tick().resolved == 2)
            #expect(try await repository.escalations(status: "open", limit: 10).isEmpty)
            // Far from cutover nothing is stale.
            clock.set(ISO8601DateFormatter().date(from: "2027-03-01T12:00:00Z")!)
            #expect(try await engine.tick().raised == 0)
        }
    }

    @Test("an agent silent when a drill's deadline passes gets drill_unanswered once per drill; a late check resolves it",
          arguments: TestBackend.available)
    func drillUnanswered(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            let repository = harness.repository
            let (campaignId, agents) = try await Self.fleet(harness, agents: 3)
            let start = ISO8601DateFormatter().date(from: "2026-12-06T12:00:00Z")!
            let drill = try await repository.startDrill(
                NewDrill(scope: .campaign(campaignId), deadlineMinutes: 30, targetReadyShare: 0.9, name: "Sismo"),
                now: start)
            // E1 answers within the deadline; E2 and E3 do not.
            let answer = sampleReport(employeeId: "E1", verdict: .ready, finishedAt: start.addingTimeInterval(300))
            _ = try await repository.ingest(answer, body: "{}", agentId: agents[0], deviceId: nil,
                                            at: start.addingTimeInterval(300))
            let sender = RecordingSender()
            let clock = ManualClock(start.addingTimeInterval(20 * 60))
            let engine = Self.engine(repository, sender, clock)
            #expect(try await engine.tick().raised == 0, "before the deadline nobody has missed it")
            clock.set(start.addingTimeInterval(31 * 60))
            #expect(try await engine.tick().raised == 2)
            let open = try await repository.escalations(status: "open", limit: 10)
            #expect(Set(open.map(\.agentId)) == [agents[1], agents[2]])
            #expect(open.allSatisfy { $0.event == "drill_unanswered" && $0.detail.contains("Sismo") })
            #expect(try await engine.tick().raised == 0, "one escalation per drill and agent")
            // E2 checks late: resolved by the server. E3's is resolved by hand and not raised again for this drill.
            let late = sampleReport(employeeId: "E2", verdict: .notReady, finishedAt: start.addingTimeInterval(40 * 60))
            _ = try await repository.ingest(late, body: "{}", agentId: agents[1], deviceId: nil,
                                            at: start.addingTimeInterval(40 * 60))
            clock.set(start.addingTimeInterval(41 * 60))
            #expect(try await engine.tick().resolved == 1)
            let third = try #require(try await repository.escalations(status: "open", limit: 10).first)
            #expect(third.agentId == agents[2])
            _ = try await repository.resolveEscalation(id: third.id, actor: "sup0@example.com", now: clock.now)
            clock.set(start.addingTimeInterval(45 * 60))
            #expect(try await engine.tick().raised == 0)
            #expect(try await repository.escalations(status: "open", limit: 10).isEmpty)
            _ = drill
        }
    }

    @Test("a step claimed by an instance that stopped before recording fails after the claim timeout, audited, never resent",
          arguments: TestBackend.available)
    func interruptedClaim(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            let repository = harness.repository
            let (_, agents) = try await Self.fleet(harness, agents: 1)
            let t0 = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
            guard case .raised(let id) = try await repository.raiseEscalation(
                event: .drillUnanswered, agentId: agents[0], detail: "drill", now: t0)
            else { throw TestFailure("not raised") }
            // An instance claims the supervisor's message, then dies before sending.
            let due = try await repository.dueEscalationSteps(now: t0.addingTimeInterval(31 * 60))
            let claim = try await repository.claimEscalationMessage(
                recipientKey: "email:sup0@example.com", role: .supervisor, steps: due, intervalMinutes: 15,
                instance: "dead", now: t0.addingTimeInterval(31 * 60))
            #expect(claim?.steps.count == 1)
            let sender = RecordingSender()
            let clock = ManualClock(t0.addingTimeInterval(40 * 60))
            let engine = Self.engine(repository, sender, clock)
            #expect(try await engine.tick().interrupted == 0)
            clock.set(t0.addingTimeInterval(47 * 60))
            #expect(try await engine.tick().interrupted == 1)
            #expect(sender.sent.isEmpty)
            let record = try await repository.escalation(id: id)
            #expect(record?.steps?.first { $0.role == "supervisor" }?.state == "failed")
            #expect(record?.events?.last?.detail?.contains("interrupted: claimed by instance dead") == true)
            // The chain goes on: the coordinator at 120 minutes.
            clock.set(t0.addingTimeInterval(121 * 60))
            try await engine.tick()
            #expect(sender.sent.map(\.recipient.email) == ["coord@example.com"])
        }
    }

    // MARK: Two instances

    @Test("a pass over 500 escalations due for 50 supervisors: 50 digests, timed", arguments: TestBackend.available)
    func passCost(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            let (_, agents) = try await Self.fleet(harness, agents: 500, supervisors: 50)
            let t0 = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
            let raiseStart = ContinuousClock.now
            for agent in agents {
                _ = try await harness.repository.raiseEscalation(
                    event: .drillUnanswered, agentId: agent, detail: "drill", now: t0)
            }
            let raised = ContinuousClock.now - raiseStart
            let sender = RecordingSender()
            let clock = ManualClock(t0.addingTimeInterval(31 * 60))
            let engine = Self.engine(harness.repository, sender, clock)
            let passStart = ContinuousClock.now
            let pass = try await engine.tick()
            let passed = ContinuousClock.now - passStart
            let idleStart = ContinuousClock.now
            try await engine.tick()
            let idle = ContinuousClock.now - idleStart
            #expect(pass.messagesSent == 50 && sender.sent.count == 50)
            print(
                "escalation figures (\(backend.rawValue), debug build): raise 500 with the agent's message \(raised), "
                    + "pass sending 50 digests for 500 steps \(passed), idle pass \(idle)")
        }
    }

    @Test("two instances on one database run the pass at once: each step is sent exactly once",
          arguments: TestBackend.available)
    func twoInstancesSendOnce(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            // 12 agents, 4 supervisors: 4 supervisor digests, 1 coordinator, 1 director = 6 messages per round.
            let (_, agents) = try await Self.fleet(harness, agents: 12, supervisors: 4)
            let (otherStore, other) = try await openRepository(harness.configuration, logger: Harness.logger)
            defer { Task { await otherStore.shutdown() } }
            let t0 = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
            // Both instances raise the same incidents at once: one each.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for repository in [harness.repository, other] {
                    group.addTask {
                        for agent in agents {
                            _ = try await repository.raiseEscalation(
                                event: .drillUnanswered, agentId: agent, detail: "drill", now: t0)
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await harness.repository.escalations(status: "open", limit: 100).count == 12)
            #expect(try await harness.repository.instructions(limit: 100).count == 12)
            let senders = [RecordingSender(), RecordingSender()]
            let clock = ManualClock(t0)
            let engines = [
                Self.engine(harness.repository, senders[0], clock), Self.engine(other, senders[1], clock),
            ]
            for minutes in [31.0, 31.5, 121, 122, 241, 250] {
                clock.set(t0.addingTimeInterval(minutes * 60))
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for engine in engines {
                        for _ in 0..<3 { group.addTask { try await engine.tick() } }
                    }
                    try await group.waitForAll()
                }
            }
            let all = senders[0].sent + senders[1].sent
            #expect(all.count == 6, "sent \(senders[0].sent.count) + \(senders[1].sent.count)")
            let byRecipient = Dictionary(grouping: all, by: { $0.recipient.email ?? "" }).mapValues(\.count)
            #expect(byRecipient == [
                "sup0@example.com": 1, "sup1@example.com": 1, "sup2@example.com": 1, "sup3@example.com": 1,
                "coord@example.com": 1, "dir@example.com": 1,
            ])
            // Every escalation was named in exactly one message per step.
            let links: Int = all.map(\.links.count).reduce(0, +)
            #expect(links == 72)  // 12 escalations × (ack, resolve) × 3 steps
            #expect(try await harness.repository.escalationMessageCount() == 6)
            for escalation in try await harness.repository.escalations(status: "open", limit: 100) {
                let record = try await harness.repository.escalation(id: escalation.id)
                let steps = record?.steps ?? []
                #expect(steps.map(\.state) == ["sent", "sent", "sent", "sent"], "\(steps) \(record?.events ?? [])")
            }
        }
    }
}
