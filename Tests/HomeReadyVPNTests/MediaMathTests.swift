import Foundation
import HomeReadyJudging
import HomeReadyModel
import Testing

@testable import HomeReadyVPN

@Suite("NAT binding, path MTU and tunnel arithmetic")
struct MediaMathTests {
    @Test("NAT binding lifetime is bracketed by the idle trials that survived and expired")
    func natBracket() async {
        // A scripted NAT that forgets idle bindings after 25 s.
        let estimate = await NATBindingEstimator.estimate(intervals: [10, 20, 31, 60]) {
            NATTrialOutcome(kept: $0 < 25, idleSeconds: $0)
        }
        #expect(estimate.survivedSeconds == 20)
        #expect(estimate.expiredWithinSeconds == 31)
        #expect(estimate.inconclusive.isEmpty)
        let unknown = await NATBindingEstimator.estimate(intervals: [5, 40]) {
            NATTrialOutcome(kept: $0 < 10 ? true : nil, idleSeconds: $0)
        }
        // The real idle time counts, not the nominal interval.
        let overslept = await NATBindingEstimator.estimate(intervals: [1]) { _ in
            NATTrialOutcome(kept: false, idleSeconds: 3.5)
        }
        #expect(overslept.expiredWithinSeconds == 3.5)
        #expect(unknown.survivedSeconds == 5)
        #expect(unknown.expiredWithinSeconds == nil)
        #expect(unknown.inconclusive == [40])
    }

    @Test("a NAT binding closing before 30 s fails the finding with a remediation")
    func natFinding() {
        let profile = Profile(id: "p", title: "p", version: 1)
        let path = VPNPathResult(
            natBinding: NATBindingEstimate(survivedSeconds: 12, expiredWithinSeconds: 20, inconclusive: []),
            tunnel: TunnelStatus(interfaces: [], routes: [], names: [], health: nil))
        let findings = VPNJudge.findings(gateways: [], path: path, profile: profile)
        let nat = findings.first { $0.id == "vpn.nat_binding" }
        #expect(nat?.status == .fail)
        #expect(nat?.remediation != nil)
    }

    @Test("path MTU binary search finds the largest size that fits")
    func mtuSearch() {
        #expect(PathMTUProbe.search(low: 576, high: 1500) { $0 <= 1500 } == 1500)
        #expect(PathMTUProbe.search(low: 576, high: 1500) { $0 <= 1392 } == 1392)
        #expect(PathMTUProbe.search(low: 576, high: 1500) { _ in false } == nil)
    }

    @Test("path MTU findings: too small for voice fails, below a typical tunnel warns, full Ethernet passes")
    func mtuFindings() {
        let gateway = VPNGateway(name: "wg", host: "10.0.0.1", port: 51820, transport: .wireguard)
        let profile = Profile(id: "p", title: "p", version: 1, vpn: VPNSettings(gateways: [gateway]))
        func status(_ mtu: Int) -> FindingStatus? {
            var measured = VPNResult(
                name: "wg", host: "10.0.0.1", port: 51820, transport: .wireguard, state: .unverifiable)
            measured.requiredMTUBytes = PathMTUProbe.overheadBytes(.wireguard) + PathMTUProbe.voicePacketBytes
            let path = VPNPathResult(
                pathMTUProbed: true, pathMTUBytes: mtu, localMTUBytes: 1500,
                tunnel: TunnelStatus(interfaces: [], routes: [], names: [], health: nil))
            return VPNJudge.findings(gateways: [measured], path: path, profile: profile)
                .first { $0.id == "vpn.path_mtu" }?.status
        }
        #expect(status(1500) == .pass)
        #expect(status(1420) == .warn)
        #expect(status(250) == .fail)
    }

    @Test("first host of a corporate CIDR")
    func firstHost() {
        #expect(TunnelInspector.firstHost(of: "10.20.0.0/16") == "10.20.0.1")
        #expect(TunnelInspector.firstHost(of: "10.20.0.5/32") == "10.20.0.5")
        #expect(TunnelInspector.firstHost(of: "fd00:1::/64") == "fd00:1::1")
        #expect(TunnelInspector.firstHost(of: "not-a-network") == nil)
        #expect(
            TunnelInspector.isTunnel("wg0") && TunnelInspector.isTunnel("tun3") && !TunnelInspector.isTunnel("eth0"))
    }

    @Test("tunnel findings: skipped when no tunnel is up, failing when a corporate route bypasses it")
    func tunnelFindings() {
        let settings = VPNSettings(corporateNetworks: ["10.20.0.0/16"])
        let none = VPNJudge.tunnelFindings(
            TunnelStatus(interfaces: [], routes: [], names: [], health: nil), settings: settings)
        #expect(none.first?.status == .skipped)
        let bypass = VPNJudge.tunnelFindings(
            TunnelStatus(
                interfaces: ["wg0"],
                routes: [TunnelStatus.Route(network: "10.20.0.0/16", interface: "eth0", throughTunnel: false)],
                names: [], health: nil), settings: settings)
        #expect(bypass.first?.status == .fail)
        #expect(bypass.first?.message.contains("eth0") == true)
    }
}
