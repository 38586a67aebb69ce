import Foundation

/// Real VPN-side peers for tests, started from Debian packages: `openssl s_server`, strongSwan's charon,
/// OpenVPN, coturn, a UDP echo responder, and nftables rules that drop a port. Each runs inside a `NetworkLab`
/// namespace (or on loopback for `openssl s_server`) and is stopped by the caller (`BackgroundProcess.stop()`)
/// or with the lab.
public enum VPNPeers {
    /// Waits until something listens on `port` (TCP or UDP), inside `namespace` when given
    /// (`FreePort.waitForListener(port:udp:namespace:timeout:)`).
    public static func waitForListener(port: Int, udp: Bool, namespace: String? = nil, timeout: Double = 10) throws {
        try FreePort.waitForListener(port: port, udp: udp, namespace: namespace, timeout: timeout)
    }

    /// A TCP port on 127.0.0.1 that is free right now (`FreePort.tcp()`).
    public static func freeLoopbackPort() throws -> Int { try FreePort.tcp() }

    /// Starts `openssl s_server` on `host:port` with a certificate (and optional chain file), waiting until it
    /// listens. Pass `lab` to run it inside the lab's namespace; `extraArguments` go to s_server (e.g. `-tls1`).
    public static func startTLSServer(
        certificate: String, key: String, chain: String? = nil, host: String, port: Int, lab: NetworkLab? = nil,
        extraArguments: [String] = []
    ) throws -> BackgroundProcess {
        try requireInstalled([.openssl])
        var argv = ["openssl", "s_server", "-accept", "\(host):\(port)", "-cert", certificate, "-key", key, "-quiet"]
        argv += extraArguments
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
        try applyInputRule("\(udp ? "udp" : "tcp") dport \(port) drop", in: lab)
    }

    /// Silently drops IPv4 packets to UDP `port` longer than `bytes` (IP header included): a path MTU black hole
    /// that sends no ICMP, the hardest case for path MTU discovery.
    public static func dropLargerThan(_ bytes: Int, udpPort port: Int, in lab: NetworkLab) throws {
        try applyInputRule("udp dport \(port) ip length > \(bytes) drop", in: lab)
    }

    /// Adds a source-NAT rule to the lab namespace's input path and sets its conntrack UDP timeouts, so the lab
    /// behaves like a home router's NAT as seen from a server: mappings change once an idle flow expires.
    public static func applyNATRule(_ rule: String, udpTimeoutSeconds: Int, in lab: NetworkLab) throws {
        let rules = """
            table ip homeready_nat {
                chain input {
                    type nat hook input priority 100; policy accept;
                    \(rule)
                }
            }
            """
        let directory = try TemporaryDirectory(prefix: "hr-nft")
        defer { directory.remove() }
        let file = try directory.write("nat.nft", rules)
        let output = try lab.run(["nft", "-f", file.path])
        if output.status != 0 { throw TestSupportError("nft -f failed: \(output.stderr)") }
        for key in ["nf_conntrack_udp_timeout", "nf_conntrack_udp_timeout_stream"] {
            let set = try lab.run(["sysctl", "-q", "-w", "net.netfilter.\(key)=\(udpTimeoutSeconds)"])
            if set.status != 0 { throw TestSupportError("sysctl \(key) failed: \(set.stderr)") }
        }
    }

    /// Adds one rule to an input chain of the lab namespace's own nftables table.
    public static func applyInputRule(_ rule: String, in lab: NetworkLab) throws {
        let rules = """
            table inet homeready_lab {
                chain input {
                    type filter hook input priority 0; policy accept;
                    \(rule)
                }
            }
            """
        let directory = try TemporaryDirectory(prefix: "hr-nft")
        defer { directory.remove() }
        let file = try directory.write("rules.nft", rules)
        let output = try lab.run(["nft", "-f", file.path])
        if output.status != 0 { throw TestSupportError("nft -f failed: \(output.stderr)") }
    }

    /// Starts strongSwan's charon inside the lab with no connections configured: it answers any IKE_SA_INIT
    /// (with NO_PROPOSAL_CHOSEN) on UDP 500 and 4500. Configured through a private strongswan.conf.
    public static func startCharon(in lab: NetworkLab, directory: TemporaryDirectory) throws -> BackgroundProcess {
        try requireInstalled([.charon] + PeerRequirement.charonPlugins)
        let plugins = PeerRequirement.charonPluginPackages.map(\.plugin).joined(separator: " ")
        let config = try directory.write(
            "strongswan.conf",
            """
            charon {
                port = 500
                port_nat_t = 4500
                install_routes = no
                install_virtual_ip = no
                load = \(plugins)
                filelog {
                    stderr {
                        default = 1
                    }
                }
            }
            """)
        // charon refuses to start while /run/charon.pid exists: give each instance a private /run so labs can run
        // charon in parallel (the mount lives only in this process's mount namespace).
        let process = try lab.start([
            "env", "STRONGSWAN_CONF=\(config.path)", "unshare", "--mount", "--propagation", "private", "sh", "-c",
            "mount -t tmpfs homeready-charon /run && exec /usr/lib/ipsec/charon",
        ])
        do {
            try waitForListener(port: 500, udp: true, namespace: lab.namespace)
            try waitForListener(port: 4500, udp: true, namespace: lab.namespace)
        } catch {
            let log = process.log
            process.stop()
            throw TestSupportError("\(error) (charon said: \(log))")
        }
        return process
    }

    /// Starts an OpenVPN server on UDP `port` at the lab's remote address (no tunnel device: `--dev null`),
    /// with a certificate made for it, and with `--tls-auth` when `tlsAuth` is true (`--tls-crypt` when
    /// `tlsCrypt` is true).
    public static func startOpenVPN(
        in lab: NetworkLab, port: Int, tlsAuth: Bool, tlsCrypt: Bool = false, directory: TemporaryDirectory
    ) throws -> BackgroundProcess {
        try requireInstalled([.openvpn])
        let leaf = try TestCertificateAuthority.selfSigned(
            file: "openvpn-\(port)", commonName: "openvpn", names: ["openvpn.test"], in: directory.path)
        var argv = [
            "openvpn", "--dev", "null", "--proto", "udp4", "--local", lab.remoteAddress, "--port", String(port),
            "--tls-server", "--ca", leaf.cert, "--cert", leaf.cert, "--key", leaf.key, "--dh", "none", "--verb", "3",
        ]
        if tlsAuth || tlsCrypt {
            let key = "\(directory.path)/ta-\(port).key"
            let made = try Subprocess.run(["openvpn", "--genkey", "secret", key])
            if made.status != 0 { throw TestSupportError("openvpn --genkey failed: \(made.stderr)") }
            argv += tlsCrypt ? ["--tls-crypt", key] : ["--tls-auth", key, "0"]
        }
        let process = try lab.start(argv)
        do { try waitForListener(port: port, udp: true, namespace: lab.namespace) } catch {
            let log = process.log
            process.stop()
            throw TestSupportError("\(error) (openvpn said: \(log))")
        }
        return process
    }

    /// Starts coturn as a STUN-only server on UDP `port` at the lab's remote address (or `listenAddress`).
    public static func startSTUNServer(
        in lab: NetworkLab, port: Int = 3478, listenAddress: String? = nil, directory: TemporaryDirectory
    ) throws -> BackgroundProcess {
        try requireInstalled([.turnserver])
        let process = try lab.start([
            "turnserver", "-L", listenAddress ?? lab.remoteAddress, "--listening-port", String(port), "--stun-only", "--no-tls",
            "--no-dtls", "--no-cli", "--simple-log", "--log-file", "stdout", "-b", "\(directory.path)/turndb",
            "--pidfile", "\(directory.path)/turnserver.pid",
        ])
        do { try waitForListener(port: port, udp: true, namespace: lab.namespace) } catch {
            let log = process.log
            process.stop()
            throw TestSupportError("\(error) (turnserver said: \(log))")
        }
        return process
    }

    /// Starts a UDP echo responder (every datagram returned as it came) on `port` at the lab's remote address (or
    /// `address`, IPv4 or IPv6).
    public static func startUDPEcho(in lab: NetworkLab, port: Int, address: String? = nil) throws -> BackgroundProcess {
        let bindAddress = address ?? lab.remoteAddress
        let family = bindAddress.contains(":") ? "AF_INET6" : "AF_INET"
        let script = """
            import socket
            s = socket.socket(socket.\(family), socket.SOCK_DGRAM)
            s.bind(("\(bindAddress)", \(port)))
            while True:
                data, peer = s.recvfrom(65535)
                s.sendto(data, peer)
            """
        let process = try lab.start(["python3", "-c", script])
        do { try waitForListener(port: port, udp: true, namespace: lab.namespace) } catch {
            let log = process.log
            process.stop()
            throw TestSupportError("\(error) (echo said: \(log))")
        }
        return process
    }
}

extension VPNPeers {
    /// Throws the install hint of the first of `peers` that is missing, before a peer is started without it.
    static func requireInstalled(_ peers: [PeerRequirement]) throws {
        if let missing = PeerRequirement.missing(peers) { throw TestSupportError(missing) }
    }
}

