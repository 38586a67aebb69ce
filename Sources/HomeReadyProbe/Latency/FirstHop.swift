import Foundation
import HomeReadyModel
import HomeReadyScoring
import HomeReadyTransport

/// The first hop: the home router, the IPv4 gateway toward the server (toward the VPN gateway when the server is
/// reached through a tunnel). Its round trip idle and under load tells a problem
/// inside the home (Wi-Fi, the router) from one beyond it (the provider).
struct FirstHop: Sendable {
    var gateway: String
    var interface: String
    var wireless: Bool?
    var wifiSignalDbm: Double?

    /// The gateway toward `server` (an IPv4 address) and what kind of link leads to it, from the kernel's tables
    /// (Linux); nil elsewhere, for IPv6, or when the server is on the same network or behind a point-to-point link
    /// (a VPN tunnel) with no gateway.
    static func locate(toward server: String, interface wanted: String?) -> FirstHop? {
        // A server on this computer (loopback or one of its own addresses) has no first hop: the kernel's local
        // table, not /proc/net/route, routes it.
        guard !server.hasPrefix("127."), !LocalInterfaces.addresses().contains(server) else { return nil }
        guard let table = try? String(contentsOfFile: "/proc/net/route", encoding: .utf8),
            let route = LinuxNetworkTables.route(to: server, in: table), let gateway = route.gateway
        else { return nil }
        if let wanted, wanted != route.interface { return nil }
        let fileManager = FileManager.default
        let base = "/sys/class/net/\(route.interface)"
        var hop = FirstHop(gateway: gateway, interface: route.interface)
        if fileManager.fileExists(atPath: "\(base)/device") {
            hop.wireless = fileManager.fileExists(atPath: "\(base)/wireless") || fileManager.fileExists(atPath: "\(base)/phy80211")
        }
        if hop.wireless == true, let text = try? String(contentsOfFile: "/proc/net/wireless", encoding: .utf8) {
            hop.wifiSignalDbm = LinuxNetworkTables.wirelessLevels(text)[route.interface]
        }
        return hop
    }

    /// Round trips to the gateway: its web page (80), DNS (53) or 443 answers a SYN, or a closed one resets it.
    var ping: HandshakePing { HandshakePing(address: gateway, ports: [80, 53, 443], interface: interface) }
}
