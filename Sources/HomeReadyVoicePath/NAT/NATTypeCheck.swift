import Foundation
import HomeReadyModel
import HomeReadyTransport
import HomeReadyVPN
import Logging

/// The NAT's mapping behaviour (RFC 4787 §4.1) told from two STUN servers on two different IP addresses: binding
/// requests to both from one local UDP port. The same public address and port toward both is an
/// endpoint-independent mapping (`cone`: a peer can send media straight back); a different one per server is
/// address-dependent mapping (`symmetric`: only a TURN relay carries media); a public address that is this
/// computer's own is `open`; fewer than two answers is `unknown`. The way Genesys' webrtc-troubleshooter tells it.
enum NATTypeCheck {
    static func run(
        _ stunServers: [STUNServer], options: VoicePathCheckOptions, progress: @escaping ProgressHandler, logger: Logger
    ) async -> NATTypeResult? {
        guard !stunServers.isEmpty else { return nil }
        progress(CheckProgress(phase: "voice_path.nat_type", message: "Telling the NAT type from two STUN servers"))
        let targets = await distinctTargets(stunServers, timeout: options.timeoutSeconds)
        guard !targets.isEmpty else {
            logger.debug("nat_type.no_servers", metadata: ["nat_type.servers": "\(stunServers.count)"])
            return NATTypeResult(type: .unknown)
        }
        let interface = options.interface
        let timeout = options.timeoutSeconds
        let (mappings, local) = await BlockingThread.run { query(targets, interface: interface, timeout: timeout) }
        let kind = classify(mappings.compactMap { $0 }, local: local)
        logger.debug(
            "nat_type.checked",
            metadata: [
                "nat_type.type": "\(kind.rawValue)", "nat_type.local": "\(local?.description ?? "-")",
                "nat_type.mappings": "\(mappings.map { $0?.description ?? "-" }.joined(separator: ","))",
            ])
        return NATTypeResult(type: kind, mappings: mappings.compactMap { $0?.description })
    }

    /// The type for the mappings the servers saw for one local port (`local`: that port with this computer's own
    /// source address).
    static func classify(_ mappings: [IPEndpoint], local: IPEndpoint?) -> NATTypeResult.Kind {
        guard mappings.count >= 2 else { return .unknown }
        guard Set(mappings).count == 1 else { return .symmetric }
        if let local, mappings[0].address == local.address, mappings[0].port == local.port { return .open }
        return .cone
    }

    /// The first two servers (in the profile's order) whose IPv4 addresses differ: the mapping behaviour is told
    /// by destination address.
    static func distinctTargets(_ servers: [STUNServer], timeout: Double) async -> [IPEndpoint] {
        var targets: [IPEndpoint] = []
        for server in servers {
            let resolution = await HostResolver.resolve(server.host, timeout: timeout)
            guard let address = resolution.addresses.first(where: { !$0.contains(":") }),
                !targets.contains(where: { $0.address == address }),
                let endpoint = IPEndpoint(address: address, port: server.port)
            else { continue }
            targets.append(endpoint)
            if targets.count == 2 { break }
        }
        return targets
    }

    /// Binding requests to each target from one socket; the mapping each answer carried (nil: no answer) and the
    /// socket's own address and port. Blocking.
    static func query(_ targets: [IPEndpoint], interface: String?, timeout: Double) -> ([IPEndpoint?], IPEndpoint?) {
        guard let socket = try? DatagramSocket(interface: interface) else { return (targets.map { _ in nil }, nil) }
        defer { socket.close() }
        // The source address the kernel picks toward the first server (connecting a UDP socket sends nothing).
        let source = targets.first.flatMap { try? UDPSocket(remote: $0, interface: interface) }
        let sourceAddress = source?.localEndpoint?.address
        source?.close()
        let local = socket.localEndpoint.flatMap { bound in sourceAddress.flatMap { IPEndpoint(address: $0, port: bound.port) } }
        let mappings = targets.map { binding(socket, to: $0, timeout: timeout) }
        return (mappings, local)
    }

    /// One binding request to `target`, retried twice within `timeout` seconds; the mapped address, nil when no
    /// answer came.
    static func binding(_ socket: DatagramSocket, to target: IPEndpoint, timeout: Double) -> IPEndpoint? {
        let transaction = [UInt8].randomTransaction()
        let request = STUNMessage.bindingRequest(transaction: transaction)
        for _ in 0..<3 {
            guard socket.send(request, to: target) == nil else { return nil }
            let start = ContinuousClock.now
            while true {
                let remaining = timeout / 3 - TURNTime.seconds(ContinuousClock.now - start)
                if remaining <= 0 { break }
                guard case .success(let datagram) = socket.receive(timeout: remaining) else { break }
                guard datagram.from.address == target.address, datagram.from.port == target.port,
                    let response = STUNMessage.parseResponse(datagram.bytes, transaction: transaction),
                    !response.isError, let address = response.mappedAddress, let port = response.mappedPort
                else { continue }
                return IPEndpoint(address: address, port: port)
            }
        }
        return nil
    }
}
