/// The result of checking one VPN gateway of the profile.
public struct VPNResult: Codable, Sendable, Equatable {
    public var name: String
    public var host: String
    public var port: Int
    public var transport: VPNTransport
    public var state: VPNState
    public var connectMs: Double?
    public var dnsMs: Double?
    /// Every address the name resolved to, with its own connect time.
    public var addresses: [VPNAddressResult]?
    public var tls: TLSInspection?
    /// What was and was not proven, in words.
    public var detail: String?
    public var remediation: String?
    /// The largest packet (IP header included) that crossed the path with don't-fragment set, toward the
    /// gateway or the UDP echo responder standing in for it; nil when not measured.
    public var pathMTUBytes: Int?
    /// The smallest path MTU that carries this VPN's outer headers plus a voice packet.
    public var requiredMTUBytes: Int?

    public init(
        name: String, host: String, port: Int, transport: VPNTransport, state: VPNState,
        connectMs: Double? = nil, dnsMs: Double? = nil, addresses: [VPNAddressResult]? = nil,
        tls: TLSInspection? = nil, detail: String? = nil, remediation: String? = nil, pathMTUBytes: Int? = nil,
        requiredMTUBytes: Int? = nil
    ) {
        self.name = name
        self.host = host
        self.port = port
        self.transport = transport
        self.state = state
        self.connectMs = connectMs
        self.dnsMs = dnsMs
        self.addresses = addresses
        self.tls = tls
        self.detail = detail
        self.remediation = remediation
        self.pathMTUBytes = pathMTUBytes
        self.requiredMTUBytes = requiredMTUBytes
    }

    enum CodingKeys: String, CodingKey {
        case name, host, port, transport, state
        case connectMs = "connect_ms"
        case dnsMs = "dns_ms"
        case addresses, tls, detail, remediation
        case pathMTUBytes = "path_mtu_bytes"
        case requiredMTUBytes = "required_mtu_bytes"
    }
}

/// One resolved address of a gateway.
public struct VPNAddressResult: Codable, Sendable, Equatable {
    public var address: String
    public var connectMs: Double?
    public var state: VPNState

    public init(address: String, connectMs: Double? = nil, state: VPNState) {
        self.address = address
        self.connectMs = connectMs
        self.state = state
    }

    enum CodingKeys: String, CodingKey {
        case address
        case connectMs = "connect_ms"
        case state
    }
}

/// How a gateway is reached.
public enum VPNTransport: String, Codable, Sendable, CaseIterable {
    case tls, tcp, ikev2
    case openvpnUDP = "openvpn-udp"
    case wireguard
}

/// The closed set of gateway states, documented with remediations in `docs/vpn.md`.
public enum VPNState: String, Codable, Sendable, CaseIterable {
    /// The gateway answered in its own protocol (TCP handshake, trusted TLS, an IKE or OpenVPN response, or a
    /// recent WireGuard handshake).
    case reachable
    /// A reset or ICMP port unreachable came back: the host is reachable but nothing listens on the port.
    case refused
    /// Nothing came back within the timeout: a firewall drops the packets on the way.
    case filtered
    /// No route to the gateway: ICMP host or network unreachable, or no local route.
    case unreachable
    /// The gateway's name did not resolve.
    case dnsFailure = "dns_failure"
    /// The certificate chain does not lead to a trusted CA and the profile gives nothing to compare it with.
    case tlsUntrusted = "tls_untrusted"
    /// The gateway's certificate has expired (or is not valid yet).
    case tlsExpired = "tls_expired"
    /// The certificate is trusted but does not name the gateway's host.
    case tlsNameMismatch = "tls_name_mismatch"
    /// Something between the agent and the gateway presented its own certificate: the chain is signed by an
    /// unknown CA while the profile pins the real key or names the real CA.
    case tlsIntercepted = "tls_intercepted"
    /// The chain is trusted but its key differs from the profile's pin.
    case tlsPinMismatch = "tls_pin_mismatch"
    /// The TLS handshake did not complete (not TLS, alert, or cut).
    case tlsHandshakeFailed = "tls_handshake_failed"
    /// The gateway is silent by design (tls-auth, tls-crypt, WireGuard): reachability cannot be proven.
    case unverifiable
    /// HomeReady itself failed to probe (local error).
    case error
}

/// What a TLS handshake showed.
public struct TLSInspection: Codable, Sendable, Equatable {
    public var protocolVersion: String?
    public var cipher: String?
    public var verified: Bool
    public var verifyError: String?
    public var subject: String?
    public var issuer: String?
    public var notAfter: String?
    public var daysToExpiry: Int?
    public var hostnameMatches: Bool?
    public var spkiSHA256: String?
    public var pinMatches: Bool?
    public var handshakeMs: Double?

    public init(
        protocolVersion: String? = nil, cipher: String? = nil, verified: Bool, verifyError: String? = nil,
        subject: String? = nil, issuer: String? = nil, notAfter: String? = nil, daysToExpiry: Int? = nil,
        hostnameMatches: Bool? = nil, spkiSHA256: String? = nil, pinMatches: Bool? = nil, handshakeMs: Double? = nil
    ) {
        self.protocolVersion = protocolVersion
        self.cipher = cipher
        self.verified = verified
        self.verifyError = verifyError
        self.subject = subject
        self.issuer = issuer
        self.notAfter = notAfter
        self.daysToExpiry = daysToExpiry
        self.hostnameMatches = hostnameMatches
        self.spkiSHA256 = spkiSHA256
        self.pinMatches = pinMatches
        self.handshakeMs = handshakeMs
    }

    enum CodingKeys: String, CodingKey {
        case protocolVersion = "protocol_version"
        case cipher, verified
        case verifyError = "verify_error"
        case subject, issuer
        case notAfter = "not_after"
        case daysToExpiry = "days_to_expiry"
        case hostnameMatches = "hostname_matches"
        case spkiSHA256 = "spki_sha256"
        case pinMatches = "pin_matches"
        case handshakeMs = "handshake_ms"
    }
}
