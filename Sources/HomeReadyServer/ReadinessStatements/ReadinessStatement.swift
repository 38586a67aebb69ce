import Crypto
import Foundation
import HomeReadyModel

/// The claims of a readiness statement: the server-judged readiness of one agent at one moment, for a
/// contact-center platform or identity provider to gate sign-in or call routing (issue 20, point 6).
///
/// On the wire it is the payload of a JWT (RFC 7519) signed as a compact JWS with `alg: EdDSA` over Ed25519
/// (RFC 8037), so any JOSE library verifies it with the server's published key (`GET /api/v1/readiness-key`).
/// Standard claims: `iss`, `sub` (the agent id), `iat`, `exp` (seconds since 1970), `jti`; the rest are HomeReady's.
public struct ReadinessClaims: Codable, Sendable, Equatable {
    /// Who issued it: `homeready-server`, or the server's `--public-url` when set.
    public var issuer: String
    /// The agent's id (also `agent_id`).
    public var subject: String
    /// The agent's id.
    public var agentId: String
    /// The agent's employee id (what a platform usually knows the agent by).
    public var employeeId: String
    /// The agent's campaign; nil (absent) when the agent has none.
    public var campaignId: String?
    /// The server's readiness status (`Readiness.evaluate`, the figure planners count), never the agent's claim.
    public var status: ReadinessStatus
    /// Whether `status` is `ready`: the one bit a gate needs.
    public var ready: Bool
    /// What the status rests on: `cli` (the full check) or `browser` (the self-test page); absent before any report.
    public var evidence: ReportSource?
    /// The stable codes of the reasons behind the status (`report.stale`, `equipment.missing.usb_headset`, …).
    public var reasons: [String]
    /// The report the status rests on; absent before any report.
    public var reportId: String?
    /// When that report's check finished, in seconds since 1970.
    public var reportAt: Int64?
    /// When the statement was issued, in seconds since 1970.
    public var issuedAt: Int64
    /// When the statement stops counting, in seconds since 1970.
    public var expiresAt: Int64
    /// The signing key's id (the RFC 7638 thumbprint of its JWK), also in the JWS header.
    public var keyId: String
    /// A unique id of this statement.
    public var statementId: String

    enum CodingKeys: String, CodingKey {
        case issuer = "iss", subject = "sub", agentId = "agent_id", employeeId = "employee_id"
        case campaignId = "campaign_id", status, ready, evidence, reasons, reportId = "report_id"
        case reportAt = "report_at", issuedAt = "iat", expiresAt = "exp", keyId = "kid", statementId = "jti"
    }

    public init(
        issuer: String, agentId: String, employeeId: String, campaignId: String?, status: ReadinessStatus,
        evidence: ReportSource?, reasons: [String], reportId: String?, reportAt: Date?, issuedAt: Date,
        expiresAt: Date, keyId: String, statementId: String = UUID().uuidString.lowercased()
    ) {
        self.issuer = issuer
        self.subject = agentId
        self.agentId = agentId
        self.employeeId = employeeId
        self.campaignId = campaignId
        self.status = status
        self.ready = status == .ready
        self.evidence = evidence
        self.reasons = reasons
        self.reportId = reportId
        self.reportAt = reportAt.map { Int64($0.timeIntervalSince1970.rounded(.down)) }
        self.issuedAt = Int64(issuedAt.timeIntervalSince1970.rounded(.down))
        self.expiresAt = Int64(expiresAt.timeIntervalSince1970.rounded(.down))
        self.keyId = keyId
        self.statementId = statementId
    }

    /// `expiresAt` as a date.
    public var expires: Date { Date(timeIntervalSince1970: Double(expiresAt)) }
    /// `issuedAt` as a date.
    public var issued: Date { Date(timeIntervalSince1970: Double(issuedAt)) }
}

/// The server's Ed25519 key for readiness statements and its id.
public struct ReadinessSigningKey: Sendable {
    /// The JOSE algorithm name (RFC 8037).
    public static let algorithm = "EdDSA"

    let privateKey: Curve25519.Signing.PrivateKey
    /// The key anyone verifies statements with.
    public var publicKey: Curve25519.Signing.PublicKey { privateKey.publicKey }
    /// The RFC 7638 JWK thumbprint of the public key (base64url SHA-256), carried as `kid`.
    public let keyId: String
    /// When the key was made.
    public let createdAt: Date

    /// A key from its 32 raw private bytes (as stored in `signing_keys`).
    init(rawPrivateKey: Data, createdAt: Date) throws {
        privateKey = try Curve25519.Signing.PrivateKey(rawRepresentation: rawPrivateKey)
        keyId = Self.keyId(for: privateKey.publicKey)
        self.createdAt = createdAt
    }

    /// A new random key.
    init(createdAt: Date) {
        privateKey = Curve25519.Signing.PrivateKey()
        keyId = Self.keyId(for: privateKey.publicKey)
        self.createdAt = createdAt
    }

    /// The RFC 7638 thumbprint of an Ed25519 public key: base64url SHA-256 of `{"crv":"Ed25519","kty":"OKP","x":X}`.
    public static func keyId(for publicKey: Curve25519.Signing.PublicKey) -> String {
        let jwk = "{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"\(Base64URL.encode(publicKey.rawRepresentation))\"}"
        return Base64URL.encode(Data(SHA256.hash(data: Data(jwk.utf8))))
    }

    /// Signs `claims` as a compact JWS: `BASE64URL(header).BASE64URL(payload).BASE64URL(signature)`.
    public func sign(_ claims: ReadinessClaims) throws -> String {
        let header = "{\"alg\":\"EdDSA\",\"kid\":\"\(keyId)\",\"typ\":\"JWT\"}"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let input = Base64URL.encode(Data(header.utf8)) + "." + Base64URL.encode(try encoder.encode(claims))
        return input + "." + Base64URL.encode(try privateKey.signature(for: Data(input.utf8)))
    }
}

/// Why a readiness statement was refused.
public struct ReadinessStatementError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kinds of refusal.
    public enum Kind: String, Sendable, Equatable {
        /// Not three base64url parts, or a header or payload that is not the expected JSON.
        case malformed
        /// The header names an algorithm other than `EdDSA`.
        case unsupportedAlgorithm
        /// The header's `kid` is not the key given.
        case wrongKey
        /// The signature does not verify with the key given: the statement was changed or signed by another key.
        case badSignature
        /// `exp` has passed.
        case expired
        /// `iat` lies ahead of the verifier's clock by more than the leeway.
        case notYetValid
        /// The key given is not a base64 raw 32-byte Ed25519 public key.
        case badKey
    }

    /// What went wrong.
    public let kind: Kind
    /// What went wrong, in words that say what to do.
    public let description: String

    static func malformed(_ detail: String) -> Self {
        Self(kind: .malformed, description: "malformed statement: \(detail) (expected a compact JWS: HEADER.PAYLOAD.SIGNATURE)")
    }
}

/// Checks readiness statements offline with the server's public key (what `homeready-server verify-statement` runs).
public enum ReadinessStatementVerifier {
    /// Reads a base64 (or base64url) raw 32-byte Ed25519 public key, as `GET /api/v1/readiness-key` publishes it.
    public static func publicKey(base64 text: String) throws(ReadinessStatementError) -> Curve25519.Signing.PublicKey {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let bytes = Data(base64Encoded: trimmed) ?? Base64URL.decode(trimmed), bytes.count == 32,
            let key = try? Curve25519.Signing.PublicKey(rawRepresentation: bytes)
        else {
            throw ReadinessStatementError(
                kind: .badKey,
                description: "the key is not a base64 Ed25519 public key (32 bytes); use `public_key` from GET /api/v1/readiness-key")
        }
        return key
    }

    /// The claims of `statement` when its signature verifies with `publicKey` and it has not expired at `now`
    /// (allowing `leeway` seconds of clock difference); throws what is wrong otherwise.
    public static func verify(
        _ statement: String, publicKey: Curve25519.Signing.PublicKey, now: Date = Date(), leeway: TimeInterval = 0
    ) throws(ReadinessStatementError) -> ReadinessClaims {
        let parts = statement.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .malformed("\(parts.count) part(s) separated by dots, not 3") }
        guard let headerBytes = Base64URL.decode(String(parts[0])),
            let header = try? JSONSerialization.jsonObject(with: headerBytes) as? [String: Any]
        else { throw .malformed("the header is not base64url JSON") }
        guard let algorithm = header["alg"] as? String, algorithm == ReadinessSigningKey.algorithm else {
            throw ReadinessStatementError(
                kind: .unsupportedAlgorithm,
                description: "unsupported algorithm \"\(header["alg"] as? String ?? "none")\": readiness statements are signed with EdDSA (Ed25519)")
        }
        let keyId = ReadinessSigningKey.keyId(for: publicKey)
        if let named = header["kid"] as? String, named != keyId {
            throw ReadinessStatementError(
                kind: .wrongKey,
                description: "the statement was signed with key \(named), not with the key given (\(keyId)); fetch the current key from GET /api/v1/readiness-key")
        }
        guard let signature = Base64URL.decode(String(parts[2])), signature.count == 64 else {
            throw .malformed("the signature is not 64 base64url-encoded bytes")
        }
        guard publicKey.isValidSignature(signature, for: Data((parts[0] + "." + parts[1]).utf8)) else {
            throw ReadinessStatementError(
                kind: .badSignature,
                description: "bad signature: the statement was changed after signing, or signed by another key")
        }
        guard let payload = Base64URL.decode(String(parts[1])),
            let claims = try? JSONDecoder().decode(ReadinessClaims.self, from: payload)
        else { throw .malformed("the payload is not a readiness statement's JSON claims") }
        let seconds = now.timeIntervalSince1970
        guard seconds < Double(claims.expiresAt) + leeway else {
            throw ReadinessStatementError(
                kind: .expired,
                description: "expired at \(ISO8601DateFormatter().string(from: claims.expires)) (\(Int(seconds) - Int(claims.expiresAt)) s ago): ask the server for a new statement")
        }
        guard Double(claims.issuedAt) <= seconds + leeway + 60 else {
            throw ReadinessStatementError(
                kind: .notYetValid,
                description: "issued at \(ISO8601DateFormatter().string(from: claims.issued)), ahead of this computer's clock: check both clocks")
        }
        return claims
    }
}

/// Base64url without padding (RFC 4648 §5), as JOSE uses it.
enum Base64URL {
    static func encode(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: String) -> Data? {
        guard !text.contains("="), !text.contains("+"), !text.contains("/") else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}
