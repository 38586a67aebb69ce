import Foundation

extension NetworkLab {
    /// Whether another interface on this host already holds an address in this lab's /30 (two labs that drew the
    /// same random subnet would steal each other's packets).
    public var sharesSubnet: Bool {
        let prefix = hostAddress.split(separator: ".").prefix(3).joined(separator: ".")
        let last = Int(hostAddress.split(separator: ".").last ?? "1") ?? 1
        let network = "\(prefix).\(last - 1)/30"
        guard let output = try? Subprocess.run(["ip", "-o", "-4", "addr", "show", "to", network]) else { return false }
        return output.stdout.split(separator: "\n").count > 1
    }
}

extension NetworkLab {
    /// Adds IPv6 unique-local addresses to both ends of the link (no duplicate address detection, so they work at
    /// once) and returns (host, remote). The prefix is derived from the lab's IPv4 subnet, unique per lab.
    public func addIPv6() throws -> (host: String, remote: String) {
        let subnet = hostAddress.split(separator: ".")[2]
        let host = "fd48:5200:\(subnet)::1"
        let remote = "fd48:5200:\(subnet)::2"
        for argv in [
            ["ip", "-6", "addr", "add", "\(host)/64", "dev", hostInterface, "nodad"],
            ["ip", "-n", namespace, "-6", "addr", "add", "\(remote)/64", "dev", remoteInterface, "nodad"],
        ] {
            let output = try Subprocess.run(argv)
            if output.status != 0 { throw TestSupportError("\(argv.joined(separator: " ")) failed: \(output.stderr)") }
        }
        return (host, remote)
    }
}

/// Like `withNetworkLab`, but draws a new lab while its subnet collides with another lab's on this host.
public func withUniqueNetworkLab<T>(_ body: (NetworkLab) async throws -> T) async throws -> T {
    var lab = try NetworkLab()
    for _ in 0..<10 where lab.sharesSubnet {
        lab.destroy()
        lab = try NetworkLab()
    }
    defer { lab.destroy() }
    return try await body(lab)
}
