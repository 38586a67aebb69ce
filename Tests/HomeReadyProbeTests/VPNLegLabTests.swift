import Foundation
import HomeReadyJudging
import HomeReadyModel
import HomeReadyTestSupport
import Logging
import Testing
@testable import HomeReadyProbe

/// Whose fault with a real VPN: an OpenVPN tunnel from this namespace to the lab's router (the VPN gateway), the
/// test server behind the router's delay line. The gateway answers at once outside the tunnel, the server 60 ms
/// later through it: the finding must name the VPN, and without the tunnel there is no VPN leg to time.
@Suite(.serialized) struct VPNLegLabTests {
    let logger = Logger(label: "vpn-leg-lab")

    @Test("a server 60 ms behind an OpenVPN tunnel whose gateway answers at once: the VPN is the problem")
    func theVPNIsNamed() async throws {
        try TestEnvironment.require(
            NetworkLab.delayUnavailableReason ?? NginxPeer.unavailableReason ?? PeerRequirement.missing([.openvpn]))
        try await withNetworkLab(roundTripDelayMs: 60) { lab in
            let nginx = try NginxPeer(fileMegabytes: 16, lab: lab)
            defer { nginx.stop() }
            let echo = try LabEchoPeer.start(in: lab)
            defer { echo.stop() }
            var profile = ReportFixtures.voiceProfile
            profile.network.maxLatencyIdleMs = Threshold(40)
            profile.vpn.gateways = [
                VPNGateway(name: "lab-gateway", host: try #require(lab.routerAddress), port: 1194, transport: .openvpnUDP)
            ]
            let options = NetworkCheckOptions(
                downloadURL: URL(string: nginx.url("/big.bin")), uploadURL: URL(string: nginx.url("/upload")),
                echoHost: lab.remoteAddress, echoPort: 7, deadlineSeconds: 60, maxSecondsPerDirection: 3, voiceSeconds: 2)

            // Without the tunnel the server's route is a plain interface: no VPN leg, nothing to blame on it.
            let direct = await NetworkSection.run(profile: profile, options: options, progress: { _ in }, logger: logger)
                .judged(by: profile)
            let directNetwork = try #require(direct.network)
            #expect(directNetwork.vpnGateway == nil)
            #expect(direct.findings.first { $0.id == "network.where" }?.measured != .text("vpn"))

            let directory = try TemporaryDirectory()
            let tunnel = try lab.startOpenVPNTunnel(directory: directory)
            defer { tunnel.stop() }
            let outcome = await NetworkSection.run(profile: profile, options: options, progress: { _ in }, logger: logger)
                .judged(by: profile)
            let network = try #require(outcome.network)
            let leg = try #require(network.vpnGateway, "no VPN leg; findings: \(outcome.findings.map(\.id))")
            let idle = try #require(network.latencyIdleMs)
            let gatewayIdle = try #require(leg.rttIdleMs)
            print("through the tunnel: server \(idle), gateway \(leg), first hop \(String(describing: network.firstHop))")
            #expect(leg.tunnelInterface == tunnel.interface)
            #expect(leg.address == tunnel.gatewayAddress)
            #expect(leg.name == "lab-gateway")
            #expect(gatewayIdle.p50 < 10)
            #expect(idle.p50 >= 59 && idle.p50 < 80)
            #expect(leg.rttLoadedDownMs != nil && leg.rttLoadedUpMs != nil)
            #expect(outcome.findings.first { $0.id == "network.latency_idle" }?.status == .fail)
            let place = try #require(outcome.findings.first { $0.id == "network.where" })
            #expect(place.measured == .text("vpn"), "\(place.message)")
            #expect(place.remediation?.contains("IT") == true)
        }
    }
}
