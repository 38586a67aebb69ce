import Foundation

extension NetworkLab {
    /// Adds IPv6 unique-local addresses to both ends of the link (no duplicate address detection, so they work at
    /// once) and returns (host, remote). The prefix is derived from the lab's IPv4 subnet, unique per lab.
    public func addIPv6() throws -> (host: String, remote: String) {
        let subnet = hostAddress.split(separator: ".")[2]
        if let routerNamespace, let routerInterfaces {
            // Host -- router on fd48:5200:S:1::/64, router -- remote on fd48:5200:S:2::/64.
            let host = "fd48:5200:\(subnet):1::1"
            let remote = "fd48:5200:\(subnet):2::2"
            for argv in [
                ["ip", "-6", "addr", "add", "\(host)/64", "dev", hostInterface, "nodad"],
                [
                    "ip", "-n", routerNamespace, "-6", "addr", "add", "fd48:5200:\(subnet):1::2/64", "dev",
                    routerInterfaces.host, "nodad",
                ],
                [
                    "ip", "-n", routerNamespace, "-6", "addr", "add", "fd48:5200:\(subnet):2::1/64", "dev",
                    routerInterfaces.remote, "nodad",
                ],
                ["ip", "-n", namespace, "-6", "addr", "add", "\(remote)/64", "dev", remoteInterface, "nodad"],
                [
                    "ip", "-6", "route", "add", "fd48:5200:\(subnet):2::/64", "via", "fd48:5200:\(subnet):1::2", "dev",
                    hostInterface,
                ],
                ["ip", "-n", namespace, "-6", "route", "add", "default", "via", "fd48:5200:\(subnet):2::1"],
            ] {
                let output = try Subprocess.run(argv)
                if output.status != 0 {
                    throw TestSupportError("\(argv.joined(separator: " ")) failed: \(output.stderr)")
                }
            }
            return (host, remote)
        }
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

/// Same as `withNetworkLab` (which now always picks a subnet no other lab uses); kept for existing callers.
public func withUniqueNetworkLab<T>(_ body: (NetworkLab) async throws -> T) async throws -> T {
    try await withNetworkLab(body)
}
