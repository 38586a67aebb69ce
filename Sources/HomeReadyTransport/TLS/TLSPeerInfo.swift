import Foundation

/// What a certificate says, in plain values.
public struct CertificateSummary: Sendable, Equatable {
    /// Subject distinguished name, RFC 2253 (`CN=gw.example.com,O=Example`).
    public var subject: String
    /// Issuer distinguished name, RFC 2253.
    public var issuer: String
    public var notBefore: Date?
    public var notAfter: Date?
    /// SHA-256 of the DER SubjectPublicKeyInfo, lowercase hex (what `openssl x509 -pubkey | openssl pkey -pubin
    /// -outform der | sha256sum` prints, and what SPKI pins name).
    public var spkiSHA256: String
    /// SHA-256 of the whole DER certificate, lowercase hex (`openssl x509 -fingerprint -sha256`).
    public var fingerprintSHA256: String
    /// Subject and issuer are the same name (a self-signed or self-issued certificate).
    public var isSelfIssued: Bool

    /// Creates a summary.
    public init(
        subject: String, issuer: String, notBefore: Date?, notAfter: Date?, spkiSHA256: String,
        fingerprintSHA256: String, isSelfIssued: Bool
    ) {
        self.subject = subject
        self.issuer = issuer
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.spkiSHA256 = spkiSHA256
        self.fingerprintSHA256 = fingerprintSHA256
        self.isSelfIssued = isSelfIssued
    }
}

/// Why a certificate chain did not verify, grouped by what it means to a person.
public enum ChainProblem: String, Sendable, Equatable {
    /// The chain does not lead to a trusted CA (self-signed, unknown issuer, untrusted root).
    case untrustedIssuer = "untrusted_issuer"
    /// A certificate of the chain has expired.
    case expired
    /// A certificate of the chain is not valid yet (a clock far behind, or a certificate dated ahead).
    case notYetValid = "not_yet_valid"
    /// Any other verification failure (bad signature, wrong purpose, malformed).
    case other
}

/// What a TLS handshake with a peer showed.
public struct TLSPeerInfo: Sendable, Equatable {
    /// `TLSv1.3`, `TLSv1.2`, ...
    public var protocolVersion: String
    /// The negotiated cipher suite, OpenSSL's name.
    public var cipher: String
    /// From the first ClientHello to the finished handshake.
    public var handshakeMs: Double
    /// The peer's own certificate.
    public var leaf: CertificateSummary
    /// The chain as sent by the peer, leaf first.
    public var chain: [CertificateSummary]
    /// OpenSSL's verification result (`X509_V_*`), 0 when the chain verified against the trust store.
    public var verifyCode: Int
    /// OpenSSL's words for `verifyCode`, nil when it verified.
    public var verifyError: String?
    /// What the verification failure means, nil when it verified.
    public var chainProblem: ChainProblem?
    /// Whether the leaf certificate names the host (DNS name or IP address); nil when no name was given.
    public var hostnameMatches: Bool?

    /// Whether the chain verified against the trust store (system store or the given CA file).
    public var chainVerified: Bool { verifyCode == 0 }

    /// Creates an inspection result.
    public init(
        protocolVersion: String, cipher: String, handshakeMs: Double, leaf: CertificateSummary,
        chain: [CertificateSummary], verifyCode: Int, verifyError: String?, chainProblem: ChainProblem?,
        hostnameMatches: Bool?
    ) {
        self.protocolVersion = protocolVersion
        self.cipher = cipher
        self.handshakeMs = handshakeMs
        self.leaf = leaf
        self.chain = chain
        self.verifyCode = verifyCode
        self.verifyError = verifyError
        self.chainProblem = chainProblem
        self.hostnameMatches = hostnameMatches
    }
}

/// How to inspect a TLS peer.
public struct TLSInspectionOptions: Sendable {
    /// Sent as SNI (when a DNS name) and checked against the certificate (DNS name or IP literal).
    public var serverName: String?
    /// A PEM bundle of trusted CAs replacing the system store; nil uses the system store.
    public var caFile: String?
    /// Seconds for the whole handshake.
    public var timeout: Double

    /// Creates options.
    public init(serverName: String? = nil, caFile: String? = nil, timeout: Double = 5) {
        self.serverName = serverName
        self.caFile = caFile
        self.timeout = timeout
    }
}
