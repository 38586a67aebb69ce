import Foundation
import HomeReadyModel
import HomeReadyTransport

/// The VPN leg of the path: when the server is reached through a tunnel, the round trip to the VPN gateway
/// outside the tunnel (home plus provider) set against the round trip to the server through it tells the VPN's
/// share (the tunnel, the concentrator, the data center behind it) from the rest.
struct VPNLeg: Sendable {
    var gateway: VPNGateway
    var tunnelInterface: String
    var ping: HandshakePing

    /// The profile gateway to time when the kernel routes `server` through a tunnel interface: the first of
    /// `gateways` that resolves to an IPv4 address routed outside the tunnel. Nil when the server is not behind
    /// a tunnel or no gateway qualifies.
    static func locate(toward server: String, gateways: [VPNGateway]) -> VPNLeg? {
        guard !gateways.isEmpty else { return nil }
        let table = LocalInterfaces.table()
        guard let tunnel = LocalInterfaces.interface(toward: server, table: table), LocalInterfaces.isTunnel(tunnel)
        else { return nil }
        for gateway in gateways {
            let addresses = HostResolver.resolveBlocking(gateway.host).addresses.filter { !$0.contains(":") }
            for address in addresses {
                guard let outside = LocalInterfaces.interface(toward: address, table: table),
                    !LocalInterfaces.isTunnel(outside)
                else { continue }
                var ports = [gateway.port]
                for fallback in [443, 80] where !ports.contains(fallback) { ports.append(fallback) }
                return VPNLeg(
                    gateway: gateway, tunnelInterface: tunnel,
                    ping: HandshakePing(address: address, ports: ports, interface: outside))
            }
        }
        return nil
    }
}
