import Foundation
import HomeReadyTestSupport
import Testing

/// `homeready check --only voice-path` against coturn on loopback, the built binary end to end.
@Suite("homeready check: TURN relays (end to end)")
struct TURNCheckCLITests {
    static var homeready: String { TestEnvironment.productsDirectory.appendingPathComponent("homeready").path }

    @Test("--turn-user with HOMEREADY_TURN_PASSWORD: the report carries voice_path.turn and the degraded finding; Spanish on screen")
    func turnUserFromTheEnvironment() async throws {
        try TestEnvironment.require([.turnserver])
        let peer = try await TURNPeer.start(udp: false, user: (name: "lab", password: "lab-pass"))
        defer { peer.stop() }
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let profile = try dir.write(
            "relays.yaml",
            """
            id: relays
            title: Relays
            version: 1
            voice:
              turn:
                - {host: 127.0.0.1, port: \(peer.port)}
                - {host: 127.0.0.1, port: \(peer.port), transport: tcp}
            """)
        let environment = ["HOMEREADY_HOME": dir.path, "HOMEREADY_TURN_PASSWORD": "lab-pass", "LANG": "es_MX.UTF-8"]
        let json = try Subprocess.run(
            [Self.homeready, "check", "--only", "voice-path", "--profile", profile.path, "--turn-user", "lab", "--json"],
            environment: environment, timeout: 60)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], "\(json.stderr)")
        let turn = (report["voice_path"] as? [String: Any])?["turn"] as? [[String: Any]] ?? []
        #expect(turn.map { $0["state"] as? String } == ["no_answer", "allocated"], "\(turn)")
        #expect(turn.last?["probes_sent"] as? Int == 50)
        let findings = report["findings"] as? [[String: Any]] ?? []
        #expect(findings.contains { $0["id"] as? String == "voice_path.turn.udp" && $0["status"] as? String == "warn" })
        #expect(json.status == 0, "ready with warnings exits 0: \(json.stderr)")

        let screen = try Subprocess.run(
            [Self.homeready, "check", "--only", "voice-path", "--profile", profile.path, "--turn-user", "lab"],
            environment: environment, timeout: 60)
        #expect(screen.stderr.contains("Las llamadas solo funcionan por el relevo TCP"), "\(screen.stderr)")
        #expect(!screen.stderr.contains("lab-pass"))
    }

    @Test("--turn-user without HOMEREADY_TURN_PASSWORD is a usage error that names the variable")
    func turnUserNeedsThePassword() throws {
        let result = try Subprocess.run(
            [Self.homeready, "check", "--only", "voice-path", "--turn-user", "lab"],
            environment: ["LANG": "C"])
        #expect(result.status == 64 || result.status == 2, "\(result.status) \(result.stderr)")
        #expect(result.stderr.contains("HOMEREADY_TURN_PASSWORD"), "\(result.stderr)")
    }
}
