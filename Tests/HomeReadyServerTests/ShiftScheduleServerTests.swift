import Foundation
import HomeReadyAgent
import HomeReadyModel
import HomeReadyTestSupport
import Logging
import Synchronization
import Testing

@testable import HomeReadyServer

/// Counts the reloads a timer asks for.
final class ReloadCounter: Sendable {
    let count = Mutex(0)
}

/// Campaign shifts (issue 20, point 5) over a real server on 127.0.0.1: planners set them, the device receives
/// them with its profile, and the agent's timer drop-in follows them.
@Suite("Campaign shifts: API, device profile and the agent's timer")
struct ShiftScheduleServerTests {
    /// Plain HTTP/1.1 to the live server (a raw socket client: the admin side needs PUT).
    struct Wire: Sendable {
        let port: Int
        var base: String { "http://127.0.0.1:\(port)" }

        func send(_ method: String, _ path: String, token: String?, body: String? = nil, type: String = "application/json")
            async throws -> (status: Int, json: [String: Any], text: String)
        {
            var headers: [String: String] = [:]
            if let token { headers["Authorization"] = "Bearer \(token)" }
            if body != nil { headers["Content-Type"] = type }
            let response = try await RawHTTP.request(
                port: port, method: method, path: path, headers: headers, body: body.map { Data($0.utf8) })
            return (response.status, response.json, response.text)
        }
    }

    static let shifts = """
        {"lead_minutes": 30, "every_minutes": 60, "shifts": [
          {"name": "morning", "weekdays": "mon..fri", "start": "07:00", "end": "15:00", "time_zone": "America/Mexico_City"},
          {"name": "night", "weekdays": ["sat", "sun"], "start": "22:00", "end": "02:00", "time_zone": "America/Mexico_City"}
        ]}
        """

    @Test("set and read a campaign's shifts; the enrolled agent gets them with its profile and writes the timer drop-in once", arguments: TestBackend.available)
    func roundTrip(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            let (campaign, code) = try await harness.withClient { api in
                let campaign = try await api.create(
                    "campaigns", ["name": "Voice", "profile_id": "inbound-voice", "cutover_date": "2026-12-01"])
                _ = try await api.create("agents", ["employee_id": "E1", "name": "Ada", "campaign_id": campaign])
                let code = try await api.send(.post, "/api/v1/enrollment-codes", token: api.admin, json: ["employee_id": "E1"])
                return (campaign, code.string("code") ?? "")
            }
            let planner = harness.plannerToken
            try await harness.withLiveServer { port in
                let wire = Wire(port: port)
                let path = "/api/v1/campaigns/\(campaign)/shifts"

                let empty = try await wire.send("GET", path, token: planner)
                #expect(empty.status == 200, "\(empty.text)")
                #expect((empty.json["shifts"] as? [Any])?.isEmpty == true && empty.json["lead_minutes"] as? Int == 30)

                let set = try await wire.send("PUT", path, token: planner, body: Self.shifts)
                #expect(set.status == 200, "\(set.text)")
                #expect(set.json["on_calendar"] as? [String] == [
                    "Mon..Fri *-*-* 06:30:00 America/Mexico_City",
                    "Mon..Fri *-*-* 07..14:00:00 America/Mexico_City",
                    "Sat,Sun *-*-* 21:30:00 America/Mexico_City",
                    "Sat,Sun *-*-* 22..23:00:00 America/Mexico_City",
                    "Mon,Sun *-*-* 00..01:00:00 America/Mexico_City",
                ])
                #expect((set.json["updated_by"] as? String)?.hasPrefix("planner:") == true)
                let read = try await wire.send("GET", path, token: harness.adminToken)
                let shifts = try #require(read.json["shifts"] as? [[String: Any]])
                #expect(shifts.count == 2)
                #expect(shifts[1]["name"] as? String == "night" && shifts[1]["weekdays"] as? [String] == ["sat", "sun"])
                #expect(shifts[1]["start"] as? String == "22:00" && shifts[1]["end"] as? String == "02:00")
                #expect(shifts[1]["time_zone"] as? String == "America/Mexico_City")

                // Refusals name the field; nothing is stored.
                let bad = try await wire.send(
                    "PUT", path, token: planner,
                    body: #"{"shifts": [{"weekdays": ["mon", "fir"], "start": "07:00", "end": "15:00", "time_zone": "UTC"}]}"#)
                #expect(bad.status == 422, "\(bad.text)")
                #expect(bad.json["field"] as? String == "shifts[0].weekdays[1]")
                #expect((bad.json["detail"] as? String)?.contains("got \"fir\"") == true)
                let zone = try await wire.send(
                    "PUT", path, token: planner,
                    body: #"{"shifts": [{"weekdays": "mon", "start": "07:00", "end": "15:00", "time_zone": "Mexico City"}]}"#)
                #expect(zone.status == 422 && zone.json["field"] as? String == "shifts[0].time_zone", "\(zone.text)")
                let malformed = try await wire.send("PUT", path, token: planner, body: "{")
                #expect(malformed.status == 400, "\(malformed.text)")
                let yaml = try await wire.send(
                    "PUT", path, token: planner, body: "shifts:\n  - {weekdays: mon, start: '07:00', end: '07:00', time_zone: UTC}\n",
                    type: "application/yaml")
                #expect(yaml.status == 422 && yaml.json["field"] as? String == "shifts[0].end", "\(yaml.text)")
                #expect(try await wire.send("PUT", "/api/v1/campaigns/nope/shifts", token: planner, body: Self.shifts).status == 404)
                #expect(try await wire.send("PUT", path, token: nil, body: Self.shifts).status == 401)
                let kept = try await wire.send("GET", path, token: planner)
                #expect((kept.json["shifts"] as? [Any])?.count == 2)

                // The agent: enroll, fetch the profile with the schedule, write the drop-in once.
                let home = try TemporaryDirectory(prefix: "homeready-shift-agent")
                defer { home.remove() }
                var logger = Logger(label: "shift-test")
                logger.logLevel = .warning
                let agent = EnrolledAgent(paths: AgentPaths(root: home.url), logger: logger)
                let enrollment = try await agent.enroll(server: wire.base, code: code, trust: ServerTrust(), hostname: "laptop")
                let reloads = ReloadCounter()
                let timer = ShiftTimer(directory: home.url.appendingPathComponent("units/homeready-check.timer.d")) {
                    reloads.count.withLock { $0 += 1 }
                    return .reloaded
                }
                let (first, source) = try await agent.assignedProfile(enrollment)
                #expect(source == .server)
                let schedule = try #require(first.schedule)
                #expect(schedule.shifts.count == 2 && schedule.shifts[1].crossesMidnight)
                #expect(try timer.apply(schedule, source: "server \(wire.base)").change == .written)
                let written = try String(contentsOf: timer.file, encoding: .utf8)
                #expect(written.contains("OnCalendar=\nOnCalendar=Mon..Fri *-*-* 06:30:00 America/Mexico_City\n"))
                #expect(written.contains("OnCalendar=Mon,Sun *-*-* 00..01:00:00 America/Mexico_City\n"))

                // Unchanged: the server answers 304, the cached schedule is the same, the drop-in stays untouched.
                let (second, _) = try await agent.assignedProfile(enrollment)
                #expect(second.etag == first.etag && second.schedule == schedule)
                #expect(try timer.apply(second.schedule, source: "server \(wire.base)").change == .unchanged)
                #expect(reloads.count.withLock { $0 } == 1)

                // A changed schedule changes the profile's ETag and reaches the agent.
                let shorter = Self.shifts.replacingOccurrences(of: "\"15:00\"", with: "\"13:00\"")
                #expect(try await wire.send("PUT", path, token: planner, body: shorter).status == 200)
                let (third, _) = try await agent.assignedProfile(enrollment)
                #expect(third.etag != first.etag && third.etag.hasPrefix(first.etag.prefix(32)))
                #expect(try timer.apply(third.schedule, source: "server \(wire.base)").change == .written)
                #expect(try String(contentsOf: timer.file, encoding: .utf8).contains("07..12:00:00"))

                // No shifts: the profile has no schedule, the ETag is the profile's own, the drop-in goes.
                #expect(try await wire.send("PUT", path, token: planner, body: #"{"shifts": []}"#).status == 200)
                let (fourth, _) = try await agent.assignedProfile(enrollment)
                #expect(fourth.schedule == nil && !fourth.etag.contains("-"))
                #expect(try timer.apply(fourth.schedule, source: "server \(wire.base)").change == .removed)
                #expect(!FileManager.default.fileExists(atPath: timer.file.path))
                #expect(reloads.count.withLock { $0 } == 3)
            }
        }
    }

    @Test("a device token may not set shifts; a planner may", arguments: TestBackend.available)
    func roles(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            try await harness.withClient { api in
                let campaign = try await api.create(
                    "campaigns", ["name": "Chat", "profile_id": "chat-email", "cutover_date": "2026-12-01"])
                _ = try await api.create("agents", ["employee_id": "E2", "name": "Bob", "campaign_id": campaign])
                let device = try await SignedDevice.enroll(api, employeeId: "E2")
                let body: [String: Any] = [
                    "shifts": [["weekdays": "mon..fri", "start": "09:00", "end": "17:00", "time_zone": "Europe/Madrid"]]
                ]
                let refused = try await api.send(.put, "/api/v1/campaigns/\(campaign)/shifts", token: device.token, json: body)
                #expect(refused.status == .forbidden)
                let set = try await api.send(.put, "/api/v1/campaigns/\(campaign)/shifts", token: api.planner, json: body)
                #expect(set.status == .ok, "\(set.text)")
                let stored = try await harness.repository.shiftSchedule(campaignId: campaign)
                #expect(stored?.schedule.shifts.first?.weekdays.count == 5)
                let profile = try await api.send(.get, "/api/v1/device/profile", token: device.token)
                let schedule = try #require(profile.json["schedule"] as? [String: Any])
                #expect(schedule["every_minutes"] as? Int == 60)
                #expect((schedule["shifts"] as? [[String: Any]])?.first?["time_zone"] as? String == "Europe/Madrid")
            }
        }
    }
}
