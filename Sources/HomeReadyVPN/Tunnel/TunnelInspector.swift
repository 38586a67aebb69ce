import Foundation
import HomeReadyModel
import HomeReadyTransport

/// Reads the tunnel state: interfaces, the route the kernel picks toward corporate networks (policy routing
/// included: a connected UDP socket's source address tells the chosen interface), corporate names, health URL.
enum TunnelInspector {
    static func isTunnel(_ name: String) -> Bool { LocalInterfaces.isTunnel(name) }

    static func inspect(_ settings: VPNSettings, options: VPNCheckOptions) async -> TunnelStatus {
        let table = LocalInterfaces.table()
        let up = Set(table.filter { $0.up && isTunnel($0.name) }.map(\.name)).sorted()
        var routes: [TunnelStatus.Route] = []
        for network in settings.corporateNetworks {
            guard let probe = firstHost(of: network) else {
                routes.append(TunnelStatus.Route(network: network, interface: nil, throughTunnel: false))
                continue
            }
            let interface = LocalInterfaces.interface(toward: probe, table: table)
            routes.append(
                TunnelStatus.Route(
                    network: network, interface: interface, throughTunnel: interface.map(isTunnel) ?? false))
        }
        var names: [TunnelStatus.Name] = []
        for name in settings.corporateNames {
            let resolution = await options.environment.resolve(name, options.timeoutSeconds)
            names.append(TunnelStatus.Name(name: name, addresses: resolution.addresses, failure: resolution.failure))
        }
        var health: TunnelStatus.Health?
        if let url = settings.healthURL { health = await fetch(url, timeout: options.timeoutSeconds) }
        return TunnelStatus(interfaces: up, routes: routes, names: names, health: health)
    }

    /// One GET of the health URL through libcurl, direct (no proxy: the tunnel is what is tested). A redirect
    /// counts as an answer (2xx and 3xx are healthy), as it did through URLSession; the agent needs no
    /// FoundationNetworking (a second HTTP stack, and its libraries in every check's memory).
    static func fetch(_ text: String, timeout: Double) async -> TunnelStatus.Health {
        guard let url = URL(string: text), url.scheme == "http" || url.scheme == "https" else {
            return TunnelStatus.Health(url: text, failure: "not a URL")
        }
        let request = HTTPRequest(
            url: text, timeoutSeconds: timeout, connectTimeoutSeconds: min(timeout, 5), keepBodyPrefixBytes: 0)
        do {
            let response = try await HTTPClient.perform(request)
            return TunnelStatus.Health(url: text, statusCode: response.statusCode)
        } catch {
            return TunnelStatus.Health(url: text, failure: "\(error)")
        }
    }

    /// The first host address of a CIDR (`10.20.0.0/16` → `10.20.0.1`), nil when not a CIDR.
    static func firstHost(of cidr: String) -> String? {
        let parts = cidr.split(separator: "/")
        guard let base = parts.first else { return nil }
        let text = String(base)
        if !text.contains(":") {
            var octets = text.split(separator: ".").compactMap { Int($0) }
            guard octets.count == 4 else { return nil }
            if let prefix = parts.count > 1 ? Int(parts[1]) : 32, prefix < 31 { octets[3] += 1 }
            return octets.map(String.init).joined(separator: ".")
        }
        guard IPEndpoint(address: text, port: 0) != nil else { return nil }
        return text.hasSuffix("::") ? text + "1" : text
    }
}
