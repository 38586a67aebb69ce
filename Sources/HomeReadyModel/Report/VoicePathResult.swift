/// What the voice-path checks saw, as a softphone would meet the network: SIP passing the home router, the SBCs,
/// the TURN relays and the NAT type. Raw figures and states only: the judge turns them into findings.
public struct VoicePathResult: Codable, Sendable, Equatable {
    /// Whether a SIP ALG rewrote SIP on its way to the mirror, per transport.
    public var sipALG: SIPALGResult?
    /// One result per SBC of the profile, in the profile's order.
    public var sbc: [SBCResult]?
    /// One result per TURN relay and transport of the profile, in the profile's order.
    public var turn: [TURNResult]?
    /// The NAT's mapping behaviour, told from two STUN servers.
    public var natType: NATTypeResult?

    public init(sipALG: SIPALGResult? = nil, sbc: [SBCResult]? = nil, turn: [TURNResult]? = nil, natType: NATTypeResult? = nil) {
        self.sipALG = sipALG
        self.sbc = sbc
        self.turn = turn
        self.natType = natType
    }

    enum CodingKeys: String, CodingKey {
        case sipALG = "sip_alg"
        case sbc, turn
        case natType = "nat_type"
    }
}

/// SIP ALG detection: the agent sends a request carrying its private addresses to a mirror that answers with the
/// request exactly as it arrived, and compares.
public struct SIPALGResult: Codable, Sendable, Equatable {
    /// The mirror asked, `host:port`.
    public var mirror: String
    public var udp: SIPALGProbe?
    public var tcp: SIPALGProbe?

    public init(mirror: String, udp: SIPALGProbe? = nil, tcp: SIPALGProbe? = nil) {
        self.mirror = mirror
        self.udp = udp
        self.tcp = tcp
    }
}

/// What one transport's mirror exchange showed.
public struct SIPALGProbe: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable {
        /// Something on the way rewrote the request.
        case detected
        /// The request arrived exactly as sent.
        case notDetected = "not_detected"
        /// The mirror did not answer.
        case noAnswer = "no_answer"
    }

    public var state: State
    /// The fields found rewritten, e.g. `Via`, `Contact`, `sdp.c`, `sdp.o`, `Content-Length`.
    public var rewrittenFields: [String]
    public var rttMs: Double?

    public init(state: State, rewrittenFields: [String] = [], rttMs: Double? = nil) {
        self.state = state
        self.rewrittenFields = rewrittenFields
        self.rttMs = rttMs
    }

    enum CodingKeys: String, CodingKey {
        case state
        case rewrittenFields = "rewritten_fields"
        case rttMs = "rtt_ms"
    }
}

/// A SIP OPTIONS exchange with one SBC.
public struct SBCResult: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable {
        /// A SIP response came back (any status: the SBC is there).
        case reachable
        /// No response within the time limit.
        case noAnswer = "no_answer"
        /// The connection was refused or reset (TCP, TLS).
        case refused
        /// The TLS handshake failed (certificate or protocol).
        case tlsFailure = "tls_failure"
        /// The host name did not resolve.
        case dnsFailure = "dns_failure"
    }

    public var host: String
    public var port: Int
    public var transport: SIPTransport
    public var required: Bool
    public var state: State
    public var rttMs: Double?
    /// The SIP status code of the answer, e.g. 200.
    public var statusCode: Int?
    /// The address the SBC saw the request come from (`received` on the top Via), and the port (`rport`).
    public var received: String?
    public var rport: Int?
    /// The public address and port STUN saw for the same computer, to compare with `received`/`rport`.
    public var stunMapped: String?
    /// False when the SBC saw another public address than STUN did (a second NAT, a proxy or an ALG in the way).
    public var matchesSTUN: Bool?

    public init(
        host: String, port: Int, transport: SIPTransport, required: Bool = true, state: State, rttMs: Double? = nil,
        statusCode: Int? = nil, received: String? = nil, rport: Int? = nil, stunMapped: String? = nil,
        matchesSTUN: Bool? = nil
    ) {
        self.host = host
        self.port = port
        self.transport = transport
        self.required = required
        self.state = state
        self.rttMs = rttMs
        self.statusCode = statusCode
        self.received = received
        self.rport = rport
        self.stunMapped = stunMapped
        self.matchesSTUN = matchesSTUN
    }

    enum CodingKeys: String, CodingKey {
        case host, port, transport, required, state
        case rttMs = "rtt_ms"
        case statusCode = "status_code"
        case received, rport
        case stunMapped = "stun_mapped"
        case matchesSTUN = "matches_stun"
    }
}

/// A TURN allocation on one relay over one transport, and a short stream relayed back to this computer.
public struct TURNResult: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable {
        /// The relay granted an allocation and relayed the stream.
        case allocated
        /// No answer (UDP filtered, TCP/TLS port closed or dropped).
        case noAnswer = "no_answer"
        /// The relay refused the credentials.
        case authFailed = "auth_failed"
        /// The relay answered with another error, e.g. 486 allocation quota reached.
        case refused
        /// The TLS handshake failed.
        case tlsFailure = "tls_failure"
        case dnsFailure = "dns_failure"
        /// No TURN credentials were available (no inventory server to hand them out).
        case noCredentials = "no_credentials"
    }

    public var host: String
    public var port: Int
    public var transport: TURNTransport
    public var state: State
    /// The relayed transport address the relay allocated.
    public var relayedAddress: String?
    /// Round trip through the relay and back, median of the stream.
    public var relayRTTMs: Double?
    public var lossPercent: Double?
    public var probesSent: Int?
    /// The relay's error code and reason, when it refused.
    public var error: String?

    public init(
        host: String, port: Int, transport: TURNTransport, state: State, relayedAddress: String? = nil,
        relayRTTMs: Double? = nil, lossPercent: Double? = nil, probesSent: Int? = nil, error: String? = nil
    ) {
        self.host = host
        self.port = port
        self.transport = transport
        self.state = state
        self.relayedAddress = relayedAddress
        self.relayRTTMs = relayRTTMs
        self.lossPercent = lossPercent
        self.probesSent = probesSent
        self.error = error
    }

    enum CodingKeys: String, CodingKey {
        case host, port, transport, state
        case relayedAddress = "relayed_address"
        case relayRTTMs = "relay_rtt_ms"
        case lossPercent = "loss_percent"
        case probesSent = "probes_sent"
        case error
    }
}

/// The NAT's mapping behaviour (RFC 4787): whether one local port keeps one public mapping toward every server.
public struct NATTypeResult: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        /// No NAT: the public address is this computer's own.
        case open
        /// Endpoint-independent mapping: the same public address and port toward every server.
        case cone
        /// A new public port (or address) per server: peer-to-peer media fails, calls need a TURN relay.
        case symmetric
        /// Fewer than two STUN servers answered.
        case unknown
    }

    public var type: Kind
    /// The public `address:port` each STUN server saw for the same local port, in the order asked.
    public var mappings: [String]

    public init(type: Kind, mappings: [String] = []) {
        self.type = type
        self.mappings = mappings
    }
}
