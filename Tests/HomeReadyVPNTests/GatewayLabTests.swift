import Foundation
import HomeReadyJudging
import HomeReadyModel
import HomeReadyTestSupport
import HomeReadyTransport
import Logging
import Testing

@testable import HomeReadyVPN

/// Real peers in network namespaces: openssl s_server, strongSwan charon, OpenVPN, coturn, a UDP echo
/// responder and nftables drops. The code under test runs in this process and reaches them at the lab's address.
@Suite("VPN gateways against real peers in a network lab")
struct GatewayLabTests {
    static let logger = Logger(label: "homeready.vpn.tests")

    static func options(timeout: Double = 2) -> VPNCheckOptions {
        VPNCheckOptions(timeoutSeconds: timeout, natBindingProbeSeconds: [])
    }

    static func run(_ gateways: [VPNGateway], stun: [STUNServer] = [], options: VPNCheckOptions = options())
        async -> (JudgedSection, [String: VPNResult])
    {
        let profile = Profile(
            id: "lab", title: "lab", version: 1, vpn: VPNSettings(gateways: gateways), stunServers: stun)
        let outcome = await VPNSection.run(profile: profile, options: options, progress: { _ in }, logger: logger).judged(by: profile)
        var byName: [String: VPNResult] = [:]
        for result in outcome.vpn ?? [] { byName[result.name] = result }
        return (outcome, byName)
    }

    @Test("TLS gateways: valid, expired, wrong name, intercepting, self-signed, pinned, not TLS, refused, unreachable, filtered")
    func tlsGateways() async throws {
        try TestEnvironment.require(NetworkLab.unavailableReason)
        try await withUniqueNetworkLab { lab in
            try await withTemporaryDirectory { directory in
                let host = lab.remoteAddress
                let corp = try TestCertificateAuthority(commonName: "Corp VPN CA", in: directory.path)
                let inspector = try TestCertificateAuthority(
                    commonName: "Home Router Inspection CA", in: directory.path)
                let valid = try corp.issue(file: "valid", commonName: "vpn.corp.test", names: [host], days: 60)
                let expired = try corp.issue(file: "expired", commonName: "vpn.corp.test", names: [host], days: -1)
                let misnamed = try corp.issue(file: "misnamed", commonName: "wrong.test", names: ["wrong.test"])
                let forged = try inspector.issue(file: "forged", commonName: "vpn.corp.test", names: [host])
                // A security suite whose root this computer trusts (given as ca_file here, as if in the system store).
                let suite = try TestCertificateAuthority(commonName: "FortiGate TLS Inspection CA", in: directory.path)
                let shielded = try suite.issue(file: "shielded", commonName: "vpn.corp.test", names: [host])
                let selfSigned = try TestCertificateAuthority.selfSigned(
                    file: "self", commonName: "vpn.corp.test", names: [host], in: directory.path)
                let peers = [
                    try VPNPeers.startTLSServer(
                        certificate: valid.cert, key: valid.key, host: host, port: 4431, lab: lab),
                    try VPNPeers.startTLSServer(
                        certificate: expired.cert, key: expired.key, host: host, port: 4432, lab: lab),
                    try VPNPeers.startTLSServer(
                        certificate: misnamed.cert, key: misnamed.key, host: host, port: 4433, lab: lab),
                    try VPNPeers.startTLSServer(
                        certificate: forged.cert, key: forged.key, host: host, port: 4434, lab: lab),
                    try VPNPeers.startTLSServer(
                        certificate: selfSigned.cert, key: selfSigned.key, host: host, port: 4435, lab: lab),
                    try VPNPeers.startTLSServer(
                        certificate: shielded.cert, key: shielded.key, host: host, port: 4436, lab: lab),
                ]
                defer { peers.forEach { $0.stop() } }
                try VPNPeers.dropPort(4440, udp: false, in: lab)
                try VPNPeers.applyInputRule("tcp dport 4441 reject with icmp type host-unreachable", in: lab)
                // A TCP service that is not TLS: accepts and closes at once.
                let plain = try lab.start([
                    "python3", "-c",
                    "import socket\ns=socket.socket()\ns.bind(('\(host)',4442))\ns.listen()\nwhile True:\n c,_=s.accept()\n c.close()",
                ])
                defer { plain.stop() }
                try VPNPeers.waitForListener(port: 4442, udp: false, namespace: lab.namespace)
                let validPin = try TestCertificateAuthority.spkiSHA256(ofCertificate: valid.cert)
                let selfPin = try TestCertificateAuthority.spkiSHA256(ofCertificate: selfSigned.cert)
                let ca = corp.certificatePath
                let gateways = [
                    VPNGateway(name: "valid", host: host, port: 4431, transport: .tls, caFile: ca),
                    VPNGateway(name: "expired", host: host, port: 4432, transport: .tls, caFile: ca),
                    VPNGateway(name: "misnamed", host: host, port: 4433, transport: .tls, caFile: ca),
                    VPNGateway(name: "intercepted", host: host, port: 4434, transport: .tls, caFile: ca),
                    VPNGateway(name: "intercepted-pin", host: host, port: 4434, transport: .tls, pinSHA256: validPin),
                    VPNGateway(name: "self-signed", host: host, port: 4435, transport: .tls),
                    VPNGateway(name: "self-signed-pinned", host: host, port: 4435, transport: .tls, pinSHA256: selfPin),
                    VPNGateway(
                        name: "rotated-key", host: host, port: 4431, transport: .tls, pinSHA256: selfPin, caFile: ca),
                    VPNGateway(
                        name: "trusted-inspector", host: host, port: 4436, transport: .tls, caFile: suite.certificatePath),
                    VPNGateway(name: "no-route", host: host, port: 4441, transport: .tls),
                    VPNGateway(name: "not-tls", host: host, port: 4442, transport: .tls),
                    VPNGateway(name: "refused", host: host, port: 4439, transport: .tls),
                    VPNGateway(name: "filtered", host: host, port: 4440, transport: .tcp, timeoutSeconds: 2),
                    VPNGateway(name: "plain-tcp", host: host, port: 4431, transport: .tcp, required: false),
                ]
                let started = ContinuousClock.now
                // s_server serves one connection at a time and some gateways share a server: allow for queueing.
                let (outcome, results) = await Self.run(gateways, options: Self.options(timeout: 6))
                let elapsed = ContinuousClock.now - started

                #expect(results["valid"]?.state == .reachable)
                #expect(results["valid"]?.tls?.verified == true)
                #expect(results["valid"]?.tls?.spkiSHA256 == validPin)
                #expect(results["valid"]?.tls?.daysToExpiry == 59)
                #expect(results["valid"]?.tls?.protocolVersion == "TLSv1.3")
                #expect(results["expired"]?.state == .tlsExpired)
                #expect((results["expired"]?.tls?.daysToExpiry ?? 0) < 0)
                #expect(results["misnamed"]?.state == .tlsNameMismatch)
                #expect(results["misnamed"]?.tls?.hostnameMatches == false)
                #expect(results["intercepted"]?.state == .tlsIntercepted)
                #expect(results["intercepted"]?.tls?.issuer == "CN=Home Router Inspection CA")
                #expect(results["intercepted-pin"]?.state == .tlsIntercepted)
                #expect(results["self-signed"]?.state == .tlsUntrusted)
                #expect(results["self-signed-pinned"]?.state == .reachable)
                #expect(results["rotated-key"]?.state == .tlsPinMismatch)
                #expect(results["trusted-inspector"]?.state == .tlsIntercepted)
                #expect(results["trusted-inspector"]?.tls?.verified == true)
                #expect(results["refused"]?.state == .refused)
                #expect(results["no-route"]?.state == .unreachable)
                #expect(results["not-tls"]?.state == .tlsHandshakeFailed)
                #expect(results["filtered"]?.state == .filtered)
                #expect(results["plain-tcp"]?.state == .reachable)
                #expect(results["plain-tcp"]?.connectMs != nil)
                #expect(results["valid"]?.addresses?.first?.address == host)
                // Gateways run in parallel: the dropped port costs one timeout, not a hang.
                #expect(elapsed < .seconds(30))

                let finding = outcome.findings.first { $0.id == "vpn.intercepted" }
                #expect(finding?.status == .fail)
                #expect(finding?.severity == .critical)
                #expect(finding?.remediation?.contains("inspection") == true)
                #expect(outcome.findings.first { $0.id == "vpn.valid" }?.status == .pass)
            }
        }
    }

    @Test("IKEv2: strongSwan's charon answers IKE_SA_INIT on 500 and 4500; dropped is filtered, closed is refused")
    func ikev2Gateways() async throws {
        try TestEnvironment.require(NetworkLab.unavailableReason)
        try await withUniqueNetworkLab { lab in
            try await withTemporaryDirectory { directory in
                let charon = try VPNPeers.startCharon(in: lab, directory: directory)
                defer { charon.stop() }
                try VPNPeers.dropPort(1500, udp: true, in: lab)
                let host = lab.remoteAddress
                let (outcome, results) = await Self.run([
                    VPNGateway(name: "ike", host: host, port: 500, transport: .ikev2),
                    VPNGateway(name: "ike-natt", host: host, port: 4500, transport: .ikev2),
                    VPNGateway(name: "ike-dropped", host: host, port: 1500, transport: .ikev2),
                    VPNGateway(name: "ike-closed", host: host, port: 1501, transport: .ikev2),
                ])
                #expect(results["ike"]?.state == .reachable, "charon log: \(charon.log)")
                #expect(results["ike"]?.detail?.contains("NO_PROPOSAL_CHOSEN") == true)
                #expect(results["ike"]?.detail?.contains("UDP 4500 (NAT traversal) answers too") == true)
                #expect(results["ike-natt"]?.state == .reachable)
                #expect(results["ike-dropped"]?.state == .filtered)
                #expect(results["ike-closed"]?.state == .refused)
                #expect(outcome.findings.first { $0.id == "vpn.ike-dropped" }?.status == .fail)
            }
        }
    }

    @Test("OpenVPN over UDP: a hard reset is answered without tls-auth; with tls-auth or tls-crypt silence is unverifiable")
    func openVPNGateways() async throws {
        try TestEnvironment.require(NetworkLab.unavailableReason)
        try await withUniqueNetworkLab { lab in
            try await withTemporaryDirectory { directory in
                let plain = try VPNPeers.startOpenVPN(in: lab, port: 1194, tlsAuth: false, directory: directory)
                let protected = try VPNPeers.startOpenVPN(in: lab, port: 1195, tlsAuth: true, directory: directory)
                let crypted = try VPNPeers.startOpenVPN(
                    in: lab, port: 1197, tlsAuth: false, tlsCrypt: true, directory: directory)
                defer {
                    plain.stop()
                    protected.stop()
                    crypted.stop()
                }
                let host = lab.remoteAddress
                let (outcome, results) = await Self.run([
                    VPNGateway(name: "ovpn", host: host, port: 1194, transport: .openvpnUDP),
                    VPNGateway(name: "ovpn-tls-auth", host: host, port: 1195, transport: .openvpnUDP, tlsAuth: true),
                    VPNGateway(name: "ovpn-undeclared-tls-auth", host: host, port: 1195, transport: .openvpnUDP),
                    VPNGateway(name: "ovpn-tls-crypt", host: host, port: 1197, transport: .openvpnUDP, tlsAuth: true),
                    VPNGateway(name: "ovpn-closed", host: host, port: 1196, transport: .openvpnUDP, tlsAuth: true),
                ])
                #expect(results["ovpn"]?.state == .reachable, "openvpn log: \(plain.log)")
                #expect(results["ovpn-tls-auth"]?.state == .unverifiable)
                #expect(results["ovpn-tls-auth"]?.detail?.contains("cannot tell") == true)
                #expect(results["ovpn-undeclared-tls-auth"]?.state == .filtered)
                #expect(results["ovpn-tls-crypt"]?.state == .unverifiable)
                #expect(results["ovpn-closed"]?.state == .refused)
                #expect(outcome.findings.first { $0.id == "vpn.ovpn-tls-auth" }?.status == .warn)
            }
        }
    }

    @Test("STUN: coturn returns the mapped address; a binding survives a short idle; a dropped port fails")
    func stunMediaPath() async throws {
        try TestEnvironment.require(NetworkLab.unavailableReason)
        try await withUniqueNetworkLab { lab in
            try await withTemporaryDirectory { directory in
                let turn = try VPNPeers.startSTUNServer(in: lab, directory: directory)
                defer { turn.stop() }
                try VPNPeers.dropPort(3479, udp: true, in: lab)
                let (outcome, _) = await Self.run(
                    [],
                    stun: [
                        STUNServer(host: lab.remoteAddress, port: 3478),
                        STUNServer(host: lab.remoteAddress, port: 3479),
                    ])
                let good = outcome.findings.first { $0.id == "vpn.stun.\(lab.remoteAddress):3478" }
                #expect(good?.status == .pass, "turnserver log: \(turn.log)")
                #expect(good?.message.contains(lab.hostAddress) == true)
                #expect(good?.message.contains("no NAT") == true)
                let dropped = outcome.findings.first { $0.id == "vpn.stun.\(lab.remoteAddress):3479" }
                #expect(dropped?.status == .fail)
                #expect(dropped?.remediation != nil)

                let probe = await STUNProbe.check(STUNServer(host: lab.remoteAddress), options: Self.options())
                #expect(probe.result.mappedAddress == lab.hostAddress)
                #expect(probe.result.natDetected == false)
                let endpoint = try #require(probe.endpoint)
                let estimate = await NATBindingEstimator.estimate(
                    intervals: [0.3, 0.6],
                    trial: NATBindingEstimator.stunTrial(endpoint: endpoint, interface: nil, timeout: 1.5))
                #expect((estimate.survivedSeconds ?? 0) >= 0.6)
                #expect(estimate.expiredWithinSeconds == nil)
            }
        }
    }

    @Test("NAT binding lifetime: a real conntrack NAT with a 4 s UDP timeout is bracketed and fails the minimum")
    func natBindingLifetime() async throws {
        try TestEnvironment.require(NetworkLab.unavailableReason)
        try await withUniqueNetworkLab { lab in
            try await withTemporaryDirectory { directory in
                let turn = try VPNPeers.startSTUNServer(in: lab, directory: directory)
                defer { turn.stop() }
                // Inside the lab: rewrite the client's source port on arrival (a NAT with random ports) and let
                // conntrack forget idle UDP flows after 4 s.
                try VPNPeers.applyNATRule(
                    "udp dport 3478 snat ip to \(lab.hostAddress):40000-60000 random", udpTimeoutSeconds: 4, in: lab)
                var options = Self.options()
                options.natBindingProbeSeconds = [0.5, 9]
                let profile = Profile(
                    id: "nat", title: "nat", version: 1, stunServers: [STUNServer(host: lab.remoteAddress)])
                let measured = await VPNSection.measure(
                    profile: profile, options: options, progress: { _ in }, logger: Self.logger)
                #expect(measured.path.stun.first?.natDetected == true)
                #expect(measured.path.stun.first?.mappedAddress == lab.hostAddress)
                // The bracket is the real idle time: the binding cannot vanish before conntrack's 4 s.
                let estimate = try #require(measured.path.natBinding)
                let expired = try #require(estimate.expiredWithinSeconds)
                #expect(expired >= 4)
                if let survived = estimate.survivedSeconds { #expect(survived < 5) }
                let findings = VPNJudge.findings(gateways: measured.gateways, path: measured.path, profile: profile)
                #expect(findings.first { $0.id.hasPrefix("vpn.stun.") }?.message.contains("behind NAT") == true)
                let nat = try #require(findings.first { $0.id == "vpn.nat_binding" })
                #expect(nat.status == .fail, "\(nat.message)")
                #expect(nat.message.contains("calls on hold will drop"))
            }
        }
    }

    @Test("IPv6: charon over IPv6, STUN XOR-MAPPED IPv6 address, and path MTU with IPv6 DF probes")
    func ipv6() async throws {
        try TestEnvironment.require(NetworkLab.unavailableReason)
        try await withUniqueNetworkLab { lab in
            try await withTemporaryDirectory { directory in
                let (host6, remote6) = try lab.addIPv6()
                let charon = try VPNPeers.startCharon(in: lab, directory: directory)
                let turn = try VPNPeers.startSTUNServer(in: lab, listenAddress: remote6, directory: directory)
                let echo = try VPNPeers.startUDPEcho(in: lab, port: 7008, address: remote6)
                defer {
                    charon.stop()
                    turn.stop()
                    echo.stop()
                }
                try VPNPeers.applyInputRule("udp dport 7008 meta length > 1400 drop", in: lab)
                var options = Self.options()
                options.echoHost = remote6
                options.echoPort = 7008
                let profile = Profile(
                    id: "v6", title: "v6", version: 1,
                    vpn: VPNSettings(gateways: [VPNGateway(name: "ike6", host: remote6, port: 500, transport: .ikev2)]),
                    stunServers: [STUNServer(host: remote6)])
                let measured = await VPNSection.measure(
                    profile: profile, options: options, progress: { _ in }, logger: Self.logger)
                #expect(measured.gateways.first?.state == .reachable, "charon log: \(charon.log)")
                #expect(measured.gateways.first?.requiredMTUBytes == 80 + 20 + 200)
                #expect(measured.path.stun.first?.state == .reachable, "turnserver log: \(turn.log)")
                #expect(measured.path.stun.first?.mappedAddress == host6)
                #expect(measured.path.stun.first?.natDetected == false)
                #expect(measured.path.pathMTUBytes == 1400, "echo log: \(echo.log)")
            }
        }
    }

    @Test("path MTU: DF probes against the UDP echo responder find a 1400-byte black hole (no ICMP)")
    func pathMTU() async throws {
        try TestEnvironment.require(NetworkLab.unavailableReason)
        try await withUniqueNetworkLab { lab in
            try VPNPeers.dropLargerThan(1400, udpPort: 7007, in: lab)
            let echo = try VPNPeers.startUDPEcho(in: lab, port: 7007)
            defer { echo.stop() }
            var options = Self.options()
            options.echoHost = lab.remoteAddress
            options.echoPort = 7007
            let (outcome, results) = await Self.run(
                [VPNGateway(name: "wg", host: lab.remoteAddress, port: 51820, transport: .wireguard)], options: options)
            let finding = try #require(outcome.findings.first { $0.id == "vpn.path_mtu" })
            #expect(finding.measured == .number(1400), "echo log: \(echo.log)")
            #expect(finding.status == .warn)  // 1400 < 60 + 1400 for WireGuard
            #expect(results["wg"]?.pathMTUBytes == 1400)
            #expect(results["wg"]?.requiredMTUBytes == 260)
        }
    }
}

@Suite("VPN gateways on loopback: WireGuard and DNS failures")
struct LoopbackGatewayTests {
    @Test("WireGuard: a silent port is unverifiable, a closed one refused, a recent handshake reachable")
    func wireGuard() async throws {
        // A bound UDP socket that never answers stands in for a WireGuard listener.
        let (listener, silentPort) = try FreePort.bind(udp: true)
        defer { close(listener) }
        let closedPort = try VPNPeers.freeLoopbackPort()
        let handshakePort = try VPNPeers.freeLoopbackPort()
        var options = VPNCheckOptions(timeoutSeconds: 1, natBindingProbeSeconds: [])
        options.environment.wireGuardHandshakes = {
            [
                WireGuardHandshake(
                    interface: "wg0", publicKey: "K", endpoint: "127.0.0.1:\(handshakePort)", latest: Date())
            ]
        }
        let profile = Profile(
            id: "wg", title: "wg", version: 1,
            vpn: VPNSettings(gateways: [
                VPNGateway(name: "silent", host: "127.0.0.1", port: silentPort, transport: .wireguard),
                VPNGateway(name: "closed", host: "127.0.0.1", port: closedPort, transport: .wireguard),
                VPNGateway(name: "connected", host: "127.0.0.1", port: handshakePort, transport: .wireguard),
            ]))
        let outcome = await VPNSection.run(
            profile: profile, options: options, progress: { _ in }, logger: GatewayLabTests.logger).judged(by: profile)
        let states = Dictionary(uniqueKeysWithValues: (outcome.vpn ?? []).map { ($0.name, $0.state) })
        #expect(states["silent"] == .unverifiable)
        #expect(states["closed"] == .refused)
        #expect(states["connected"] == .reachable)
    }

    @Test("every resolved address is probed: IPv4 served, IPv6 refused, the gateway is reachable")
    func everyAddress() async throws {
        try await withTemporaryDirectory { directory in
            let leaf = try TestCertificateAuthority.selfSigned(
                file: "gw", commonName: "gw.test", names: ["gw.test"], in: directory.path)
            let port = try VPNPeers.freeLoopbackPort()
            let server = try VPNPeers.startTLSServer(
                certificate: leaf.cert, key: leaf.key, host: "127.0.0.1", port: port)
            defer { server.stop() }
            var options = VPNCheckOptions(timeoutSeconds: 2, natBindingProbeSeconds: [])
            options.environment.resolve = { _, _ in HostResolution(addresses: ["::1", "127.0.0.1"], elapsedMs: 1) }
            let pin = try TestCertificateAuthority.spkiSHA256(ofCertificate: leaf.cert)
            let profile = Profile(
                id: "dual", title: "dual", version: 1,
                vpn: VPNSettings(gateways: [
                    VPNGateway(name: "gw", host: "gw.test", port: port, transport: .tls, pinSHA256: pin)
                ]))
            let outcome = await VPNSection.run(
                profile: profile, options: options, progress: { _ in }, logger: GatewayLabTests.logger).judged(by: profile)
            let result = try #require(outcome.vpn?.first)
            #expect(result.addresses?.map(\.address) == ["::1", "127.0.0.1"])
            #expect(result.addresses?.map(\.state) == [.refused, .reachable])
            #expect(result.state == .reachable)
            #expect(result.tls?.pinMatches == true)
            #expect(result.tls?.subject == "CN=gw.test")
            #expect(result.detail?.contains("[::1]:\(port)") == true)
        }
    }

    @Test("a real TLS 1.0 gateway is described, not refused, and warns")
    func tls10Gateway() async throws {
        try await withTemporaryDirectory { directory in
            let leaf = try TestCertificateAuthority.selfSigned(
                file: "old", commonName: "old.test", names: ["127.0.0.1"], in: directory.path)
            let port = try VPNPeers.freeLoopbackPort()
            let server = try VPNPeers.startTLSServer(
                certificate: leaf.cert, key: leaf.key, host: "127.0.0.1", port: port,
                extraArguments: ["-tls1", "-cipher", "DEFAULT:@SECLEVEL=0"])
            defer { server.stop() }
            let pin = try TestCertificateAuthority.spkiSHA256(ofCertificate: leaf.cert)
            let profile = Profile(
                id: "old", title: "old", version: 1,
                vpn: VPNSettings(gateways: [
                    VPNGateway(name: "old", host: "127.0.0.1", port: port, transport: .tls, pinSHA256: pin)
                ]))
            let options = VPNCheckOptions(timeoutSeconds: 2, natBindingProbeSeconds: [])
            let outcome = await VPNSection.run(
                profile: profile, options: options, progress: { _ in }, logger: GatewayLabTests.logger).judged(by: profile)
            #expect(outcome.vpn?.first?.state == .reachable)
            #expect(outcome.vpn?.first?.tls?.protocolVersion == "TLSv1")
            #expect(outcome.findings.first?.status == .warn)
        }
    }

    @Test("the profile's vpn_overhead_bytes sets the MTU a gateway needs; otherwise the transport's table does")
    func overheadFromProfile() async throws {
        let port = try VPNPeers.freeLoopbackPort()
        let gateway = VPNGateway(name: "gw", host: "127.0.0.1", port: port, transport: .ikev2)
        let options = VPNCheckOptions(timeoutSeconds: 1, natBindingProbeSeconds: [])
        var profile = Profile(id: "o", title: "o", version: 1, vpn: VPNSettings(gateways: [gateway]))
        let table = await VPNSection.measure(
            profile: profile, options: options, progress: { _ in }, logger: GatewayLabTests.logger)
        #expect(table.gateways.first?.requiredMTUBytes == 80 + 200)
        #expect(table.gateways.first?.state == .refused)
        profile.network.vpnOverheadBytes = 120
        let given = await VPNSection.measure(
            profile: profile, options: options, progress: { _ in }, logger: GatewayLabTests.logger)
        #expect(given.gateways.first?.requiredMTUBytes == 320)
    }

    @Test("a name that does not resolve is dns_failure with a remediation")
    func dnsFailure() async {
        var options = VPNCheckOptions(timeoutSeconds: 1, natBindingProbeSeconds: [])
        options.environment.resolve = { _, _ in
            HostResolution(addresses: [], elapsedMs: 12, failure: "Name or service not known")
        }
        let profile = Profile(
            id: "dns", title: "dns", version: 1,
            vpn: VPNSettings(gateways: [VPNGateway(name: "gw", host: "vpn.corp.test", port: 443, transport: .tls)]))
        let outcome = await VPNSection.run(
            profile: profile, options: options, progress: { _ in }, logger: GatewayLabTests.logger).judged(by: profile)
        #expect(outcome.vpn?.first?.state == .dnsFailure)
        #expect(outcome.vpn?.first?.dnsMs == 12)
        #expect(outcome.findings.first?.status == .fail)
        #expect(outcome.findings.first?.remediation?.contains("vpn.corp.test") == true)
    }
}
