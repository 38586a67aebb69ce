import Foundation
import HomeReadyModel
import HomeReadySigning
import HomeReadyTestSupport
import Logging
import Testing

@testable import HomeReadyAgent

@Suite("Enrolled agent: enrollment, assigned profile cache, signed spool, schedule")
struct EnrolledAgentTests {
    static func json(_ object: [String: Any], status: Int = 200, headers: [String: String] = [:]) -> Result<HTTPExchange.Response, any Error> {
        .success(HTTPExchange.Response(status: status, headers: headers, body: try! JSONSerialization.data(withJSONObject: object)))
    }

    func agent(_ dir: TemporaryDirectory, _ transport: ScriptedTransport) -> EnrolledAgent {
        EnrolledAgent(
            paths: AgentPaths(root: dir.url), logger: Logger(label: "test"),
            retry: RetryPolicy(initialDelay: 0.001, maximumDelay: 0.01, maxAttempts: 2), makeTransport: { _ in transport })
    }

    static let enrolled = json(
        ["device_id": "dev-1", "agent_id": "ag-1", "employee_id": "E1", "token": "hr_secret", "profile_id": "inbound-voice"],
        status: 201)

    @Test func enrollmentSendsThePublicKeyAndStoresKeyTokenAndTrustPrivately() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let transport = ScriptedTransport([Self.enrolled])
        let pin = "sha256//" + Data(repeating: 1, count: 32).base64EncodedString()
        let enrollment = try await agent(dir, transport).enroll(
            server: "https://127.0.0.1:8443", code: "enr_x", trust: ServerTrust(pinnedPublicKey: pin), hostname: "laptop")
        #expect(enrollment.deviceID == "dev-1" && enrollment.token == "hr_secret" && enrollment.pinnedPublicKey == pin)
        let sent = try #require(transport.requests.first)
        #expect(sent.url.absoluteString == "https://127.0.0.1:8443/api/v1/enroll")
        let payload = try #require(try JSONSerialization.jsonObject(with: sent.body ?? Data()) as? [String: String])
        let key = try DeviceStore(paths: AgentPaths(root: dir.url)).loadKey()
        #expect(payload["public_key"] == key.publicKeyBase64)
        #expect(payload["code"] == "enr_x")
        for file in [AgentPaths(root: dir.url).keyFile, AgentPaths(root: dir.url).enrollmentFile] {
            let mode = try #require(try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int)
            #expect(mode & 0o777 == 0o600)
        }
    }

    @Test func refusedCodesAndBadPinsAreClearErrorsAndLeaveNoKey() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let answer = Self.json(["title": "Enrollment refused", "detail": "the code is unknown, used or expired"], status: 403)
        let refused = ScriptedTransport([answer, answer])
        await #expect(throws: AgentError.self) {
            try await agent(dir, refused).enroll(server: "http://127.0.0.1:1", code: "old", trust: ServerTrust(), hostname: "h")
        }
        do {
            _ = try await agent(dir, refused).enroll(server: "http://127.0.0.1:1", code: "old", trust: ServerTrust(), hostname: "h")
        } catch {
            #expect(error.description.contains("HTTP 403") && error.description.contains("used or expired"))
        }
        #expect(!FileManager.default.fileExists(atPath: AgentPaths(root: dir.url).keyFile.path))
        do {
            _ = try await agent(dir, refused).enroll(
                server: "http://127.0.0.1:1", code: "c", trust: ServerTrust(pinnedPublicKey: "sha1//abc"), hostname: "h")
            Issue.record("a malformed pin was accepted")
        } catch {
            #expect(error.description.contains("--pin must be sha256//"))
        }
        do {
            _ = try await agent(dir, refused).enroll(server: "ftp://x", code: "c", trust: ServerTrust(), hostname: "h")
            Issue.record("an ftp URL was accepted")
        } catch {
            #expect(error.description.contains("--server must be an http"))
        }
    }

    @Test func theAssignedProfileIsCachedAndUsedWhenTheServerIsUnreachable() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let transport = ScriptedTransport([
            Self.enrolled,
            Self.json(["profile_id": "inbound-voice", "version": 3, "etag": "abc", "yaml": "id: inbound-voice\n"]),
            .failure(Offline()),
            .success(HTTPExchange.Response(status: 304)),
        ])
        let agent = agent(dir, transport)
        let enrollment = try await agent.enroll(server: "http://127.0.0.1:1", code: "c", trust: ServerTrust(), hostname: "h")
        let fresh = try await agent.assignedProfile(enrollment)
        #expect(fresh.source == .server && fresh.profile.version == 3)
        let offline = try await agent.assignedProfile(enrollment)
        #expect(offline.profile.etag == "abc")
        guard case .cache(let reason) = offline.source else { Issue.record("expected the cache"); return }
        #expect(reason.contains("cannot reach the server"))
        let unchanged = try await agent.assignedProfile(enrollment)
        #expect(unchanged.source == .server && unchanged.profile.yaml == "id: inbound-voice\n")
        #expect(transport.requests[3].headers["If-None-Match"] == "\"abc\"")
        #expect(transport.requests[1].headers["Authorization"] == "Bearer hr_secret")
    }

    @Test func reportsAreSignedSpooledAndSentWithTokenAndSignature() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let transport = ScriptedTransport([Self.enrolled, .success(HTTPExchange.Response(status: 408)), .success(HTTPExchange.Response(status: 201))])
        let agent = agent(dir, transport)
        _ = try await agent.enroll(server: "http://127.0.0.1:1", code: "c", trust: ServerTrust(), hostname: "h")
        let report = CheckReport(
            agent: AgentIdentity(employeeID: "E1", hostname: "h"), profile: ProfileReference(id: "p", version: 1),
            startedAt: Date(), finishedAt: Date(), verdict: .ready)
        let spooled = try agent.spoolReport(report)
        let key = try agent.store.loadKey()
        #expect(ReportSignature.verify(body: spooled.body, signature: spooled.signature, publicKey: key.publicKeyBase64))
        let summary = try await agent.flush()
        #expect(summary.accepted == 1 && summary.remaining == 0, "408 is retried, not rejected")
        let upload = transport.requests[2]
        #expect(upload.headers["Authorization"] == "Bearer hr_secret")
        #expect(upload.headers[ReportSignature.deviceHeader] == "dev-1")
        #expect(upload.headers[ReportSignature.signatureHeader] == spooled.signature)
        #expect(upload.body == spooled.body)
        #expect(agent.spool.count == 0)
    }

    @Test func aRevokedDeviceKeepsItsReportInRejectedWithTheReason() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let transport = ScriptedTransport([Self.enrolled, Self.json(["detail": "send a valid API token"], status: 401)])
        let agent = agent(dir, transport)
        _ = try await agent.enroll(server: "http://127.0.0.1:1", code: "c", trust: ServerTrust(), hostname: "h")
        try agent.spoolReport(
            CheckReport(
                agent: AgentIdentity(employeeID: "E1", hostname: "h"), profile: ProfileReference(id: "p", version: 1),
                startedAt: Date(), finishedAt: Date(), verdict: .ready))
        let summary = try await agent.flush()
        #expect(summary.rejected == 1)
        #expect(agent.spool.rejected().first?.reason.contains("no longer accepts this device") == true)
    }

    @Test func intervalsParseAndBadOnesAreRefused() {
        #expect(CheckSchedule.parseInterval("30m") == 1800)
        #expect(CheckSchedule.parseInterval("1h") == 3600)
        #expect(CheckSchedule.parseInterval("2h30m") == 9000)
        #expect(CheckSchedule.parseInterval("90s") == 90)
        #expect(CheckSchedule.parseInterval("45") == 45)
        for bad in ["", "m", "5s", "2d", "30x", "25h", "1h30"] { #expect(CheckSchedule.parseInterval(bad) == nil, "\(bad)") }
        #expect(CheckSchedule.systemdSpan(1800) == "30min")
        #expect(CheckSchedule.systemdSpan(7200) == "2h")
        #expect(CheckSchedule.systemdSpan(90) == "90s")
    }

    @Test func theTimerUnitsSayWhatTheyDoAndPassSystemdAnalyzeVerify() throws {
        let service = CheckSchedule.serviceUnit(executable: "/usr/local/bin/homeready")
        let timer = CheckSchedule.timerUnit(everySeconds: 1800)
        #expect(service.contains("ExecStart=/usr/local/bin/homeready check\n"))
        #expect(service.contains("ExecStartPost=/usr/local/bin/homeready report --flush"))
        #expect(service.contains("SuccessExitStatus=1 3"))
        #expect(timer.contains("OnUnitActiveSec=30min"))
        #expect(timer.contains("Persistent=true"))
        #expect(timer.contains("WantedBy=timers.target"))
        try TestEnvironment.require([.systemdAnalyze])
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        // A real executable path, since verify checks that ExecStart exists.
        let serviceFile = try dir.write("homeready-check.service", CheckSchedule.serviceUnit(executable: "/bin/true"))
        let timerFile = try dir.write("homeready-check.timer", timer)
        let result = try Subprocess.run(["systemd-analyze", "verify", "--user", serviceFile.path, timerFile.path],
                                        environment: ["XDG_RUNTIME_DIR": dir.path, "SYSTEMD_LOG_LEVEL": "warning"])
        let complaints = (result.stdout + result.stderr).split(separator: "\n").filter {
            $0.contains("homeready-check") && !$0.contains("Failed to connect") && !$0.contains("bus")
        }
        #expect(result.status == 0 || complaints.isEmpty, "\(result.stdout)\(result.stderr)")
        #expect(complaints.isEmpty, "\(complaints)")
    }
}
