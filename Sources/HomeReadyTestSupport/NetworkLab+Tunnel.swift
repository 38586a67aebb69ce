import Foundation

/// A real OpenVPN tunnel across a routed lab: the client in this process's namespace, the server on the router
/// (the VPN gateway), so the remote namespace's peers are reached through the tunnel and the delay line while the
/// gateway itself answers at once. Stop it (or destroy the lab) to remove it.
public final class LabTunnel: @unchecked Sendable {
    /// The client's tunnel interface in this namespace (a `tun` name, as OpenVPN's usual `tun0`).
    public let interface: String
    /// The router's address outside the tunnel: the VPN gateway's.
    public let gatewayAddress: String
    /// The UDP port OpenVPN listens on at the gateway.
    public let gatewayPort: Int
    let server: BackgroundProcess
    let client: BackgroundProcess

    init(interface: String, gatewayAddress: String, gatewayPort: Int, server: BackgroundProcess, client: BackgroundProcess) {
        self.interface = interface
        self.gatewayAddress = gatewayAddress
        self.gatewayPort = gatewayPort
        self.server = server
        self.client = client
    }

    /// Stops both ends; the tunnel interfaces and their routes go with them.
    public func stop() {
        client.stop()
        server.stop()
    }

    deinit { stop() }
}

extension NetworkLab {
    /// The router's address toward this process (routed labs only).
    public var routerAddress: String? {
        guard routerNamespace != nil else { return nil }
        return hostAddress.split(separator: ".").dropLast().joined(separator: ".") + ".2"
    }

    /// Starts an OpenVPN point-to-point tunnel (TLS, UDP `port`) from this namespace to the router and routes the
    /// remote namespace's subnet through it. Packets the router takes out of the tunnel pass its delay line like
    /// any other, so the remote peers sit the lab's round trip away while the gateway answers within a
    /// millisecond. Needs a routed lab (`NetworkLab(roundTripDelayMs:)`) and OpenVPN.
    public func startOpenVPNTunnel(port: Int = 1194, directory: TemporaryDirectory) throws -> LabTunnel {
        guard let router = routerNamespace, let gateway = routerAddress else {
            throw TestSupportError("an OpenVPN tunnel needs a routed lab: NetworkLab(roundTripDelayMs:) with a delay above 0")
        }
        try VPNPeers.requireInstalled([.openvpn])
        let tag = String(namespace.dropFirst(3))
        let clientDevice = "tunh\(tag)"
        let serverDevice = "tunr\(tag)"
        let octets = hostAddress.split(separator: ".")
        let inner = "10.201.\(octets[2])"
        let leaf = try TestCertificateAuthority.selfSigned(
            file: "openvpn-tunnel", commonName: "openvpn", names: ["openvpn.test"], in: directory.path)
        let common = [
            "--dev-type", "tun", "--proto", "udp4", "--ca", leaf.cert, "--cert", leaf.cert, "--key", leaf.key,
            "--verb", "3", "--ping", "2",
        ]
        let server = try Subprocess.start(
            ["ip", "netns", "exec", router, "openvpn", "--dev", serverDevice, "--local", gateway, "--lport", String(port),
             "--ifconfig", "\(inner).2", "\(inner).1", "--tls-server", "--dh", "none"] + common)
        let client: BackgroundProcess
        do {
            client = try Subprocess.start(
                ["openvpn", "--dev", clientDevice, "--remote", gateway, String(port), "--nobind",
                 "--ifconfig", "\(inner).1", "\(inner).2", "--tls-client"] + common)
        } catch {
            server.stop()
            throw error
        }
        let tunnel = LabTunnel(
            interface: clientDevice, gatewayAddress: gateway, gatewayPort: port, server: server, client: client)
        let ready = "Initialization Sequence Completed"
        let deadline = Date().addingTimeInterval(30)
        while !(client.log.contains(ready) && server.log.contains(ready)) && Date() < deadline { usleep(100_000) }
        guard client.log.contains(ready), server.log.contains(ready) else {
            let logs = "client: \(client.log.suffix(1500)) server: \(server.log.suffix(1500))"
            tunnel.stop()
            throw TestSupportError("the OpenVPN tunnel did not come up within 30 s (\(logs))")
        }
        do {
            let remoteSubnet = "\(octets[0]).\(octets[1]).\(octets[2]).4/30"
            try Self.ip(["route", "replace", remoteSubnet, "dev", clientDevice, "src", "\(inner).1"])
            // What leaves the tunnel on the router goes through the delay line too.
            try Self.ip(["-n", router, "rule", "add", "iif", serverDevice, "lookup", "100", "pref", "100"])
        } catch {
            tunnel.stop()
            throw error
        }
        return tunnel
    }
}
