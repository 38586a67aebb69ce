import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// This computer's network interfaces and which one the kernel picks toward an address. Shared by the VPN
/// section's tunnel check and the network section's first hop and VPN leg.
public enum LocalInterfaces {
    /// One address of one interface (an interface with several addresses appears once per address).
    public struct Entry: Sendable, Equatable {
        public var name: String
        /// Numeric IPv4 or IPv6 address (zone stripped), nil for an entry without one.
        public var address: String?
        public var up: Bool
    }

    /// Name prefixes of tunnel interfaces: OpenVPN and most SSL VPNs (tun, tap), WireGuard (wg), PPP-based VPNs,
    /// IPsec (ipsec, vti, xfrm), Cisco AnyConnect (cscotun), GlobalProtect (gpd), macOS (utun).
    public static let tunnelPrefixes = ["tun", "tap", "wg", "ppp", "ipsec", "vti", "xfrm", "cscotun", "gpd", "utun"]

    /// True when `name` looks like a VPN tunnel interface.
    public static func isTunnel(_ name: String) -> Bool { tunnelPrefixes.contains { name.hasPrefix($0) } }

    /// Every address of every interface, from getifaddrs.
    public static func table() -> [Entry] {
        var table: [Entry] = []
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return [] }
        defer { freeifaddrs(first) }
        var cursor: UnsafeMutablePointer<ifaddrs>? = first
        while let entry = cursor {
            let name = String(cString: entry.pointee.ifa_name)
            let up = (entry.pointee.ifa_flags & UInt32(IFF_UP)) != 0
            var address: String?
            if let socketAddress = entry.pointee.ifa_addr {
                let family = Int32(socketAddress.pointee.sa_family)
                if family == AF_INET || family == AF_INET6 {
                    var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
                    let length = socklen_t(
                        family == AF_INET ? MemoryLayout<sockaddr_in>.size : MemoryLayout<sockaddr_in6>.size)
                    if getnameinfo(socketAddress, length, &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST) == 0 {
                        address = host.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
                            .split(separator: "%").first.map(String.init)
                    }
                }
            }
            table.append(Entry(name: name, address: address, up: up))
            cursor = entry.pointee.ifa_next
        }
        return table
    }

    /// This computer's own addresses.
    public static func addresses() -> Set<String> { Set(table().compactMap(\.address)) }

    /// The interface the kernel sends packets for `address` by, policy routing included: a connected UDP socket
    /// (no packet is sent) takes the route's source address, and that address names the interface. Nil when no
    /// route leads there.
    public static func interface(toward address: String, table entries: [Entry]? = nil) -> String? {
        guard let endpoint = IPEndpoint(address: address, port: 9),
            let source = (try? UDPSocket(remote: endpoint))?.localEndpoint?.address
        else { return nil }
        return (entries ?? table()).first { $0.address == source }?.name
    }
}
