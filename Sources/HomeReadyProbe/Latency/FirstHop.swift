import Foundation
#if canImport(Glibc)
import Glibc
#endif
import HomeReadyModel
import HomeReadyScoring
import HomeReadyTransport

/// The first hop: the home router, the IPv4 default gateway. Its round trip idle and under load tells a problem
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
        guard !server.hasPrefix("127."), !localAddresses().contains(server) else { return nil }
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

    /// This computer's own IPv4 addresses.
    static func localAddresses() -> Set<String> {
        var result = Set<String>()
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return result }
        defer { freeifaddrs(list) }
        var cursor: UnsafeMutablePointer<ifaddrs>? = first
        while let entry = cursor {
            if let address = entry.pointee.ifa_addr, address.pointee.sa_family == sa_family_t(AF_INET) {
                var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
                if getnameinfo(address, socklen_t(MemoryLayout<sockaddr_in>.size), &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST) == 0 {
                    result.insert(String(cString: host))
                }
            }
            cursor = entry.pointee.ifa_next
        }
        return result
    }

    /// Ports tried for the round trip: a router answers a TCP SYN on one of them with SYN-ACK (its web page,
    /// DNS) or with a reset (closed port); either times the round trip.
    static let ports = [80, 53, 443]

    /// Times up to `count` TCP handshakes (or resets) with the gateway, `spacing` seconds apart, until `stop`
    /// fires. Returns the round trips in milliseconds; empty when the router answers on none of `ports`.
    func roundTrips(count: Int, spacing: Double, stop: TransferCancellation? = nil) async -> [Double] {
        var port: Int?
        var rtts: [Double] = []
        for index in 0..<count {
            if stop?.isCancelled == true { break }
            if index > 0 { try? await Task.sleep(nanoseconds: UInt64(spacing * 1e9)) }
            for candidate in port.map({ [$0] }) ?? Self.ports {
                guard let endpoint = IPEndpoint(address: gateway, port: candidate) else { return [] }
                let result = await TCPConnection.connect(to: endpoint, timeout: 1, interface: interface)
                result.connection?.close()
                if result.outcome == .connected || result.outcome == .refused {
                    port = candidate
                    rtts.append(result.elapsedMs)
                    break
                }
            }
            if port == nil { return [] }
        }
        return rtts
    }

    /// Min, median and 90th percentile of `rtts`, rounded to 0.01 ms.
    static func summary(_ rtts: [Double]) -> LatencySummary? {
        LatencyStatistics.summary(rtts).map {
            LatencySummary(min: NetworkMeasurement.round($0.min), p50: NetworkMeasurement.round($0.p50), p90: NetworkMeasurement.round($0.p90))
        }
    }
}
