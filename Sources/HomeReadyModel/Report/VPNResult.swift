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

    public init(
        name: String, host: String, port: Int, transport: VPNTransport, state: VPNState,
        connectMs: Double? = nil, dnsMs: Double? = nil, addresses: [VPNAddressResult]? = nil,
        tls: TLSInspection? = nil, detail: String? = nil, remediation: String? = nil
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
    }

    enum CodingKeys: String, CodingKey {
        case name, host, port, transport, state
        case connectMs = "connect_ms"
        case dnsMs = "dns_ms"
        case addresses, tls, detail, remediation
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
    case reachable
    case refused
    case filtered
    case dnsFailure = "dns_failure"
    case tlsUntrusted = "tls_untrusted"
    case tlsExpired = "tls_expired"
    case tlsNameMismatch = "tls_name_mismatch"
    case tlsIntercepted = "tls_intercepted"
    case tlsPinMismatch = "tls_pin_mismatch"
    case tlsHandshakeFailed = "tls_handshake_failed"
    /// The gateway is silent by design (tls-auth, tls-crypt, WireGuard): reachability cannot be proven.
    case unverifiable
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
