import HomeReadyModel
import HomeReadyTransport
import HomeReadyVPN
import Logging

/// SIP OPTIONS to the profile's SBCs, as the softphone's keep-alive: reachable or not, round trip, status code,
/// and the `received`/`rport` the SBC saw (the request asks for `rport`, RFC 3581) against the STUN mapping.
///
/// Over UDP the STUN binding leaves from the same local address and port the OPTIONS used (the SIP socket is
/// closed, then a socket is bound to its port), so an endpoint-independent NAT shows the SBC and STUN the same
/// public address and port; over TCP and TLS only the address is compared (STUN runs over UDP).
enum SBCCheck {
    static func run(
        _ sbcs: [SBCEndpoint], stunServers: [STUNServer], options: VoicePathCheckOptions,
        progress: @escaping ProgressHandler, logger: Logger
    ) async -> [SBCResult]? {
        guard !sbcs.isEmpty else { return nil }
        var results: [SBCResult] = []
        for sbc in sbcs {
            progress(
                CheckProgress(
                    phase: "voice.sbc", message: "Asking SBC \(sbc.host):\(sbc.port) (\(sbc.transport.rawValue)) with SIP OPTIONS"))
            results.append(await check(sbc, stunServers: stunServers, options: options, logger: logger))
        }
        return results
    }

    static func check(_ sbc: SBCEndpoint, stunServers: [STUNServer], options: VoicePathCheckOptions, logger: Logger) async
        -> SBCResult
    {
        var result = SBCResult(host: sbc.host, port: sbc.port, transport: sbc.transport, required: sbc.required, state: .noAnswer)
        let resolution = await HostResolver.resolve(sbc.host, timeout: options.timeoutSeconds)
        guard let address = resolution.addresses.first, let endpoint = IPEndpoint(address: address, port: sbc.port) else {
            result.state = .dnsFailure
            return result
        }
        let stun = await resolveSTUN(stunServers, timeout: options.timeoutSeconds)
        let timeout = options.timeoutSeconds
        let interface = options.interface
        var mapping: (address: String, port: Int)?
        var sameSocket = false
        let outcome: SIPExchangeOutcome
        switch sbc.transport {
        case .udp:
            let measured = await BlockingThread.run { () -> (SIPExchangeOutcome, (String, Int)?) in
                guard let socket = try? UDPSocket(remote: endpoint, interface: interface), let local = socket.localEndpoint
                else { return (.failed("cannot open a UDP socket"), nil) }
                let request = SIPProbeRequest.options(
                    transport: .udp, local: local, host: sbc.host, port: sbc.port, identity: .random())
                let outcome = SIPWire.udp(socket, request: request, timeout: timeout)
                socket.close()
                let mapped = stunMapping(stun, localAddress: local.address, localPort: local.port, interface: interface, timeout: timeout)
                return (outcome, mapped)
            }
            outcome = measured.0
            mapping = measured.1
            sameSocket = mapping != nil
        case .tcp, .tls:
            let start = ContinuousClock.now
            let connected = await TCPConnection.connect(to: endpoint, timeout: timeout, interface: interface)
            switch connected.outcome {
            case .connected: break
            case .refused: result.state = .refused
            default: result.state = .noAnswer
            }
            guard let connection = connected.connection, let local = connection.localEndpoint else { return result }
            let insecure = options.insecureTLS
            let transport = sbc.transport
            let exchanged = await BlockingThread.run { () -> Result<SIPExchangeOutcome, SocketError> in
                let stream: any ByteStream
                if transport == .tls {
                    do throws(SocketError) {
                        stream = try TLSStream.connect(
                            over: connection, options: TLSStreamOptions(serverName: sbc.host, insecure: insecure, timeout: timeout))
                    } catch {
                        connection.close()
                        return .failure(error)
                    }
                } else {
                    stream = connection
                }
                defer { stream.close() }
                let request = SIPProbeRequest.options(
                    transport: transport, local: local, host: sbc.host, port: sbc.port, identity: .random())
                return .success(SIPWire.stream(stream, request: request, timeout: timeout, startedAt: start))
            }
            switch exchanged {
            case .success(let value): outcome = value
            case .failure(let error):
                logger.debug("voice.sbc.tls", metadata: ["sbc.host": "\(sbc.host)", "error": "\(error.message)"])
                result.state = .tlsFailure
                return result
            }
            mapping = await BlockingThread.run {
                stunMapping(stun, localAddress: nil, localPort: 0, interface: interface, timeout: timeout)
            }
        }
        switch outcome {
        case .answered(let response, _, let rtt):
            result.state = .reachable
            result.rttMs = (rtt * 100).rounded() / 100
            result.statusCode = response.statusCode
            let via = response.topVia
            result.received = via?.received
            result.rport = via?.rport
        case .noAnswer: result.state = .noAnswer
        case .refused: result.state = .refused
        case .failed(let words):
            logger.debug("voice.sbc.failed", metadata: ["sbc.host": "\(sbc.host)", "error": "\(words)"])
            result.state = .noAnswer
        }
        if let mapping {
            result.stunMapped = SIPProbeRequest.uriHost(mapping.address) + ":\(mapping.port)"
            result.matchesSTUN = matches(
                received: result.received, rport: result.rport, mapping: mapping, comparePort: sameSocket)
        }
        logger.debug(
            "voice.sbc.result",
            metadata: [
                "sbc.host": "\(sbc.host)", "sbc.state": "\(result.state.rawValue)",
                "sbc.received": "\(result.received ?? "-")", "sbc.stun": "\(result.stunMapped ?? "-")",
            ])
        return result
    }

    /// Whether the SBC saw the public address (and, from the same socket, the port) STUN saw; nil when the SBC
    /// said neither.
    static func matches(received: String?, rport: Int?, mapping: (address: String, port: Int), comparePort: Bool) -> Bool? {
        guard let received else { return nil }
        let sameAddress = (IPEndpoint.canonical(received) ?? received) == (IPEndpoint.canonical(mapping.address) ?? mapping.address)
        guard comparePort, let rport else { return sameAddress }
        return sameAddress && rport == mapping.port
    }

    /// The profile's STUN servers that resolve, in order.
    static func resolveSTUN(_ servers: [STUNServer], timeout: Double) async -> [IPEndpoint] {
        var endpoints: [IPEndpoint] = []
        for server in servers {
            let resolution = await HostResolver.resolve(server.host, timeout: timeout)
            if let address = resolution.addresses.first(where: { !$0.contains(":") }) ?? resolution.addresses.first,
                let endpoint = IPEndpoint(address: address, port: server.port)
            {
                endpoints.append(endpoint)
            }
        }
        return endpoints
    }

    /// The public address and port the first answering STUN server saw for a socket bound to `localAddress`
    /// and `localPort` (any when nil/0). Blocking.
    static func stunMapping(
        _ servers: [IPEndpoint], localAddress: String?, localPort: Int, interface: String?, timeout: Double
    ) -> (address: String, port: Int)? {
        for server in servers {
            let family = server.isIPv6
            guard
                let socket = try? DatagramSocket(
                    ipv6: family, localAddress: localAddress.flatMap { $0.contains(":") == family ? $0 : nil },
                    localPort: localPort, interface: interface)
            else { continue }
            defer { socket.close() }
            let transaction = (0..<12).map { _ in UInt8.random(in: 0...255) }
            let request = STUNMessage.bindingRequest(transaction: transaction)
            for _ in 0..<3 {
                guard socket.send(request, to: server) == nil else { break }
                let start = ContinuousClock.now
                while SIPWire.seconds(since: start) < timeout / 3 {
                    guard case .success(let datagram) = socket.receive(timeout: timeout / 3 - SIPWire.seconds(since: start))
                    else { break }
                    if let response = STUNMessage.parseResponse(datagram.bytes, transaction: transaction),
                        let address = response.mappedAddress, let port = response.mappedPort
                    {
                        return (address, port)
                    }
                }
            }
        }
        return nil
    }
}
