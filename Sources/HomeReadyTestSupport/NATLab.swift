import Foundation

/// A home router in a test: this process's namespace is the home computer, a `router` namespace between it and a
/// `far` namespace is the NAT (nftables `masquerade`, `masquerade random`, or plain routing), and the far side has
/// two addresses with a STUN server on both (coturn `--stun-only`), so the NAT type can be told from two servers.
/// Needs root (`unavailableReason`); always call `destroy()` (or use `withNATLab`).
///
/// Addresses come from 10.210.0.0/16 (home link) and 10.211.0.0/16 (far link) and exist only on the veth pairs
/// this lab creates: no traffic leaves the machine.
public final class NATLab: @unchecked Sendable {
    /// What the router does to packets from home.
    public enum Mode: String, Sendable, CaseIterable {
        /// Plain forwarding: the far side sees the home computer's own address.
        case routed
        /// `masquerade`: one public port per local port as long as it is free (endpoint-independent mapping).
        case masquerade
        /// `masquerade random`: a random public port per connection (address-dependent mapping: symmetric NAT).
        case masqueradeRandom = "masquerade random"
    }

    public let router: String
    public let far: String
    public let homeInterface: String
    private let farInterface: String
    /// This process's address on the home link.
    public let homeAddress: String
    /// The router's address toward the far side (the "public" address the NAT maps to).
    public let publicAddress: String
    /// The far side's two addresses, each with a STUN server on `stunPort`.
    public let stunAddresses: [String]
    public let stunPort = 3478
    private var stun: BackgroundProcess?
    private let directory: TemporaryDirectory
    private var destroyed = false

    /// Why the lab cannot run here, or nil when it can.
    public static var unavailableReason: String? {
        NetworkLab.unavailableReason ?? PeerRequirement.missing([.turnserver])
    }

    /// Builds the three namespaces' links, the router's NAT in `mode` and the two STUN servers.
    public init(mode: Mode) throws {
        let tag = String(UUID().uuidString.prefix(6)).lowercased()
        router = "hrnat-\(tag)"
        far = "hrfar-\(tag)"
        homeInterface = "hrnh\(tag)"
        farInterface = "hrnf\(tag)"
        let routerHome = "hrnr\(tag)"
        let routerFar = "hrno\(tag)"
        directory = try TemporaryDirectory(prefix: "homeready-natlab")
        let lock = LabPlumbing.SubnetLock("/tmp/homeready-netlab.lock")
        defer { lock.release() }
        let subnet = LabPlumbing.freeSubnet(secondOctet: 210)
        homeAddress = "10.210.\(subnet).1"
        let routerHomeAddress = "10.210.\(subnet).2"
        publicAddress = "10.211.\(subnet).1"
        stunAddresses = ["10.211.\(subnet).2", "10.211.\(subnet).3"]
        do {
            try Self.run(["ip", "netns", "add", router])
            try Self.run(["ip", "netns", "add", far])
            try Self.run(["ip", "link", "add", homeInterface, "type", "veth", "peer", "name", routerHome])
            try Self.run(["ip", "link", "set", routerHome, "netns", router])
            try Self.run(["ip", "-n", router, "link", "add", routerFar, "type", "veth", "peer", "name", farInterface])
            try Self.run(["ip", "-n", router, "link", "set", farInterface, "netns", far])
            try Self.run(["ip", "addr", "add", "\(homeAddress)/24", "dev", homeInterface])
            try Self.run(["ip", "link", "set", homeInterface, "up"])
            try Self.run(["ip", "route", "add", "10.211.\(subnet).0/24", "via", routerHomeAddress, "dev", homeInterface])
            try Self.run(["ip", "-n", router, "addr", "add", "\(routerHomeAddress)/24", "dev", routerHome])
            try Self.run(["ip", "-n", router, "addr", "add", "\(publicAddress)/24", "dev", routerFar])
            for device in [routerHome, routerFar, "lo"] { try Self.run(["ip", "-n", router, "link", "set", device, "up"]) }
            for address in stunAddresses {
                try Self.run(["ip", "-n", far, "addr", "add", "\(address)/24", "dev", farInterface])
            }
            for device in [farInterface, "lo"] { try Self.run(["ip", "-n", far, "link", "set", device, "up"]) }
            // Without NAT the far side must route home through the router.
            try Self.run(["ip", "-n", far, "route", "add", "10.210.\(subnet).0/24", "via", publicAddress])
            try Self.run(["ip", "netns", "exec", router, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1"])
            if mode != .routed {
                let rules = """
                    table ip homeready_nat {
                        chain postrouting {
                            type nat hook postrouting priority srcnat; policy accept;
                            oifname "\(routerFar)" \(mode.rawValue)
                        }
                    }
                    """
                let file = directory.url.appendingPathComponent("nat.nft")
                try rules.write(to: file, atomically: true, encoding: .utf8)
                try Self.run(["ip", "netns", "exec", router, "nft", "-f", file.path])
            }
            try startSTUN()
        } catch {
            destroy()
            throw error
        }
    }

    private func startSTUN() throws {
        var arguments = [
            "ip", "netns", "exec", far, "turnserver", "--no-cli", "--stun-only", "--listening-port=\(stunPort)",
            "--no-tls", "--no-dtls", "--log-file=stdout", "--simple-log", "--pidfile=\(directory.path)/stun.pid",
            "--userdb=\(directory.path)/stundb",
        ]
        for address in stunAddresses { arguments.append("--listening-ip=\(address)") }
        let process = try Subprocess.start(arguments)
        stun = process
        // coturn logs its listeners before it serves; give it until both sockets are bound.
        for _ in 0..<200 {
            guard process.isRunning else { throw TestSupportError("turnserver --stun-only exited: \(process.log)") }
            let sockets = (try? Subprocess.run(["ip", "netns", "exec", far, "ss", "-Hlun"]))?.stdout ?? ""
            if stunAddresses.allSatisfy({ sockets.contains("\($0):\(stunPort)") }) { return }
            usleep(25_000)
        }
        throw TestSupportError("turnserver --stun-only did not listen on \(stunAddresses): \(process.log)")
    }

    /// What the STUN servers printed.
    public var stunLog: String { stun?.log ?? "" }

    /// Removes the namespaces and links (processes inside are killed).
    public func destroy() {
        guard !destroyed else { return }
        destroyed = true
        stun?.stop(grace: 1)
        LabPlumbing.remove(namespaces: [far, router], link: homeInterface)
        directory.remove()
    }

    deinit { destroy() }

    static func run(_ argv: [String]) throws { try LabPlumbing.run(argv) }
}

/// Runs `body` with a fresh NAT lab and always removes it.
public func withNATLab<T>(mode: NATLab.Mode, _ body: (NATLab) async throws -> T) async throws -> T {
    let lab = try NATLab(mode: mode)
    defer { lab.destroy() }
    return try await body(lab)
}
