import HomeReadyModel

/// Bytes a VPN tunnel adds to each packet, by tunnel type: the one table behind both the voice capacity per call
/// and the path MTU a tunnel needs. Worst case of each type's usual ciphers, IPv4 outer header (IPv6 adds 20).
/// The inner IPv4/UDP/RTP headers are counted by `CallCapacity`, not here.
public enum TunnelOverhead {
    /// The outer bytes per packet of `transport`:
    /// - WireGuard 60: IP 20 + UDP 8 + header 16 + tag 16;
    /// - IPsec with NAT-T (`ikev2`) 80: IP 20 + UDP 8 + ESP 8 + IV up to 16 + padding, trailer and ICV up to 28;
    /// - OpenVPN over UDP 70: IP 20 + UDP 8 + opcode/peer id 4 + packet id 4 + tag or HMAC up to 34;
    /// - SSL VPNs over TLS (`tls`) 90: IP 20 + TCP 20 (or UDP/DTLS) + TLS record 5 + IV/tag 32 + tunnel framing 8;
    /// - a plain TCP tunnel (`tcp`) 40: IP 20 + TCP 20.
    public static func bytes(_ transport: VPNTransport, ipv6: Bool = false) -> Int {
        let base: Int
        switch transport {
        case .wireguard: base = 60
        case .ikev2: base = 80
        case .openvpnUDP: base = 70
        case .tls: base = 90
        case .tcp: base = 40
        }
        return base + (ipv6 ? 20 : 0)
    }

    /// The tunnel type's name in reports and docs (`IPsec NAT-T`, `OpenVPN UDP`, …).
    public static func name(_ transport: VPNTransport) -> String {
        switch transport {
        case .wireguard: return "WireGuard"
        case .ikev2: return "IPsec NAT-T"
        case .openvpnUDP: return "OpenVPN UDP"
        case .tls: return "SSL VPN over TLS"
        case .tcp: return "TCP tunnel"
        }
    }

    /// The overhead voice pays on this profile: the profile's explicit `network.vpn_overhead_bytes` when it sets
    /// one (0 when voice is split-tunnelled), else the largest overhead among its gateways' tunnel types (an
    /// agent may land on any of them), else 0 (no VPN).
    public static func forProfile(_ profile: Profile) -> (bytes: Int, transport: VPNTransport?) {
        if let explicit = profile.network.vpnOverheadBytes { return (explicit, nil) }
        let worst = profile.vpn.gateways.map(\.transport).max { bytes($0) < bytes($1) }
        return (worst.map { bytes($0) } ?? 0, worst)
    }
}
