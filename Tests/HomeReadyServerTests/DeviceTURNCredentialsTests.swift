import Crypto
import Foundation
import HomeReadyModel
import HomeReadyTestSupport
import Testing

@testable import HomeReadyServer

@Suite("Devices: TURN relay credentials for the agent's TURN check")
struct DeviceTURNCredentialsTests {
    static let secret = "coturn-static-auth-secret"

    @Test("an enrolled device gets TURN REST credentials for its agent: EXPIRY:AGENTID, HMAC-SHA1 with coturn's secret", arguments: TestBackend.available)
    func enrolledDeviceGetsCredentials(backend: TestBackend) async throws {
        try await Harness.with(backend, configure: { $0.turnSecret = Self.secret }) { harness in
            try await harness.withClient { api in
                let agentId = try await api.create("agents", ["employee_id": "E1", "name": "Ada"])
                let device = try await SignedDevice.enroll(api, employeeId: "E1")
                let before = Date()
                let reply = try await api.send(.get, "/api/v1/device/turn-credentials", token: device.token)
                #expect(reply.status == .ok, "\(reply.text)")
                let username = try #require(reply.string("username"))
                let password = try #require(reply.string("password"))
                let parts = username.split(separator: ":")
                #expect(parts.count == 2)
                #expect(String(parts[1]) == agentId)
                let expiry = try #require(Double(parts[0]))
                #expect(abs(expiry - (before.timeIntervalSince1970 + 600)) < 5)
                let mac = HMAC<Insecure.SHA1>.authenticationCode(
                    for: Data(username.utf8), using: SymmetricKey(data: Data(Self.secret.utf8)))
                #expect(password == Data(mac).base64EncodedString())
                #expect(reply.json["ttl_seconds"] as? Int == 600)
                #expect(reply.string("expires_at")?.hasSuffix("Z") == true)
                #expect(!reply.text.contains(Self.secret))
            }
        }
    }

    @Test("without a TURN secret the server answers 404 with what to configure", arguments: TestBackend.available)
    func noSecretConfigured(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            try await harness.withClient { api in
                _ = try await api.create("agents", ["employee_id": "E1", "name": "Ada"])
                let device = try await SignedDevice.enroll(api, employeeId: "E1")
                let reply = try await api.send(.get, "/api/v1/device/turn-credentials", token: device.token)
                #expect(reply.status == .notFound)
                #expect(reply.contentType == "application/problem+json")
                #expect(reply.string("detail")?.contains("--turn-secret-file") == true)
            }
        }
    }

    @Test("only a device token gets credentials: no token 401, an admin or planner token 403", arguments: TestBackend.available)
    func onlyDevices(backend: TestBackend) async throws {
        try await Harness.with(backend, configure: { $0.turnSecret = Self.secret }) { harness in
            try await harness.withClient { api in
                let anonymous = try await api.send(.get, "/api/v1/device/turn-credentials", token: nil)
                #expect(anonymous.status == .unauthorized)
                let admin = try await api.send(.get, "/api/v1/device/turn-credentials", token: api.admin)
                #expect(admin.status == .forbidden)
                let planner = try await api.send(.get, "/api/v1/device/turn-credentials", token: api.planner)
                #expect(planner.status == .forbidden)
            }
        }
    }

    @Test("a revoked device gets no credentials", arguments: TestBackend.available)
    func revokedDevice(backend: TestBackend) async throws {
        try await Harness.with(backend, configure: { $0.turnSecret = Self.secret }) { harness in
            try await harness.withClient { api in
                _ = try await api.create("agents", ["employee_id": "E1", "name": "Ada"])
                let device = try await SignedDevice.enroll(api, employeeId: "E1")
                let revoked = try await api.send(.post, "/api/v1/devices/\(device.deviceId)/revoke", token: api.admin, json: [:])
                #expect(revoked.status == .ok, "\(revoked.text)")
                let reply = try await api.send(.get, "/api/v1/device/turn-credentials", token: device.token)
                #expect(reply.status == .unauthorized || reply.status == .forbidden, "\(reply.status)")
            }
        }
    }

    @Test("an enrolled homeready check gets credentials from its server and allocates on coturn sharing the secret")
    func enrolledCheckAllocates() async throws {
        try TestEnvironment.require([.turnserver])
        let turn = try await TURNPeer.start()
        defer { turn.stop() }
        let directory = try TemporaryDirectory(prefix: "homeready-turn-e2e")
        defer { directory.remove() }
        let secretFile = try directory.write("turn.secret", turn.secret + "\n")
        let fleet = try Fleet.make(agents: 1, serverArguments: ["--turn-secret-file", secretFile.path])
        defer { fleet.tearDown() }
        let profile = try directory.write(
            "relays.yaml",
            """
            id: relays
            title: Relays
            version: 1
            voice:
              turn:
                - {host: 127.0.0.1, port: \(turn.port)}
                - {host: 127.0.0.1, port: \(turn.port), transport: tcp}
            """)
        let check = try fleet.agents[0].run(["check", "--only", "voice-path", "--profile", profile.path, "--json", "--no-upload"])
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(check.stdout.utf8)) as? [String: Any], "\(check.stderr)")
        let relays = (report["voice_path"] as? [String: Any])?["turn"] as? [[String: Any]] ?? []
        #expect(relays.map { $0["state"] as? String } == ["allocated", "allocated"], "\(relays) \(check.stderr)")
        #expect(relays.allSatisfy { $0["loss_percent"] as? Double == 0 })
        #expect(!check.stderr.contains(turn.secret))
    }
}
