import HomeReadyModel
import HomeReadyTestSupport
import Logging
import Testing

@testable import HomeReadyJudging
@testable import HomeReadyVoicePath

/// The TURN check against coturn on loopback (Debian's `coturn`), over UDP, TCP and TLS.
@Suite(.serialized) struct TURNCheckTests {
    static let user = (name: "agent-e1001", password: "relay-pass-7")
    static let logger = Logger(label: "turn-test")

    static func check(
        _ relays: [TURNEndpoint], credentials: TURNCredentials?, insecureTLS: Bool = true
    ) async -> [TURNResult] {
        let options = VoicePathCheckOptions(turnCredentials: credentials, timeoutSeconds: 2, insecureTLS: insecureTLS)
        return await TURNCheck.run(relays, options: options, progress: { _ in }, logger: logger) ?? []
    }

    static func relays(_ peer: TURNPeer) -> [TURNEndpoint] {
        [
            TURNEndpoint(host: "127.0.0.1", port: peer.port, transport: .udp),
            TURNEndpoint(host: "127.0.0.1", port: peer.port, transport: .tcp),
            TURNEndpoint(host: "127.0.0.1", port: peer.tlsPort, transport: .tls),
        ]
    }

    @Test("coturn allocates over UDP, TCP and TLS and relays the 50-packet stream with an RTT and no loss")
    func allocatedOverEveryTransport() async throws {
        try TestEnvironment.require([.turnserver])
        let peer = try await TURNPeer.start(tls: true, user: Self.user)
        defer { peer.stop() }
        let results = await Self.check(
            Self.relays(peer), credentials: TURNCredentials(username: Self.user.name, password: Self.user.password))
        #expect(results.map(\.transport) == [.udp, .tcp, .tls])
        for result in results {
            #expect(result.state == .allocated, "\(result.transport): \(result.error ?? "") \(peer.log.suffix(2000))")
            #expect(result.relayedAddress?.hasPrefix("127.0.0.1:") == true)
            #expect(result.probesSent == TURNCheck.probeCount)
            #expect(result.lossPercent == 0, "\(result.transport)")
            let rtt = try #require(result.relayRTTMs, "\(result.transport)")
            #expect(rtt > 0 && rtt < 50, "\(result.transport): \(rtt) ms on loopback")
            print("turn \(result.transport.rawValue): relay RTT \(rtt) ms, loss \(result.lossPercent ?? -1) %")
        }
        let findings = RelayPathJudge.findings(turn: results, natType: nil, profile: Profile(id: "p", title: "P", version: 1))
        #expect(findings.allSatisfy { $0.status == .pass }, "\(findings.map(\.message))")
    }

    @Test("through a relay adding 20 ms each way and dropping every 10th packet toward coturn: RTT about 40 ms, loss 10 %")
    func impairedPath() async throws {
        try TestEnvironment.require([.turnserver])
        let peer = try await TURNPeer.start(user: Self.user)
        defer { peer.stop() }
        let relay = try ImpairmentRelay(
            upstreamHost: "127.0.0.1", upstreamPort: peer.port, up: Impairment(delayMs: 20, dropEvery: 10),
            down: Impairment(delayMs: 20))
        defer { relay.stop() }
        let results = await Self.check(
            [TURNEndpoint(host: relay.host, port: relay.port, transport: .udp)],
            credentials: TURNCredentials(username: Self.user.name, password: Self.user.password))
        let result = try #require(results.first)
        #expect(result.state == .allocated, "\(result.error ?? "")")
        let rtt = try #require(result.relayRTTMs)
        let loss = try #require(result.lossPercent)
        #expect(rtt >= 40 && rtt < 60, "\(rtt) ms")
        #expect(loss >= 8 && loss <= 12, "\(loss) %")
        print("turn udp through 20+20 ms, every 10th dropped up: relay RTT \(rtt) ms, loss \(loss) %")
        let findings = RelayPathJudge.findings(turn: results, natType: nil, profile: Profile(id: "p", title: "P", version: 1))
        #expect(findings.first { $0.id == "voice_path.turn.quality" }?.status == .warn)
    }

    @Test("TURN REST credentials made from coturn's shared secret, as the inventory server mints them, allocate")
    func restCredentials() async throws {
        try TestEnvironment.require([.turnserver, .openssl])
        let peer = try await TURNPeer.start()
        defer { peer.stop() }
        let minted = try peer.restCredentials(user: "agent-e1001")
        let results = await Self.check(
            [TURNEndpoint(host: "127.0.0.1", port: peer.port, transport: .udp)],
            credentials: TURNCredentials(username: minted.username, password: minted.password))
        #expect(results.first?.state == .allocated, "\(results.first?.error ?? "") \(peer.log.suffix(2000))")
        #expect(results.first?.lossPercent == 0)
    }

    @Test("coturn --no-udp: UDP gets no answer, TCP allocates, and the judge says calls only work through the TCP relay")
    func udpBlockedDegradesToTCP() async throws {
        try TestEnvironment.require([.turnserver])
        let peer = try await TURNPeer.start(udp: false, user: Self.user)
        defer { peer.stop() }
        let results = await Self.check(
            [
                TURNEndpoint(host: "127.0.0.1", port: peer.port, transport: .udp),
                TURNEndpoint(host: "127.0.0.1", port: peer.port, transport: .tcp),
            ], credentials: TURNCredentials(username: Self.user.name, password: Self.user.password))
        #expect(results.map(\.state) == [.noAnswer, .allocated], "\(results.map { $0.error ?? "" })")
        #expect(results[1].lossPercent == 0)
        let findings = RelayPathJudge.findings(turn: results, natType: nil, profile: Profile(id: "p", title: "P", version: 1))
        let degraded = try #require(findings.first { $0.id == "voice_path.turn.udp" })
        #expect(degraded.status == .warn)
        #expect(degraded.message.contains("TCP relay"), "\(degraded.message)")
        #expect(degraded.remediation?.contains("UDP \(peer.port)") == true, "\(degraded.remediation ?? "")")
    }

    @Test("a wrong password is auth_failed, and failing every relay fails the voice path")
    func wrongPassword() async throws {
        try TestEnvironment.require([.turnserver])
        let peer = try await TURNPeer.start(user: Self.user)
        defer { peer.stop() }
        let results = await Self.check(
            [
                TURNEndpoint(host: "127.0.0.1", port: peer.port, transport: .udp),
                TURNEndpoint(host: "127.0.0.1", port: peer.port, transport: .tcp),
            ], credentials: TURNCredentials(username: Self.user.name, password: "not-the-password"))
        #expect(results.map(\.state) == [.authFailed, .authFailed], "\(results.map { $0.error ?? "" })")
        #expect(results.first?.error?.contains("401") == true)
        let findings = RelayPathJudge.findings(turn: results, natType: nil, profile: Profile(id: "p", title: "P", version: 1))
        #expect(findings.contains { $0.status == .fail && $0.id == "voice_path.turn" })
    }

    @Test("TLS with coturn's self-signed certificate is tls_failure unless insecure TLS is allowed")
    func tlsCertificateChecked() async throws {
        try TestEnvironment.require([.turnserver])
        let peer = try await TURNPeer.start(tls: true, user: Self.user)
        defer { peer.stop() }
        let results = await Self.check(
            [TURNEndpoint(host: "127.0.0.1", port: peer.tlsPort, transport: .tls)],
            credentials: TURNCredentials(username: Self.user.name, password: Self.user.password), insecureTLS: false)
        #expect(results.first?.state == .tlsFailure, "\(results.first?.error ?? "")")
        #expect(results.first?.error?.contains("certificate") == true, "\(results.first?.error ?? "")")
    }

    @Test("without credentials every relay is no_credentials; nothing is sent")
    func noCredentials() async {
        let results = await Self.check([TURNEndpoint(host: "192.0.2.1", transport: .udp)], credentials: nil)
        #expect(results.map(\.state) == [.noCredentials])
    }

    @Test("a relay whose name does not resolve is dns_failure")
    func dnsFailure() async {
        let results = await Self.check(
            [TURNEndpoint(host: "turn.invalid", transport: .tcp)], credentials: TURNCredentials(username: "u", password: "p"))
        #expect(results.map(\.state) == [.dnsFailure])
    }
}
