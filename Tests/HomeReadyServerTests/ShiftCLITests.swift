import Foundation
import HomeReadyTestSupport
import Testing

/// `homeready check` on an enrolled laptop against a real `homeready-server`: the timer drop-in follows the
/// campaign's shifts (issue 20, point 5).
@Suite("homeready check follows the campaign's shifts", .serialized)
struct ShiftCLITests {
    @Test("the enrolled check writes the timer drop-in, leaves it alone while the shifts stay, removes it when they go")
    func checkWritesTheDropIn() throws {
        let fleet = try Fleet.make(agents: 0)
        defer { fleet.tearDown() }
        let campaign = try fleet.api(
            "POST", "/api/v1/campaigns", ["name": "Voice", "profile_id": "chat-email", "cutover_date": "2026-12-01"])
        let campaignId = try #require(campaign["id"] as? String)
        _ = try fleet.api("POST", "/api/v1/agents", ["employee_id": "S1", "name": "Sol", "campaign_id": campaignId])
        let set = try fleet.api(
            "PUT", "/api/v1/campaigns/\(campaignId)/shifts",
            [
                "lead_minutes": 30, "every_minutes": 120,
                "shifts": [["weekdays": "mon..fri", "start": "07:00", "end": "15:00", "time_zone": "America/Mexico_City"]],
            ])
        #expect((set["on_calendar"] as? [String])?.count == 2, "\(set)")
        let agent = HomeReadyAgentProcess(home: fleet.directory.url.appendingPathComponent("agent"))
        let code = try fleet.server.enrollmentCode(employeeID: "S1")
        let enrolled = try agent.run(["enroll", "--server", fleet.server.url, "--code", code])
        #expect(enrolled.status == 0, "\(enrolled.stderr)")
        // HomeReadyAgentProcess sets XDG_CONFIG_HOME to HOME/xdg: the user's unit folder is under it.
        let dropIn = URL(fileURLWithPath: agent.environment["XDG_CONFIG_HOME"]!)
            .appendingPathComponent("systemd/user/homeready-check.timer.d/shifts.conf")
        let withoutSystemd = !FileManager.default.fileExists(atPath: "/run/systemd/system")

        let first = try agent.run(["check", "--only", "equipment", "--no-upload"])
        #expect([0, 1, 3].contains(first.status), "\(first.stderr)")
        #expect(first.stderr.contains("the check timer now follows the campaign's shifts (2 OnCalendar= line(s)"), "\(first.stderr)")
        if withoutSystemd {
            #expect(first.stderr.contains("systemd not asked to reload: systemd is not running on this machine"), "\(first.stderr)")
        }
        let text = try String(contentsOf: dropIn, encoding: .utf8)
        #expect(text.contains("[Timer]\nOnCalendar=\nOnCalendar=Mon..Fri *-*-* 06:30:00 America/Mexico_City\n"), "\(text)")
        #expect(text.contains("OnCalendar=Mon..Fri *-*-* 07,09,11,13:00:00 America/Mexico_City\n"), "\(text)")
        let written = try FileManager.default.attributesOfItem(atPath: dropIn.path)[.modificationDate] as? Date

        let second = try agent.run(["check", "--only", "equipment", "--no-upload"])
        #expect(!second.stderr.contains("check timer"), "\(second.stderr)")
        #expect(try FileManager.default.attributesOfItem(atPath: dropIn.path)[.modificationDate] as? Date == written)

        _ = try fleet.api("PUT", "/api/v1/campaigns/\(campaignId)/shifts", ["shifts": [Any]()])
        let third = try agent.run(["check", "--only", "equipment", "--no-upload"])
        #expect(third.stderr.contains("the campaign has no shifts any more: removed"), "\(third.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dropIn.path))
    }
}
