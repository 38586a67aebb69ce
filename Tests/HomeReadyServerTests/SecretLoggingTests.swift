import Crypto
import Foundation
import HomeReadyTestSupport
import Testing

@testable import HomeReadyServer

/// The `homeready-server` executable built beside the tests, with a free port and an SQLite file.
struct ServerProcess {
    static var executable: String { TestEnvironment.productsDirectory.appendingPathComponent("homeready-server").path }

    static var unavailableReason: String? {
        FileManager.default.isExecutableFile(atPath: executable)
            ? nil : "homeready-server is not built at \(executable) (run swift build first)"
    }
}

@Suite("No secret in logs", .serialized)
struct SecretLoggingTests {
    @Test("at trace level the server never logs a token, code, password, key or webhook secret")
    func noSecretsAtTrace() async throws {
        try TestEnvironment.require(ServerProcess.unavailableReason)
        let directory = try TemporaryDirectory(prefix: "hr-secrets")
        defer { directory.remove() }
        let db = "sqlite:" + directory.url.appendingPathComponent("inventory.sqlite").path
        let cli = try Subprocess.run(
            [ServerProcess.executable, "create-token", "--db", db, "--label", "root", "--log-level", "trace"])
        #expect(cli.status == 0)
        let admin = cli.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(admin.hasPrefix("hr_"))
        var secrets = ["admin token": admin]

        let port = try FreePort.tcp()
        let server = try Subprocess.start([
            ServerProcess.executable, "serve", "--db", db, "--listen", "127.0.0.1:\(port)", "--log-level", "trace",
        ])
        defer { server.stop() }
        try FreePort.waitForListener(port: port, timeout: 30)

        func post(_ path: String, _ json: [String: Any], token: String?) async throws -> RawHTTP.Response {
            try await RawHTTP.json(port: port, method: "POST", path: "/api/v1/\(path)", token: token, json: json)
        }
        #expect(try await post("agents", ["employee_id": "E1", "name": "Ada"], token: admin).status == 201)
        let code = try await post("enrollment-codes", ["employee_id": "E1"], token: admin)
        secrets["enrollment code"] = try #require(code.json["code"] as? String)
        let key = Curve25519.Signing.PrivateKey()
        secrets["device private key"] = key.rawRepresentation.base64EncodedString()
        let enrolled = try await post(
            "enroll",
            ["code": secrets["enrollment code"]!, "public_key": key.publicKey.rawRepresentation.base64EncodedString(), "hostname": "h"],
            token: nil)
        #expect(enrolled.status == 201)
        secrets["device token"] = try #require(enrolled.json["token"] as? String)
        let planner = try await post("tokens", ["role": "planner", "label": "planning"], token: admin)
        secrets["planner token"] = try #require(planner.json["token"] as? String)
        let deviceId = try #require(enrolled.json["device_id"] as? String)
        let reportBody = try encodeReport(sampleReport(employeeId: "E1"))
        let signature = try key.signature(for: Data("homeready-report-v1\n".utf8) + reportBody).base64EncodedString()
        let report = try await RawHTTP.request(
            port: port, method: "POST", path: "/api/v1/reports",
            headers: [
                "Authorization": "Bearer \(secrets["device token"]!)", "Content-Type": "application/json",
                "X-HomeReady-Device": deviceId, "X-HomeReady-Signature": signature,
            ],
            body: reportBody)
        #expect(report.status == 201)
        let hook = try await post("webhooks", ["url": "http://127.0.0.1:9/hook", "events": ["agent.not_ready"]], token: admin)
        secrets["webhook secret"] = try #require(hook.json["secret"] as? String)
        // Wrong secrets are secrets too: a mistyped token or code often differs from the real one by a character.
        secrets["wrong token"] = "hr_" + String(repeating: "W", count: 43)
        #expect(try await RawHTTP.request(
            port: port, method: "GET", path: "/api/v1/sites", headers: ["Authorization": "Bearer \(secrets["wrong token"]!)"]
        ).status == 401)
        secrets["wrong code"] = "enr_" + String(repeating: "X", count: 43)
        #expect(try await post("enroll", ["code": secrets["wrong code"]!], token: nil).status == 403)
        secrets["password"] = "correct horse battery staple 42"
        _ = try await RawHTTP.request(
            port: port, method: "POST", path: "/login", headers: ["Content-Type": "application/x-www-form-urlencoded"],
            body: Data("username=it&password=\(secrets["password"]!.replacingOccurrences(of: " ", with: "+"))".utf8))
        // Let the webhook dispatcher run once (it logs its attempts).
        try await Task.sleep(for: .seconds(2))
        server.signal(SIGTERM)
        let deadline = Date().addingTimeInterval(10)
        while server.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }

        let log = server.log + cli.stderr
        #expect(log.contains("report.ingested"), "the server did not log at trace level: \(log.prefix(500))")
        for (what, secret) in secrets {
            #expect(!log.contains(secret), "the \(what) appears in the server's log")
            #expect(!log.contains(secret.replacingOccurrences(of: " ", with: "+")), "the \(what) appears in the server's log")
        }
    }
}
