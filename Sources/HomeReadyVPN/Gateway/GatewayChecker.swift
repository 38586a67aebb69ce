import Foundation
import HomeReadyModel
import HomeReadyTransport
import Logging

/// Checks one gateway of the profile: resolution, then a probe per address in the gateway's own protocol.
struct GatewayChecker: Sendable {
    var options: VPNCheckOptions
    var logger: Logger

    func check(_ gateway: VPNGateway) async -> VPNResult {
        let timeout = gateway.timeoutSeconds ?? options.timeoutSeconds
        var result = VPNResult(
            name: gateway.name, host: gateway.host, port: gateway.port, transport: gateway.transport, state: .error)
        let resolution = await options.environment.resolve(gateway.host, timeout)
        result.dnsMs = rounded(resolution.elapsedMs)
        guard resolution.failure == nil, !resolution.addresses.isEmpty else {
            result.state = .dnsFailure
            result.detail = "\(gateway.host) did not resolve: \(resolution.failure ?? "no addresses")"
            result.remediation = VPNState.dnsFailure.remediation(for: gateway)
            return result
        }
        var details: [String] = []
        var addresses: [VPNAddressResult] = []
        for address in resolution.addresses {
            guard let endpoint = IPEndpoint(address: address, port: gateway.port) else { continue }
            let probed = await probe(gateway, endpoint: endpoint, timeout: timeout, firstTLS: result.tls == nil)
            addresses.append(VPNAddressResult(address: address, connectMs: probed.ms.map(rounded), state: probed.state))
            if let tls = probed.tls { result.tls = tls }
            details.append("\(endpoint): \(probed.detail)")
            logger.debug(
                "vpn.gateway.probed",
                metadata: [
                    "vpn.gateway": "\(gateway.name)", "vpn.address": "\(address)", "vpn.state": "\(probed.state)",
                ])
        }
        result.addresses = addresses
        // The gateway is as good as its best address; the others are reported per address.
        let best =
            addresses.first { $0.state == .reachable } ?? addresses.first { $0.state == .unverifiable }
            ?? addresses.first
        result.state = best?.state ?? .error
        result.connectMs = best?.connectMs
        result.detail = details.joined(separator: "; ")
        result.remediation = result.state.remediation(for: gateway)
        return result
    }

    private struct Probed {
        var state: VPNState
        var ms: Double?
        var detail: String
        var tls: TLSInspection?
    }

    private func probe(_ gateway: VPNGateway, endpoint: IPEndpoint, timeout: Double, firstTLS: Bool) async -> Probed {
        switch gateway.transport {
        case .tcp, .tls:
            let connect = await TCPConnection.connect(to: endpoint, timeout: timeout, interface: options.interface)
            guard connect.outcome == .connected, let connection = connect.connection else {
                let state = Self.state(for: connect.outcome)
                return Probed(
                    state: state, ms: nil, detail: Self.words(for: connect.outcome, timeout: timeout, tcp: true))
            }
            defer { connection.close() }
            guard gateway.transport == .tls else {
                return Probed(
                    state: .reachable, ms: connect.elapsedMs, detail: "TCP connect in \(Int(connect.elapsedMs)) ms")
            }
            guard firstTLS else {
                return Probed(
                    state: .reachable, ms: connect.elapsedMs, detail: "TCP connect (TLS inspected on the first address)"
                )
            }
            return await inspectTLS(gateway, connection: connection, connectMs: connect.elapsedMs, timeout: timeout)
        case .ikev2:
            var probed = await ikeProbe(endpoint, timeout: timeout, nonESP: gateway.port == 4500)
            if gateway.port == 500, probed.state == .reachable {
                // Behind a home NAT, IKE moves to UDP 4500 after IKE_SA_INIT: prove that port too.
                let natT = IPEndpoint(address: endpoint.address, port: 4500)!
                let second = await ikeProbe(natT, timeout: timeout, nonESP: true)
                probed.detail +=
                    second.state == .reachable
                    ? "; UDP 4500 (NAT traversal) answers too"
                    : "; UDP 4500 (NAT traversal) \(second.state.rawValue): the tunnel may not come up behind NAT"
            }
            return probed
        case .openvpnUDP:
            let session = [UInt8].random(count: 8)
            let (outcome, ms) = await udpExchange(
                endpoint, payload: OpenVPNMessage.clientHardReset(session: session), timeout: timeout
            ) { OpenVPNMessage.isServerResponse($0, session: session) }
            if case .received = outcome {
                return Probed(
                    state: .reachable, ms: ms,
                    detail: "OpenVPN answered the client hard reset"
                        + (gateway.tlsAuth
                            ? " (unexpected with tls-auth: the server accepts unauthenticated resets)" : ""))
            }
            if outcome == .timedOut, gateway.tlsAuth {
                return Probed(
                    state: .unverifiable, ms: nil,
                    detail: "no answer to the client hard reset within \(format(timeout)) s; the server uses "
                        + "tls-auth/tls-crypt and drops unauthenticated packets, so silence cannot tell an open port "
                        + "from a filtered one. Proven: the name resolves and no ICMP port unreachable came back")
            }
            return udpProbed(outcome, ms: ms, timeout: timeout, what: "the OpenVPN client hard reset")
        case .wireguard:
            if let handshake = await options.environment.wireGuardHandshakes()?.first(where: {
                $0.endpoint == endpoint.description
            }) {
                let age = Date().timeIntervalSince(handshake.latest)
                if age < 180 {
                    return Probed(
                        state: .reachable, ms: nil,
                        detail:
                            "interface \(handshake.interface) completed a handshake with this peer \(Int(age)) s ago")
                }
            }
            // WireGuard answers nothing without keys; a closed port still returns ICMP port unreachable.
            let (outcome, _) = await udpExchange(endpoint, payload: [0x00], timeout: min(timeout, 1.5)) { _ in false }
            if outcome == .refused || outcome == .unreachable {
                return udpProbed(outcome, ms: nil, timeout: timeout, what: "a probe datagram")
            }
            return Probed(
                state: .unverifiable, ms: nil,
                detail: "WireGuard answers only peers holding its keys: reachability cannot be proven without a "
                    + "configured interface with a recent handshake (none found). Proven: the name resolves and no ICMP "
                    + "port unreachable came back")
        }
    }

    private func ikeProbe(_ endpoint: IPEndpoint, timeout: Double, nonESP: Bool) async -> Probed {
        let spi = [UInt8].random(count: 8)
        let request = IKEv2Message.saInitRequest(spi: spi, nonESP: nonESP)
        let (outcome, ms) = await udpExchange(endpoint, payload: request, timeout: timeout) {
            IKEv2Message.parseResponse($0, spi: spi) != nil
        }
        if case .received(let data) = outcome, let response = IKEv2Message.parseResponse(data, spi: spi) {
            return Probed(state: .reachable, ms: ms, detail: response.summary + " on UDP \(endpoint.port)")
        }
        return udpProbed(outcome, ms: ms, timeout: timeout, what: "IKE_SA_INIT")
    }

    private func udpProbed(_ outcome: DatagramOutcome, ms: Double?, timeout: Double, what: String) -> Probed {
        switch outcome {
        case .received: return Probed(state: .reachable, ms: ms, detail: "answered \(what)")
        case .timedOut:
            return Probed(state: .filtered, ms: nil, detail: "no answer to \(what) within \(format(timeout)) s")
        case .refused: return Probed(state: .refused, ms: nil, detail: "ICMP port unreachable in reply to \(what)")
        case .unreachable: return Probed(state: .unreachable, ms: nil, detail: "no route (ICMP unreachable)")
        case .tooBig: return Probed(state: .error, ms: nil, detail: "the probe was too big for the local interface")
        case .failed(let reason): return Probed(state: .error, ms: nil, detail: reason)
        }
    }

    private func udpExchange(
        _ endpoint: IPEndpoint, payload: [UInt8], timeout: Double, accept: @escaping @Sendable ([UInt8]) -> Bool
    ) async -> (DatagramOutcome, Double?) {
        let interface = options.interface
        return await BlockingThread.run {
            do {
                let socket = try UDPSocket(remote: endpoint, interface: interface)
                defer { socket.close() }
                let start = ContinuousClock.now
                // Two tries within the timeout: one lost datagram is not a filtered port.
                let outcome = socket.exchange(payload, timeout: timeout / 2, attempts: 2, accept: accept)
                let elapsed = ContinuousClock.now - start
                let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
                if case .received = outcome { return (outcome, ms) }
                return (outcome, nil)
            } catch {
                return (.failed("\(error)"), nil)
            }
        }
    }

    private func inspectTLS(_ gateway: VPNGateway, connection: TCPConnection, connectMs: Double, timeout: Double) async
        -> Probed
    {
        do {
            let info = try await TLSInspector.inspect(
                connection,
                options: TLSInspectionOptions(serverName: gateway.host, caFile: gateway.caFile, timeout: timeout))
            let (state, detail) = TLSVerdict.classify(info, pin: gateway.pinSHA256, caFile: gateway.caFile)
            let expected = gateway.pinSHA256.flatMap(TLSVerdict.normalizedPin)
            let inspection = TLSInspection(
                protocolVersion: info.protocolVersion, cipher: info.cipher, verified: info.chainVerified,
                verifyError: info.verifyError, subject: info.leaf.subject, issuer: info.leaf.issuer,
                notAfter: info.leaf.notAfter.map { ISO8601DateFormatter().string(from: $0) },
                daysToExpiry: TLSVerdict.daysToExpiry(info.leaf.notAfter, now: Date()),
                hostnameMatches: info.hostnameMatches, spkiSHA256: info.leaf.spkiSHA256,
                pinMatches: expected.map { pin in ([info.leaf] + info.chain).contains { $0.spkiSHA256 == pin } },
                handshakeMs: rounded(info.handshakeMs))
            return Probed(
                state: state, ms: connectMs,
                detail: "\(info.protocolVersion) \(info.cipher) in \(Int(info.handshakeMs)) ms; \(detail)",
                tls: inspection)
        } catch {
            return Probed(
                state: .tlsHandshakeFailed, ms: connectMs, detail: "\(error)",
                tls: TLSInspection(verified: false, verifyError: "\(error)"))
        }
    }

    static func state(for outcome: ConnectOutcome) -> VPNState {
        switch outcome {
        case .connected: return .reachable
        case .refused: return .refused
        case .timedOut: return .filtered
        case .unreachable: return .unreachable
        case .failed: return .error
        }
    }

    static func words(for outcome: ConnectOutcome, timeout: Double, tcp: Bool) -> String {
        switch outcome {
        case .connected: return "connected"
        case .refused: return "connection refused (reset)"
        case .timedOut: return "no answer to the TCP handshake within \(format(timeout)) s"
        case .unreachable: return "no route (ICMP unreachable)"
        case .failed(let reason): return reason
        }
    }
}

func rounded(_ value: Double) -> Double { (value * 100).rounded() / 100 }

func format(_ seconds: Double) -> String {
    seconds.rounded() == seconds ? String(Int(seconds)) : String((seconds * 10).rounded() / 10)
}
