import Crypto
import Foundation
import HomeReadyModel

/// Ed25519 signatures over report bodies, shared by the agent (signs) and the server (verifies).
///
/// The signed message is the domain tag `homeready-report-v1`, a newline, then the exact bytes of the report
/// JSON as uploaded. Signing the bytes (not a re-encoding) means the server verifies what it stores.
public enum ReportSignature {
    /// Prefix that keeps report signatures from being valid for any other message.
    static let domain = Data("homeready-report-v1\n".utf8)

    /// HTTP header naming the device that signed.
    public static let deviceHeader = "X-HomeReady-Device"
    /// HTTP header carrying the base64 signature.
    public static let signatureHeader = "X-HomeReady-Signature"

    /// Signs a report body with a device's private key; returns the base64 signature.
    public static func sign(body: Data, with key: DeviceKey) throws(SigningError) -> String {
        do {
            return try key.privateKey.signature(for: domain + body).base64EncodedString()
        } catch {
            throw SigningError.cannotSign
        }
    }

    /// Whether `signature` (base64) is a valid signature of `body` by the holder of `publicKey` (base64, raw 32 bytes).
    public static func verify(body: Data, signature: String, publicKey: String) -> Bool {
        guard let signatureBytes = Data(base64Encoded: signature), signatureBytes.count == 64,
            let keyBytes = Data(base64Encoded: publicKey),
            let key = try? Curve25519.Signing.PublicKey(rawRepresentation: keyBytes)
        else { return false }
        return key.isValidSignature(signatureBytes, for: domain + body)
    }

    /// Whether a text is a well-formed base64 Ed25519 public key.
    public static func isValidPublicKey(_ text: String) -> Bool {
        guard let bytes = Data(base64Encoded: text) else { return false }
        return (try? Curve25519.Signing.PublicKey(rawRepresentation: bytes)) != nil
    }
}

/// A device's Ed25519 key pair.
public struct DeviceKey: Sendable {
    let privateKey: Curve25519.Signing.PrivateKey

    /// Makes a new random key pair.
    public init() {
        privateKey = Curve25519.Signing.PrivateKey()
    }

    /// Restores a key from its 32 raw private bytes.
    public init(rawPrivateKey: Data) throws(SigningError) {
        do {
            privateKey = try Curve25519.Signing.PrivateKey(rawRepresentation: rawPrivateKey)
        } catch {
            throw SigningError.malformedKey
        }
    }

    /// The 32 raw private bytes, for storage in a 0600 file.
    public var rawPrivateKey: Data { privateKey.rawRepresentation }

    /// The public key as base64 of its 32 raw bytes, as registered with the server.
    public var publicKeyBase64: String { privateKey.publicKey.rawRepresentation.base64EncodedString() }
}

/// Errors from signing; they never contain key material.
public struct SigningError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: Sendable, Equatable { case malformedKey, cannotSign }
    private let code: Code

    /// The stored private key is not 32 bytes of an Ed25519 key.
    public static let malformedKey = SigningError(code: .malformedKey)
    /// The signature could not be computed.
    public static let cannotSign = SigningError(code: .cannotSign)

    public var description: String {
        switch code {
        case .malformedKey: return "the device key is damaged (not an Ed25519 private key); enroll this device again with `homeready enroll`"
        case .cannotSign: return "the report could not be signed with the device key"
        }
    }
}

/// Token hashing shared by the server's token checks: SHA-256 hex and constant-time comparison.
public enum SecretDigest {
    /// Lower-case hex SHA-256 of a secret (tokens, enrollment codes) for storage.
    public static func sha256Hex(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).hexEncoded
    }

    /// Compares two byte strings in time independent of where they differ.
    public static func constantTimeEquals(_ a: some DataProtocol, _ b: some DataProtocol) -> Bool {
        let a = Array(a), b = Array(b)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in 0..<a.count { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
