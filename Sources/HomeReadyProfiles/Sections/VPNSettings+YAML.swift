import Foundation
import HomeReadyModel
import Yams

extension VPNSettings {
    /// Reads the `vpn:` section.
    static func read(_ section: MappingReader) -> VPNSettings {
        let diagnostics = section.diagnostics
        var gateways: [(item: VPNGateway, node: Node, field: String)] = []
        for (node, field) in section.list("gateways") ?? [] {
            if let gateway = VPNGateway.read(node, field: field, diagnostics: diagnostics) {
                gateways.append((gateway, node, field))
            }
        }
        rejectDuplicates(gateways, key: \.name, what: "gateway name", diagnostics: diagnostics)
        let networks = section.stringList("corporate_networks", expected: "a list of networks in CIDR form (10.0.0.0/8)") ?? []
        for network in networks where !isCIDR(network) {
            diagnostics.report(
                at: section.location(of: "corporate_networks"), field: section.field("corporate_networks"),
                "has \"\(network)\", which is not a network in CIDR form such as 10.20.0.0/16 or fd00::/8")
        }
        let names = section.stringList("corporate_names", expected: "a list of internal host names") ?? []
        let health = section.string("health_url", expected: "an http:// or https:// URL")
        if let health, !(health.hasPrefix("http://") || health.hasPrefix("https://")) || URL(string: health) == nil {
            diagnostics.report(section.value("health_url"), field: section.field("health_url"), "must be an http:// or https:// URL, got \"\(health)\"")
        }
        section.rejectUnknownKeys()
        return VPNSettings(gateways: gateways.map(\.item), corporateNetworks: networks, corporateNames: names, healthURL: health)
    }
}

extension VPNGateway {
    /// The usual port of each transport, used when `port` is left out.
    static func defaultPort(_ transport: VPNTransport) -> Int? {
        switch transport {
        case .tls: return 443
        case .tcp: return nil
        case .ikev2: return 500
        case .openvpnUDP: return 1194
        case .wireguard: return 51820
        }
    }

    static func read(_ node: Node, field: String, diagnostics: YAMLDiagnostics) -> VPNGateway? {
        guard let item = MappingReader(node, path: field, diagnostics: diagnostics) else { return nil }
        let before = diagnostics.diagnostics.count
        let name = item.string("name", required: true, expected: "a short name for the gateway")
        let host = item.string("host", required: true, expected: "a host name or IP address")
        let transport = item.oneOf("transport", VPNTransport.self, required: true)
        var port = item.int("port", range: 1...65535, expected: "a port number")
        if port == nil, !item.has("port"), let transport {
            port = defaultPort(transport)
            if port == nil { item.missing("port", "a port number (transport `\(transport.rawValue)` has no usual port)") }
        }
        let pin = item.string("pin_sha256", expected: "the SHA-256 of the certificate's public key, base64 (44 characters) or hex (64)")
        if let pin, !isSHA256Pin(pin) {
            diagnostics.report(item.value("pin_sha256"), field: item.field("pin_sha256"),
                               "must be a SHA-256 digest, base64 (44 characters) or hex (64 characters), got \"\(pin)\"")
        }
        if pin != nil, let transport, transport != .tls {
            diagnostics.report(item.value("pin_sha256"), field: item.field("pin_sha256"), "only applies to `transport: tls` gateways")
        }
        let caFile = item.string("ca_file", expected: "the path of a PEM CA bundle")
        let tlsAuth = item.bool("tls_auth") ?? false
        if tlsAuth, let transport, transport != .openvpnUDP {
            diagnostics.report(item.value("tls_auth"), field: item.field("tls_auth"), "only applies to `transport: openvpn-udp` gateways")
        }
        let required = item.bool("required") ?? true
        let timeout = item.double("timeout_seconds", range: 0.1...120, expected: "a number of seconds")
        item.rejectUnknownKeys()
        guard diagnostics.diagnostics.count == before, let name, let host, let transport, let port else { return nil }
        return VPNGateway(
            name: name, host: host, port: port, transport: transport, pinSHA256: pin, caFile: caFile,
            tlsAuth: tlsAuth, required: required, timeoutSeconds: timeout)
    }
}

extension STUNServer {
    /// Reads `stun_servers:` items written as `host:port` texts or `{host, port}` mappings.
    static func readList(_ items: [(node: Node, field: String)], diagnostics: YAMLDiagnostics) -> [STUNServer] {
        items.compactMap { node, field in
            if let text = node.scalar?.string {
                let parts = text.split(separator: ":")
                if parts.count == 2, let port = Int(parts[1]), (1...65535).contains(port) {
                    return STUNServer(host: String(parts[0]), port: port)
                }
                if parts.count == 1 { return STUNServer(host: text) }
                diagnostics.report(node, field: field, "must be HOST or HOST:PORT (e.g. stun.example.com:3478), got \"\(text)\"")
                return nil
            }
            guard let item = MappingReader(node, path: field, diagnostics: diagnostics) else { return nil }
            let host = item.string("host", required: true, expected: "a host name or IP address")
            let port = item.int("port", range: 1...65535, expected: "a port number") ?? 3478
            item.rejectUnknownKeys()
            return host.map { STUNServer(host: $0, port: port) }
        }
    }
}

/// Whether a text is an IPv4 or IPv6 network in CIDR form.
func isCIDR(_ text: String) -> Bool {
    let parts = text.split(separator: "/")
    guard parts.count == 2, let bits = Int(parts[1]) else { return false }
    let address = String(parts[0])
    var v4 = in_addr()
    var v6 = in6_addr()
    if inet_pton(AF_INET, address, &v4) == 1 { return (0...32).contains(bits) }
    if inet_pton(AF_INET6, address, &v6) == 1 { return (0...128).contains(bits) }
    return false
}

/// Whether a text looks like a SHA-256 digest in base64 or hex.
func isSHA256Pin(_ text: String) -> Bool {
    let hex = text.replacingOccurrences(of: ":", with: "")
    if hex.count == 64, hex.allSatisfy(\.isHexDigit) { return true }
    if let data = Data(base64Encoded: text), data.count == 32 { return true }
    return false
}
