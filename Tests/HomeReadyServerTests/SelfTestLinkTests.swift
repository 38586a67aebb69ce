import Foundation
import HomeReadyDashboard
import HomeReadyModel
import HomeReadySelfTest
import HomeReadyTestSupport
import SQLKit
import Testing

@testable import HomeReadyServer

/// Self-test links and the page's API against a REAL server on 127.0.0.1 over a real SQLite file (and PostgreSQL
/// under `Scripts/with-postgres`): links made,
/// listed, revoked and expired; only the token's SHA-256 stored; reports stored once for the link's agent; one
/// link never reaching another agent's data; problems as problem+json; the CLI command end to end.
@Suite("Self-test links (real server)", .serialized)
struct SelfTestLinkTests {
    static func token(of url: String) -> String { String(url.split(separator: "/").last ?? "") }

    @Test("an admin makes a link; only its SHA-256 is stored; the page is served with a strict CSP; revoking ends it", arguments: TestBackend.available)
    func linkLifecycle(backend: TestBackend) async throws {
        try await Harness.with(backend) { h in
            let roster = try await SelfTestRoster.make(h)
            let instance = try await LiveInstance.start(h.configuration)
            do {
                let base = instance.base
                let made = try curl("POST", "\(base)/api/v1/agents/\(roster.ana)/self-test-links", token: h.adminToken, json: ["expires": "2h", "max_uses": 3])
                #expect(made.status == 201, "\(made.body)")
                let url = try #require(made.json["url"] as? String)
                #expect(url.hasPrefix("\(base)/self-test/st_"))
                let expires = try #require((made.json["expires_at"] as? String).flatMap(ReportCoding.parseISO8601))
                #expect(abs(expires.timeIntervalSinceNow - 7200) < 60)
                let token = Self.token(of: url)
                #expect(SelfTestLinks.looksLikeToken(token))

                // Only the hash: the token appears nowhere in the table.
                let stored = try await h.allText(of: "self_test_links")
                #expect(!stored.contains(token))
                #expect(stored.contains(SelfTestLinks.hash(token)))

                // Planners and anonymous callers cannot make links; an unknown agent is a 404 problem.
                #expect(try curl("POST", "\(base)/api/v1/agents/\(roster.ana)/self-test-links", token: h.plannerToken).status == 403)
                #expect(try curl("POST", "\(base)/api/v1/agents/\(roster.ana)/self-test-links").status == 401)
                let unknown = try curl("POST", "\(base)/api/v1/agents/nobody/self-test-links", token: h.adminToken)
                #expect(unknown.status == 404 && unknown.header("content-type") == "application/problem+json")
                let bad = try curl("POST", "\(base)/api/v1/agents/\(roster.ana)/self-test-links", token: h.adminToken, json: ["expires": "forever"])
                #expect(bad.status == 422 && bad.json["field"] as? String == "expires")

                // The page: HTML with a strict CSP, no referrer, no cache; Spanish by default, English on request.
                let page = try curl("GET", url)
                #expect(page.status == 200)
                #expect(page.header("content-type")?.hasPrefix("text/html") == true)
                let csp = try #require(page.header("content-security-policy"))
                #expect(csp.contains("default-src 'self'") && csp.contains("script-src 'self'") && csp.contains("connect-src 'self'"))
                #expect(!csp.contains("unsafe-inline"))
                #expect(page.header("referrer-policy") == "no-referrer")
                #expect(page.header("cache-control") == "no-store")
                #expect(page.body.contains("<html lang=\"es-MX\">") && page.body.contains("Empezar la prueba"))
                let english = try curl("GET", url, headers: ["Accept-Language": "en-US,en;q=0.9"])
                #expect(english.body.contains("<html lang=\"en\">") && english.body.contains("Start the test"))
                // An agent whose roster language is English gets English even from a Spanish browser.
                let brunoLink = try curl(
                    "POST", "\(base)/api/v1/agents/\(roster.bruno)/self-test-links", token: h.adminToken, json: [:])
                let brunoURL = try #require(brunoLink.json["url"] as? String, "\(brunoLink.body)")
                let bruno = try curl("GET", brunoURL, headers: ["Accept-Language": "es-MX,es;q=0.9"])
                #expect(bruno.body.contains("<html lang=\"en\">") && bruno.body.contains("Start the test"))
                #expect(bruno.body.contains("data-lang-source=\"roster\""))
                for asset in ["selftest.js", "selftest.css", "es.json", "en.json", "icon.svg"] {
                    let reply = try curl("GET", "\(base)/self-test/assets/\(asset)")
                    #expect(reply.status == 200, "\(asset)")
                    #expect(reply.header("x-content-type-options") == "nosniff")
                }

                // What the page reads: only the agent's name (no other agent's data), the speed paths, no relay.
                let config = try curl("GET", "\(url)/config")
                #expect(config.status == 200)
                #expect((config.json["agent"] as? [String: Any])?["name"] as? String == "Ana López")
                #expect(config.json["relay"] as? Bool == false)
                #expect(!config.body.contains("E1002") && !config.body.contains("Bruno"))
                let turn = try curl("GET", "\(url)/turn")
                #expect(turn.status == 404 && turn.json["code"] as? String == "relay_not_configured")

                // Listed without token or URL, then revoked: the page says so in the agent's language.
                let list = try curl("GET", "\(base)/api/v1/agents/\(roster.ana)/self-test-links", token: h.adminToken)
                let listed = try #require((list.json["items"] as? [[String: Any]])?.first)
                #expect(listed["state"] as? String == "active" && listed["uses"] as? Int == 0 && listed["max_uses"] as? Int == 3)
                #expect(!list.body.contains(token) && !list.body.contains("/self-test/"))
                let linkId = try #require(listed["id"] as? String)
                let revoked = try curl("DELETE", "\(base)/api/v1/self-test-links/\(linkId)", token: h.adminToken)
                #expect(revoked.status == 200 && revoked.json["state"] as? String == "revoked")
                #expect(try curl("DELETE", "\(base)/api/v1/self-test-links/\(linkId)", token: h.plannerToken).status == 403)
                #expect(try curl("DELETE", "\(base)/api/v1/self-test-links/stl_none", token: h.adminToken).status == 404)
                let gone = try curl("GET", url)
                #expect(gone.status == 410)
                #expect(gone.body.contains("Este enlace de prueba fue cancelado.") && gone.body.contains("Pide un enlace nuevo"))
                let goneEnglish = try curl("GET", url, headers: ["Accept-Language": "en"])
                #expect(goneEnglish.body.contains("This test link was cancelled.") && goneEnglish.body.contains("Ask your supervisor or IT"))
                let goneConfig = try curl("GET", "\(url)/config")
                #expect(goneConfig.status == 410 && goneConfig.header("content-type") == "application/problem+json")
                #expect(goneConfig.json["code"] as? String == "link_revoked")
                let report = try curl("POST", "\(url)/report", raw: try reportJSON(browserReport()))
                #expect(report.status == 410 && report.json["code"] as? String == "link_revoked")
            } catch {
                await instance.stop()
                throw error
            }
            await instance.stop()
        }
    }

    @Test("an expired or unknown link shows what to do; a malformed report is a problem naming the field")
    func expiredAndUnknown() async throws {
        try await Harness.with(.sqlite) { h in
            let roster = try await SelfTestRoster.make(h)
            let instance = try await LiveInstance.start(h.configuration)
            do {
                let base = instance.base
                let made = try curl("POST", "\(base)/api/v1/agents/\(roster.ana)/self-test-links", token: h.adminToken)
                let url = try #require(made.json["url"] as? String)
                #expect(try curl("POST", "\(url)/report", raw: "{\"schema_version\": 1}").json["field"] as? String == "report_id")
                #expect(try curl("POST", "\(url)/report", raw: "not json").json["title"] as? String == "Malformed JSON")
                try await h.store.withConnection { db in
                    try await db.raw("UPDATE self_test_links SET expires_at = \(literal: Clock.millis(Date()) - 1000)").run()
                }
                let expired = try curl("GET", url)
                #expect(expired.status == 410 && expired.body.contains("Este enlace de prueba ya venció."))
                #expect(try curl("GET", "\(url)/config").json["code"] as? String == "link_expired")
                let unknown = try curl("GET", "\(base)/self-test/st_\(String(repeating: "A", count: 43))")
                #expect(unknown.status == 404 && unknown.body.contains("no es válido"))
                let garbage = try curl("GET", "\(base)/self-test/whatever/config")
                #expect(garbage.status == 404 && garbage.json["code"] as? String == "link_unknown")
            } catch {
                await instance.stop()
                throw error
            }
            await instance.stop()
        }
    }

    @Test("a report is judged, stored once for the link's agent, never another's; a used-up link refuses new reports", arguments: TestBackend.available)
    func reportsStoredOnceAndIsolated(backend: TestBackend) async throws {
        try await Harness.with(backend) { h in
            let roster = try await SelfTestRoster.make(h)
            let instance = try await LiveInstance.start(h.configuration)
            do {
                let base = instance.base
                let anaLink = try #require(
                    try curl("POST", "\(base)/api/v1/agents/\(roster.ana)/self-test-links", token: h.adminToken, json: ["max_uses": 2]).json["url"] as? String)
                let brunoLink = try #require(
                    try curl("POST", "\(base)/api/v1/agents/\(roster.bruno)/self-test-links", token: h.adminToken).json["url"] as? String)

                // The page names another employee: the server stores it for the link's agent anyway.
                let report = browserReport(transport: .tcp, employeeId: "E1002")
                let first = try curl("POST", "\(anaLink)/report", raw: try reportJSON(report))
                #expect(first.status == 201, "\(first.body)")
                #expect(first.json["duplicate"] as? Bool == false)
                let verdict = try #require(first.json["verdict"] as? String)
                #expect(verdict == "ready_with_warnings")
                let findings = try #require(first.json["findings"] as? [[String: Any]])
                let relay = try #require(findings.first { $0["id"] as? String == "voice.relay" })
                #expect(relay["status"] as? String == "warn")
                #expect((relay["message"] as? String)?.contains("Calls only work through the TCP relay (degraded)") == true)
                #expect(findings.contains { $0["id"] as? String == "posture.browser" && $0["status"] as? String == "not_applicable" })

                // Sent again (same report_id): stored once, the same answer.
                let again = try curl("POST", "\(anaLink)/report", raw: try reportJSON(report))
                #expect(again.status == 200 && again.json["duplicate"] as? Bool == true && again.json["verdict"] as? String == verdict)
                let stored = try curl("GET", "\(base)/api/v1/agents/\(roster.ana)/reports", token: h.adminToken)
                #expect((stored.json["items"] as? [[String: Any]])?.count == 1)
                let none = try curl("GET", "\(base)/api/v1/agents/\(roster.bruno)/reports", token: h.adminToken)
                #expect((none.json["items"] as? [[String: Any]])?.isEmpty == true)
                let body = try curl("GET", "\(base)/api/v1/reports/\(report.reportID.uuidString.lowercased())", token: h.adminToken)
                let storedReport = try ReportCoding.decoder().decode(CheckReport.self, from: Data(body.body.utf8))
                #expect(storedReport.agent.employeeID == "E1001")
                #expect(storedReport.source == .browser)
                #expect(storedReport.verdict == .readyWithWarnings)
                #expect(storedReport.profile.id == "inbound-voice")
                #expect(storedReport.browser?.relay?.transport == .tcp)
                #expect(abs(storedReport.finishedAt.timeIntervalSinceNow) < 60, "the server's clock, not the laptop's")
                #expect(try await h.repository.agent(id: roster.ana)?.lastVerdict == .readyWithWarnings)

                // Another agent's link cannot reach this report: its report_id is taken, and nothing is shown.
                let stolen = try curl("POST", "\(brunoLink)/report", raw: try reportJSON(report))
                #expect(stolen.status == 409 && stolen.header("content-type") == "application/problem+json")
                #expect(!stolen.body.contains("E1001") && !stolen.body.contains("findings"))

                // The use count: one stored report so far (the duplicate spent nothing); the second is the last.
                let second = try curl("POST", "\(anaLink)/report", raw: try reportJSON(browserReport(microphone: .permissionDenied)))
                #expect(second.status == 201)
                #expect(second.json["verdict"] as? String == "incomplete")
                let third = try curl("POST", "\(anaLink)/report", raw: try reportJSON(browserReport()))
                #expect(third.status == 410 && third.json["code"] as? String == "link_used_up")
                // …but the last report sent again is still answered (a retry after a lost answer).
                #expect(try curl("POST", "\(anaLink)/report", raw: try reportJSON(report)).status == 200)
                let page = try curl("GET", anaLink)
                #expect(page.status == 410 && page.body.contains("ya se usó todas las veces"))
            } catch {
                await instance.stop()
                throw error
            }
            await instance.stop()
        }
    }

    @Test("the page shows the agent's waiting messages from IT (newest first, both languages), counted as fetched; an acknowledged one is gone", arguments: TestBackend.available)
    func messagesOnThePage(backend: TestBackend) async throws {
        try await Harness.with(backend) { h in
            let roster = try await SelfTestRoster.make(h)
            let instance = try await LiveInstance.start(h.configuration)
            do {
                let base = instance.base
                let url = try #require(
                    try curl("POST", "\(base)/api/v1/agents/\(roster.bruno)/self-test-links", token: h.adminToken).json["url"] as? String)
                let empty = try curl("GET", "\(url)/config").json["messages"] as? [[String: Any]]
                #expect(empty?.isEmpty == true)
                let first = try curl(
                    "POST", "\(base)/api/v1/instructions", token: h.adminToken,
                    json: ["agent_id": roster.bruno, "kind": "message", "text": "Check your VPN before 9",
                           "texts": ["es": "Revisa tu VPN antes de las 9", "en": "Check your VPN before 9"]])
                #expect(first.status == 201, "\(first.body)")
                let second = try curl(
                    "POST", "\(base)/api/v1/instructions", token: h.adminToken,
                    json: ["agent_id": roster.bruno, "kind": "message", "text": "Tu diadema llega mañana"])
                #expect(second.status == 201, "\(second.body)")
                _ = try curl("POST", "\(base)/api/v1/instructions", token: h.adminToken,
                             json: ["agent_id": roster.bruno, "kind": "check_now"])
                let messages = try #require(try curl("GET", "\(url)/config").json["messages"] as? [[String: Any]])
                #expect(messages.map { $0["text"] as? String } == ["Tu diadema llega mañana", "Check your VPN before 9"])
                #expect((messages[1]["texts"] as? [String: String])?["es"] == "Revisa tu VPN antes de las 9")
                #expect(messages.allSatisfy { $0["sent_at"] is String && $0["id"] is String })
                // Counted as delivered to the page, by the link.
                let sent = try curl("GET", "\(base)/api/v1/instructions", token: h.adminToken).json["items"] as? [[String: Any]] ?? []
                let firstId = try #require(first.json["id"] as? String)
                let fetchedBy = try await h.repository.store.withConnection { db in
                    try await db.raw(
                        "SELECT fetched_by FROM instruction_deliveries WHERE instruction_id = \(bind: firstId)"
                    ).all().first?.optionalString("fetched_by")
                }
                #expect(fetchedBy?.hasPrefix("self-test:") == true, "\(sent.count) sent, fetched by \(fetchedBy ?? "nobody")")
                // Acknowledged (by the agent's device) it leaves the page.
                try await h.repository.store.withConnection { db in
                    try await db.raw(
                        "UPDATE instruction_deliveries SET acked_at = 1 WHERE instruction_id = \(bind: firstId)"
                    ).run()
                }
                let left = try curl("GET", "\(url)/config").json["messages"] as? [[String: Any]]
                #expect(left?.map { $0["text"] as? String } == ["Tu diadema llega mañana"])
            } catch {
                await instance.stop()
                throw error
            }
            await instance.stop()
        }
    }

    @Test("a CSV of links for a campaign; the campaign says whether browser reports count", arguments: TestBackend.available)
    func campaignLinksAndSetting(backend: TestBackend) async throws {
        try await Harness.with(backend) { h in
            let roster = try await SelfTestRoster.make(h)
            let instance = try await LiveInstance.start(h.configuration)
            do {
                let base = instance.base
                let csv = try curl("POST", "\(base)/api/v1/campaigns/\(roster.campaignId)/self-test-links.csv?expires=3d", token: h.adminToken)
                #expect(csv.status == 201)
                #expect(csv.header("content-type")?.hasPrefix("text/csv") == true)
                let lines = csv.body.split(separator: "\r\n").map(String.init)
                #expect(lines.first == "employee_id,name,url,expires_at")
                #expect(lines.count == 3)
                #expect(lines[1].hasPrefix("E1001,Ana López,\(base)/self-test/st_"))
                let url = String(lines[2].split(separator: ",")[2])
                #expect(try curl("GET", "\(url)/config").json["agent"].flatMap { ($0 as? [String: Any])?["name"] as? String } == "Bruno Díaz")
                #expect(try curl("POST", "\(base)/api/v1/campaigns/\(roster.campaignId)/self-test-links.csv", token: h.plannerToken).status == 403)
                #expect(try curl("POST", "\(base)/api/v1/campaigns/none/self-test-links.csv", token: h.adminToken).status == 404)

                let campaign = try curl("GET", "\(base)/api/v1/campaigns/\(roster.campaignId)", token: h.adminToken)
                #expect(campaign.json["browser_reports_count"] as? Bool == true)
                let changed = try curl("PATCH", "\(base)/api/v1/campaigns/\(roster.campaignId)", token: h.adminToken, json: ["browser_reports_count": false])
                #expect(changed.status == 200 && changed.json["browser_reports_count"] as? Bool == false)
                // An empty change changes nothing.
                let unchanged = try curl("PATCH", "\(base)/api/v1/campaigns/\(roster.campaignId)", token: h.adminToken, json: [:] as [String: Any])
                #expect(unchanged.status == 200 && unchanged.json["browser_reports_count"] as? Bool == false)
                // Where browser reports do not count, the page's report is stored but the agent stays incomplete.
                let brunoLink = try #require(
                    try curl("POST", "\(base)/api/v1/agents/\(roster.bruno)/self-test-links", token: h.adminToken).json["url"] as? String)
                let refused = try curl("POST", "\(brunoLink)/report", raw: try reportJSON(browserReport(transport: .udp)))
                #expect(refused.status == 201 && refused.json["verdict"] as? String == "incomplete", "\(refused.body)")
                #expect((refused.json["reason"] as? String)?.contains("a browser self-test cannot make this agent ready") == true)
                let vdi = try curl(
                    "POST", "\(base)/api/v1/campaigns", token: h.adminToken,
                    json: ["name": "VDI", "profile_id": "inbound-voice", "cutover_date": "2026-12-01", "browser_reports_count": true])
                #expect(vdi.status == 201 && vdi.json["browser_reports_count"] as? Bool == true)
            } catch {
                await instance.stop()
                throw error
            }
            await instance.stop()
        }
    }

    @Test("homeready-server self-test-link prints the URL alone on stdout; an unknown employee fails with the fix")
    func cliCommand() async throws {
        try await Harness.with(.sqlite) { h in
            _ = try await SelfTestRoster.make(h)
            guard case .sqlite(let path) = h.configuration.database else {
                Issue.record("the SQLite harness has no SQLite database: \(h.configuration.database)")
                return
            }
            let binary = TestEnvironment.productsDirectory.appendingPathComponent("homeready-server").path
            let out = try Subprocess.run([
                binary, "self-test-link", "--db", "sqlite:\(path)", "--employee-id", "E1001", "--expires", "2h",
                "--base-url", "https://homeready.example.com/",
            ])
            #expect(out.status == 0, "\(out.stderr)")
            let lines = out.stdout.split(separator: "\n")
            #expect(lines.count == 1)
            let url = String(lines.first ?? "")
            #expect(url.hasPrefix("https://homeready.example.com/self-test/st_"))
            let link = try #require(try await h.repository.selfTestLink(tokenHash: SelfTestLinks.hash(Self.token(of: url))))
            #expect(link.createdBy == "cli")
            #expect(abs(link.expiresAt.timeIntervalSinceNow - 7200) < 60)
            let unknown = try Subprocess.run([binary, "self-test-link", "--db", "sqlite:\(path)", "--employee-id", "E9999"])
            #expect(unknown.status != 0 && unknown.stdout.isEmpty)
            #expect(unknown.stderr.contains("E9999"))
            let bad = try Subprocess.run([binary, "self-test-link", "--db", "sqlite:\(path)", "--employee-id", "E1001", "--expires", "soon"])
            #expect(bad.status != 0 && bad.stderr.contains("--expires"))
        }
    }

    @Test("serve refuses TURN options that cannot work, saying what to give")
    func serveTURNOptions() throws {
        let binary = TestEnvironment.productsDirectory.appendingPathComponent("homeready-server").path
        let directory = try TemporaryDirectory(prefix: "selftest-serve")
        defer { directory.remove() }
        let db = "sqlite:\(directory.path)/x.sqlite"
        let noSecret = try Subprocess.run([binary, "serve", "--db", db, "--turn-server", "127.0.0.1:3478"], timeout: 20)
        #expect(noSecret.status != 0 && noSecret.stderr.contains("--turn-secret-file"))
        let badServer = try Subprocess.run([binary, "serve", "--db", db, "--turn-server", "turn.example.com"], timeout: 20)
        #expect(badServer.status != 0 && badServer.stderr.contains("HOST:PORT"))
        let missingFile = try Subprocess.run(
            [binary, "serve", "--db", db, "--listen", "127.0.0.1:0", "--turn-server", "127.0.0.1:3478",
             "--turn-secret-file", "\(directory.path)/none"], timeout: 20)
        #expect(missingFile.status != 0 && missingFile.stderr.contains("cannot read --turn-secret-file"))
        #expect(!missingFile.stderr.contains("static-auth-secret="))
    }

    @Test("the agent page's button makes a link (admins only)")
    func dashboardButton() async throws {
        try await Harness.with(.sqlite) { h in
            let roster = try await SelfTestRoster.make(h)
            let instance = try await LiveInstance.start(h.configuration)
            do {
                for (role, name) in [(DashboardRole.admin, "ada"), (.planner, "pat")] {
                    try await h.repository.upsertDashboardUser(
                        DashboardUser(name: name, passwordHash: "pbkdf2-sha256$1$AA$AA", role: role), at: Date())
                    let cookie = Tokens.hash(UUID().uuidString)
                    try await h.repository.createDashboardSession(
                        DashboardSession(
                            id: Tokens.hash(cookie), userName: name, role: role, csrfToken: "csrf-\(name)", createdAt: Date(),
                            expiresAt: Date().addingTimeInterval(3600)))
                    let page = try Subprocess.run([
                        "curl", "-s", "-b", "hr_session=\(cookie)", "\(instance.base)/agents/\(roster.ana)",
                    ])
                    #expect(page.stdout.contains("make-self-test-link") == (role == .admin), "\(name)")
                    let made = try Subprocess.run([
                        "curl", "-s", "-w", "\n%{http_code}", "-b", "hr_session=\(cookie)", "--data", "csrf=csrf-\(name)",
                        "\(instance.base)/agents/\(roster.ana)/self-test-link",
                    ])
                    if role == .admin {
                        #expect(made.stdout.hasSuffix("\n200"))
                        #expect(made.stdout.contains("id=\"selftest-url\"") && made.stdout.contains("/self-test/st_"))
                    } else {
                        #expect(made.stdout.hasSuffix("\n403"))
                    }
                }
                #expect(try await h.repository.selfTestLinks(agentId: roster.ana).count == 1)
            } catch {
                await instance.stop()
                throw error
            }
            await instance.stop()
        }
    }
}
