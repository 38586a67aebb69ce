import Foundation
import HomeReadyTestSupport
import Testing

@Suite("homeready enroll, check, status, report against a real server", .serialized)
struct DeviceCLITests {
    @Test("an enrolled check uses the assigned profile, uploads, and falls back to the cached profile offline")
    func enrolledCheckEndToEnd() throws {
        let fleet = try Fleet.make(agents: 0)
        defer { fleet.tearDown() }
        let campaign = try fleet.api("POST", "/api/v1/campaigns", ["name": "Voice", "profile_id": "chat-email", "cutover_date": "2026-12-01"])
        let campaignId = try #require(campaign["id"] as? String)
        _ = try fleet.api("POST", "/api/v1/agents", ["employee_id": "C1", "name": "Cleo", "campaign_id": campaignId])
        let agent = HomeReadyAgentProcess(home: fleet.directory.url.appendingPathComponent("agent"))

        let before = try agent.run(["status"])
        #expect(before.stdout.contains("enrolled:  no"))
        let enrolled = try agent.run(["enroll", "--server", fleet.server.url, "--code", try fleet.server.enrollmentCode(employeeID: "C1")])
        #expect(enrolled.status == 0, "\(enrolled.stderr)")
        #expect(enrolled.stdout.contains("assigned profile: chat-email"))

        let check = try agent.run(["check", "--only", "equipment"])
        #expect([0, 1, 3].contains(check.status), "\(check.stderr)")
        #expect(check.stderr.contains("profile chat-email version 1 from \(fleet.server.url)"), "\(check.stderr)")
        #expect(check.stderr.contains("upload: sent 1"), "\(check.stderr)")
        // `--only equipment` measured one part: the server, not the agent, says what that is worth.
        #expect(
            check.stderr.contains(
                "the server's verdict: INCOMPLETE: some checks could not run (the last report covered only equipment; "
                    + "chat-email v1 also needs network"),
            "\(check.stderr)")
        let agentId = try #require(try fleet.api("GET", "/api/v1/agents?limit=5", [:])["items"] as? [[String: Any]]).first?["id"] as? String
        let reports = try fleet.api("GET", "/api/v1/agents/\(agentId ?? "")/reports", [:])
        #expect((reports["items"] as? [[String: Any]])?.first?["profile_id"] as? String == "chat-email")

        // Offline: the cached profile is used and said so; the report waits in the spool.
        fleet.server.stop()
        let offline = try agent.run(["check", "--only", "equipment"])
        #expect(offline.stderr.contains("using the cached profile chat-email version 1"), "\(offline.stderr)")
        #expect(offline.stderr.contains("kept for later"), "\(offline.stderr)")
        #expect(agent.pendingCount == 1)
        let status = try agent.run(["status", "--json"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        #expect(json["pending"] as? Int == 1)
        #expect(json["profile_id"] as? String == "chat-email")
        #expect(json["profile_version"] as? Int == 1)
        #expect(json["profile_cached_at"] != nil)
        let failedFlush = try agent.run(["report", "--flush", "--attempts", "1"])
        #expect(failedFlush.status == 1)
        #expect(failedFlush.stdout.contains("still pending 1"))

        try fleet.server.start()
        let flushed = try agent.run(["report", "--flush"])
        #expect(flushed.status == 0, "\(flushed.stderr)")
        #expect(agent.pendingCount == 0)
        let noUpload = try agent.run(["check", "--only", "equipment", "--no-upload"])
        #expect(!noUpload.stderr.contains("upload:"))
        #expect(agent.pendingCount == 0)
    }

    @Test("a key file others can read is refused")
    func looseKeyIsRefused() throws {
        let fleet = try Fleet.make(agents: 1)
        defer { fleet.tearDown() }
        let agent = fleet.agents[0]
        let key = agent.home.appendingPathComponent("config/device.key")
        chmod(key.path, 0o644)
        let result = try agent.run(["report", "--flush"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("chmod 600"), "\(result.stderr)")
    }
}
