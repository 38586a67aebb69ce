import HomeReadyModel
import Testing

@testable import HomeReadyScoring

@Suite struct TunnelOverheadTests {
    func profile(_ transports: [VPNTransport], explicit: Int? = nil) -> Profile {
        var profile = Profile(id: "p", title: "P", version: 1)
        profile.vpn.gateways = transports.enumerated().map {
            VPNGateway(name: "g\($0.offset)", host: "vpn.example", port: 443, transport: $0.element)
        }
        profile.network.vpnOverheadBytes = explicit
        return profile
    }

    @Test("the profile's worst tunnel type decides, unless the profile gives the figure")
    func forProfile() {
        let none = TunnelOverhead.forProfile(profile([]))
        #expect(none.bytes == 0 && none.transport == nil)
        let mixed = TunnelOverhead.forProfile(profile([.wireguard, .ikev2, .openvpnUDP]))
        #expect(mixed.bytes == 80 && mixed.transport == .ikev2)
        #expect(TunnelOverhead.forProfile(profile([.wireguard])).bytes == 60)
        // Split tunnel: IT says voice carries no VPN overhead.
        let split = TunnelOverhead.forProfile(profile([.tls], explicit: 0))
        #expect(split.bytes == 0 && split.transport == nil)
        #expect(TunnelOverhead.bytes(.wireguard, ipv6: true) == 80)
    }

    @Test("capacity and codec advice follow the tunnel's overhead")
    func capacityFollowsTheTunnel() {
        // G.711: 160 + 40 = 200 B per packet, 50 packets/s. Through IPsec NAT-T: 280 B → 112 kbit/s per call.
        #expect(CallCapacity.bitsPerSecondPerCall(codec: .g711, vpnOverheadBytes: TunnelOverhead.bytes(.ikev2)) == 112_000)
        // 0.5 Mbit/s up, 80% usable: 5 calls plain, 3 through IPsec, 3 through OpenVPN UDP (108 kbit/s).
        #expect(CallCapacity.maxConcurrentCalls(codec: .g711, downloadMbps: 10, uploadMbps: 0.5) == 5)
        #expect(CallCapacity.maxConcurrentCalls(codec: .g711, downloadMbps: 10, uploadMbps: 0.5, vpnOverheadBytes: 80) == 3)
        #expect(CallCapacity.maxConcurrentCalls(codec: .g711, downloadMbps: 10, uploadMbps: 0.5, vpnOverheadBytes: 70) == 3)
    }
}
