import Foundation
import HomeReadyModel
import HomeReadyTransport
import Logging

/// SIP ALG detection against the server's SIP mirror (`homeready-server serve --sip-port`).
///
/// Over UDP, then TCP: an INVITE carrying this computer's own (private) address and port in the Via, From and
/// Contact and in the SDP `o=`/`c=` lines goes to the mirror, which answers `488 Not Acceptable Here` with the
/// request exactly as it arrived (base64 `message/sip` body, `SIPMirrorBody`). Any difference is a rewrite by
/// something on the way, a SIP ALG in the home router as a rule. The agent then ACKs the 488, so no call and no
/// dialog is left on either side.
enum SIPALGCheck {
    static func run(options: VoicePathCheckOptions, progress: @escaping ProgressHandler, logger: Logger) async -> SIPALGResult? {
        guard let (host, port) = await mirror(options, logger: logger) else { return nil }
        progress(CheckProgress(phase: "voice.sip_alg", message: "Checking whether the router rewrites SIP (SIP ALG)"))
        let label = SIPProbeRequest.uriHost(host) + ":\(port)"
        let resolution = await HostResolver.resolve(host, timeout: options.timeoutSeconds)
        guard let address = resolution.addresses.first, let endpoint = IPEndpoint(address: address, port: port) else {
            logger.debug("voice.sip_alg.dns", metadata: ["sip.mirror": "\(label)", "error": "\(resolution.failure ?? "")"])
            return SIPALGResult(mirror: label, udp: SIPALGProbe(state: .noAnswer), tcp: SIPALGProbe(state: .noAnswer))
        }
        var result = SIPALGResult(mirror: label)
        result.udp = await probe(.udp, endpoint: endpoint, host: host, options: options, logger: logger)
        result.tcp = await probe(.tcp, endpoint: endpoint, host: host, options: options, logger: logger)
        return result
    }

    /// The mirror to ask: `--sip-mirror`, else the `sip_port` the server's `/speed/info` announces.
    static func mirror(_ options: VoicePathCheckOptions, logger: Logger) async -> (String, Int)? {
        if let host = options.sipMirrorHost { return (host, options.sipMirrorPort ?? 5060) }
        guard let server = options.serverURL else { return nil }
        let base = server.absoluteString.hasSuffix("/") ? String(server.absoluteString.dropLast()) : server.absoluteString
        var request = HTTPRequest(url: base + "/speed/info")
        request.timeoutSeconds = min(options.timeoutSeconds * 2, 8)
        request.keepBodyPrefixBytes = 64 * 1024
        if let interface = options.interface { request.interface = interface }
        guard let response = try? await HTTPClient.perform(request, cancellation: nil), response.statusCode == 200,
            let info = try? JSONDecoder().decode(SIPMirrorInfo.self, from: Data(response.bodyPrefix)),
            let sipPort = info.sipPort, let host = URLComponents(string: base)?.host
        else {
            logger.debug("voice.sip_alg.no_mirror", metadata: ["sip.server": "\(base)"])
            return nil
        }
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        return (bare, sipPort)
    }

    /// One transport's exchange with the mirror.
    static func probe(
        _ transport: SIPTransport, endpoint: IPEndpoint, host: String, options: VoicePathCheckOptions, logger: Logger
    ) async -> SIPALGProbe {
        let timeout = options.timeoutSeconds
        let interface = options.interface
        let probe: SIPALGProbe
        switch transport {
        case .udp:
            probe = await BlockingThread.run { () -> SIPALGProbe in
                guard let socket = try? UDPSocket(remote: endpoint, interface: interface), let local = socket.localEndpoint
                else { return SIPALGProbe(state: .noAnswer) }
                defer { socket.close() }
                let invite = SIPProbeRequest.invite(
                    transport: .udp, local: local, host: host, port: endpoint.port, identity: .random())
                let outcome = SIPWire.udp(socket, request: invite, timeout: timeout)
                if case .answered(let response, _, _) = outcome {
                    _ = socket.send(SIPProbeRequest.ack(for: invite, response: response).serialized())
                }
                return judge(invite: invite, outcome: outcome)
            }
        case .tcp, .tls:
            let start = ContinuousClock.now
            let connected = await TCPConnection.connect(to: endpoint, timeout: timeout, interface: interface)
            guard let connection = connected.connection, let local = connection.localEndpoint else {
                return SIPALGProbe(state: .noAnswer)
            }
            probe = await BlockingThread.run { () -> SIPALGProbe in
                defer { connection.close() }
                let invite = SIPProbeRequest.invite(
                    transport: .tcp, local: local, host: host, port: endpoint.port, identity: .random())
                let outcome = SIPWire.stream(connection, request: invite, timeout: timeout, startedAt: start)
                if case .answered(let response, _, _) = outcome {
                    try? connection.writeAll(SIPProbeRequest.ack(for: invite, response: response).serialized(), timeout: 1)
                }
                return judge(invite: invite, outcome: outcome)
            }
        }
        logger.debug(
            "voice.sip_alg.probe",
            metadata: [
                "sip.transport": "\(transport.rawValue)", "sip.state": "\(probe.state.rawValue)",
                "sip.rewritten": "\(probe.rewrittenFields.joined(separator: ","))",
            ])
        return probe
    }

    /// What the mirror's answer says about the path. An answer without a readable mirror body counts as no
    /// answer from the mirror (something else answered, or an ALG mangled it beyond reading).
    static func judge(invite: SIPMessage, outcome: SIPExchangeOutcome) -> SIPALGProbe {
        guard case .answered(let response, _, let rtt) = outcome else { return SIPALGProbe(state: .noAnswer) }
        let rttMs = (rtt * 100).rounded() / 100
        guard let mirrored = SIPMirrorBody.mirroredRequest(in: response), let received = try? SIPMessage.parse(mirrored)
        else { return SIPALGProbe(state: .noAnswer, rttMs: rttMs) }
        let fields = SIPMirrorDiff.rewrittenFields(sent: invite, received: received, receivedBytes: mirrored)
        return SIPALGProbe(state: fields.isEmpty ? .notDetected : .detected, rewrittenFields: fields, rttMs: rttMs)
    }
}

/// The part of `/speed/info` the SIP ALG check reads.
struct SIPMirrorInfo: Decodable {
    var sipPort: Int?

    enum CodingKeys: String, CodingKey {
        case sipPort = "sip_port"
    }
}
