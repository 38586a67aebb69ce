/// The softphone's servers, from a profile's `voice:` section: where calls are signalled (SBCs) and relayed (TURN).
public struct VoicePathSettings: Codable, Sendable, Equatable {
    /// The session border controllers the softphone registers with, in the profile's order.
    public var sbc: [SBCEndpoint]
    /// The TURN relays the softphone falls back to when UDP media is blocked.
    public var turn: [TURNEndpoint]

    public init(sbc: [SBCEndpoint] = [], turn: [TURNEndpoint] = []) {
        self.sbc = sbc
        self.turn = turn
    }

    public var isEmpty: Bool { sbc.isEmpty && turn.isEmpty }
}

/// How SIP reaches a server.
public enum SIPTransport: String, Codable, Sendable, CaseIterable {
    case udp, tcp, tls

    /// The usual SIP port of the transport (5060, or 5061 for TLS).
    public var defaultPort: Int { self == .tls ? 5061 : 5060 }
}

/// One session border controller the softphone talks SIP to.
public struct SBCEndpoint: Codable, Sendable, Equatable {
    public var host: String
    public var port: Int
    public var transport: SIPTransport
    /// A failed required SBC fails the voice path; an optional one only warns.
    public var required: Bool

    public init(host: String, port: Int? = nil, transport: SIPTransport = .udp, required: Bool = true) {
        self.host = host
        self.port = port ?? transport.defaultPort
        self.transport = transport
        self.required = required
    }
}

/// How a TURN client reaches the relay.
public enum TURNTransport: String, Codable, Sendable, CaseIterable {
    case udp, tcp, tls

    /// The usual port: 3478 for UDP and TCP, 443 for TLS (it passes most firewalls).
    public var defaultPort: Int { self == .tls ? 443 : 3478 }
}

/// One TURN relay, reached over one transport. Credentials are never in the profile: the inventory server hands
/// out short-lived TURN REST credentials (docs/selftest.md).
public struct TURNEndpoint: Codable, Sendable, Equatable {
    public var host: String
    public var port: Int
    public var transport: TURNTransport

    public init(host: String, port: Int? = nil, transport: TURNTransport = .udp) {
        self.host = host
        self.port = port ?? transport.defaultPort
        self.transport = transport
    }
}
