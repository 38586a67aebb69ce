import Foundation

/// A home router with Linux's own SIP ALG between this process and a SIP mirror: this process's namespace (the
/// agent's laptop) ↔ a router namespace (nftables masquerade, and with `sipHelper` an nftables `ct helper` of
/// type "sip" for UDP and TCP port 5060, set in a prerouting chain of priority 0) ↔ a server namespace where
/// `startMirror()` runs `homeready-speedtest-server --sip-port 5060`. Needs root; call `destroy()`.
///
/// At a priority before conntrack (−300) the helper does nothing: priority 0 is what makes `nf_nat_sip` rewrite
/// Via, From, Contact and the SDP `o=`/`c=` lines like a home router's ALG (docs/voice-path.md).
public final class SIPALGLab: @unchecked Sendable {
    public let routerNamespace: String
    public let serverNamespace: String
    public let hostInterface: String
    /// This process's address (the laptop's private address).
    public let hostAddress: String
    /// The router's outside address: what the mirror sees after the NAT.
    public let routerOutsideAddress: String
    /// The mirror's address.
    public let serverAddress: String
    /// The SIP port the helper watches and the mirror serves.
    public let sipPort = 5060
    /// The mirror's HTTP port (`/speed/info` announces `sip_port`).
    public let httpPort = 18_080
    private let directory: TemporaryDirectory
    private var destroyed = false

    /// Builds the three hops; `sipHelper` turns the router's SIP ALG on.
    public init(sipHelper: Bool) throws {
        let tag = String(UUID().uuidString.prefix(6)).lowercased()
        routerNamespace = "hrsr-\(tag)"
        serverNamespace = "hrss-\(tag)"
        hostInterface = "hrsh\(tag)"
        let routerInside = "hrsi\(tag)"
        let routerOutside = "hrso\(tag)"
        let serverInterface = "hrsv\(tag)"
        directory = try TemporaryDirectory(prefix: "hr-sipalg")
        let lock = LabPlumbing.SubnetLock("/tmp/homeready-sipalg-lab.lock")
        defer { lock.release() }
        let subnet = LabPlumbing.freeSubnet(secondOctet: 213)
        hostAddress = "10.213.\(subnet).1"
        let routerInsideAddress = "10.213.\(subnet).2"
        routerOutsideAddress = "10.214.\(subnet).1"
        serverAddress = "10.214.\(subnet).2"
        do {
            for argv in [
                ["netns", "add", routerNamespace], ["netns", "add", serverNamespace],
                ["link", "add", hostInterface, "type", "veth", "peer", "name", routerInside],
                ["link", "set", routerInside, "netns", routerNamespace],
                ["link", "add", routerOutside, "type", "veth", "peer", "name", serverInterface],
                ["link", "set", routerOutside, "netns", routerNamespace],
                ["link", "set", serverInterface, "netns", serverNamespace],
                ["addr", "add", "\(hostAddress)/30", "dev", hostInterface], ["link", "set", hostInterface, "up"],
                ["-n", routerNamespace, "addr", "add", "\(routerInsideAddress)/30", "dev", routerInside],
                ["-n", routerNamespace, "addr", "add", "\(routerOutsideAddress)/30", "dev", routerOutside],
                ["-n", routerNamespace, "link", "set", routerInside, "up"],
                ["-n", routerNamespace, "link", "set", routerOutside, "up"],
                ["-n", routerNamespace, "link", "set", "lo", "up"],
                ["-n", serverNamespace, "addr", "add", "\(serverAddress)/30", "dev", serverInterface],
                ["-n", serverNamespace, "link", "set", serverInterface, "up"],
                ["-n", serverNamespace, "link", "set", "lo", "up"],
                ["route", "add", "10.214.\(subnet).0/30", "via", routerInsideAddress, "dev", hostInterface],
            ] {
                try Self.run(["ip"] + argv)
            }
            try Self.run(["ip", "netns", "exec", routerNamespace, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1"])
            let helper =
                sipHelper
                ? """
                    ct helper sip-udp {
                        type "sip" protocol udp
                        l3proto ip
                    }
                    ct helper sip-tcp {
                        type "sip" protocol tcp
                        l3proto ip
                    }
                    chain prerouting {
                        type filter hook prerouting priority 0; policy accept;
                        udp dport \(sipPort) ct helper set "sip-udp"
                        tcp dport \(sipPort) ct helper set "sip-tcp"
                    }
                """ : ""
            let rules = """
                table ip homeready_sipalg {
                \(helper)
                    chain postrouting {
                        type nat hook postrouting priority 100; policy accept;
                        oifname "\(routerOutside)" masquerade
                    }
                }
                """
            let file = try directory.write("router.nft", rules)
            try Self.run(["ip", "netns", "exec", routerNamespace, "nft", "-f", file.path])
        } catch {
            destroy()
            throw error
        }
    }

    /// Starts `homeready-speedtest-server` in the server namespace with the SIP mirror on UDP and TCP 5060 and
    /// `/speed/info` on `httpPort`, and waits until both SIP listeners are up.
    public func startMirror() throws -> BackgroundProcess {
        let binary = TestEnvironment.productsDirectory.appendingPathComponent("homeready-speedtest-server").path
        let process = try Subprocess.start([
            "ip", "netns", "exec", serverNamespace, binary, "--host", serverAddress, "--port", String(httpPort),
            "--echo-port", "18007", "--sip-port", String(sipPort),
        ])
        do {
            try FreePort.waitForListener(port: sipPort, udp: true, namespace: serverNamespace)
            try FreePort.waitForListener(port: sipPort, udp: false, namespace: serverNamespace)
            try FreePort.waitForListener(port: httpPort, udp: false, namespace: serverNamespace)
        } catch {
            let log = process.log
            process.stop()
            throw TestSupportError("\(error) (homeready-speedtest-server said: \(log))")
        }
        return process
    }

    /// Removes the namespaces (their processes are killed) and the host's veth.
    public func destroy() {
        guard !destroyed else { return }
        destroyed = true
        LabPlumbing.remove(namespaces: [serverNamespace, routerNamespace], link: hostInterface)
        directory.remove()
    }

    deinit { destroy() }

    /// Why the lab cannot run here, or nil when it can.
    public static var unavailableReason: String? {
        if !TestEnvironment.isRoot { return "the SIP ALG lab needs root (ip netns, veth, nftables ct helper)" }
        if let missing = PeerRequirement.missing([.ip, .ss, .nft, .sysctl]) { return missing }
        let binary = TestEnvironment.productsDirectory.appendingPathComponent("homeready-speedtest-server").path
        if !FileManager.default.isExecutableFile(atPath: binary) {
            return "\(binary) is not built: run swift build first"
        }
        return nil
    }

    /// A third octet in 10.213.0.0/16 that no interface here uses yet.
    static func run(_ argv: [String]) throws { try LabPlumbing.run(argv) }
}

/// Runs `body` with a fresh SIP ALG lab and always removes it.
public func withSIPALGLab<T>(sipHelper: Bool, _ body: (SIPALGLab) async throws -> T) async throws -> T {
    let lab = try SIPALGLab(sipHelper: sipHelper)
    defer { lab.destroy() }
    return try await body(lab)
}
