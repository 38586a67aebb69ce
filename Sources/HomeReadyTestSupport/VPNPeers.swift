import Foundation

/// Real VPN-side peers for tests, started from Debian packages: `openssl s_server`, strongSwan's charon,
/// OpenVPN, coturn, a UDP echo responder, and nftables rules that drop a port. Each runs inside a `NetworkLab`
/// namespace (or on loopback for `openssl s_server`) and is stopped by the caller (`BackgroundProcess.stop()`)
/// or with the lab.
public enum VPNPeers {
    /// Waits until something listens on `port` (TCP or UDP), inside `namespace` when given, using `ss`.
    public static func waitForListener(port: Int, udp: Bool, namespace: String? = nil, timeout: Double = 10) throws {
        let deadline = Date().addingTimeInterval(timeout)
        var argv = ["ss", "-H", udp ? "-lun" : "-ltn", "sport = :\(port)"]
        if let namespace { argv = ["ip", "netns", "exec", namespace] + argv }
        while Date() < deadline {
            let output = try Subprocess.run(argv, timeout: 5)
            if output.status == 0, !output.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return }
            usleep(50_000)
        }
        throw TestSupportError("nothing listens on \(udp ? "UDP" : "TCP") port \(port) after \(timeout) s")
    }

    /// A TCP port on 127.0.0.1 that is free right now (bound, read, released).
    public static func freeLoopbackPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestSupportError("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Bool in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw TestSupportError("bind to 127.0.0.1:0 failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Starts `openssl s_server` on `host:port` with a certificate (and optional chain file), waiting until it
    /// listens. Pass `lab` to run it inside the lab's namespace.
    public static func startTLSServer(
        certificate: String, key: String, chain: String? = nil, host: String, port: Int, lab: NetworkLab? = nil
    ) throws -> BackgroundProcess {
        var argv = ["openssl", "s_server", "-accept", "\(host):\(port)", "-cert", certificate, "-key", key, "-quiet"]
        if let chain { argv += ["-cert_chain", chain] }
        let process = try lab.map { try $0.start(argv) } ?? Subprocess.start(argv)
        do {
            try waitForListener(port: port, udp: false, namespace: lab?.namespace)
        } catch {
            let log = process.log
            process.stop()
            throw TestSupportError("\(error) (s_server said: \(log))")
        }
        return process
    }

    /// Drops every packet to `port` (UDP or TCP) arriving in the lab's namespace, with nftables. Nothing answers:
    /// a filtered port.
    public static func dropPort(_ port: Int, udp: Bool, in lab: NetworkLab) throws {
        let proto = udp ? "udp" : "tcp"
        let rules = """
            table inet homeready_drop {
                chain input {
                    type filter hook input priority 0; policy accept;
                    \(proto) dport \(port) drop
                }
            }
            """
        let directory = try TemporaryDirectory(prefix: "hr-nft")
        defer { directory.remove() }
        let file = try directory.write("drop.nft", rules)
        let output = try lab.run(["nft", "-f", file.path])
        if output.status != 0 { throw TestSupportError("nft -f failed: \(output.stderr)") }
    }
}
