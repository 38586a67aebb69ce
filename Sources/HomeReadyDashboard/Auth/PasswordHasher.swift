import Crypto
import Foundation
import HomeReadyModel
import HomeReadySigning
import _CryptoExtras

/// Hashes passwords with PBKDF2-HMAC-SHA256 (RFC 8018) and verifies them in constant time.
///
/// The stored form is `pbkdf2-sha256$<iterations>$<salt base64>$<hash base64>`, so the iteration count can rise
/// later without invalidating stored hashes.
public struct PasswordHasher: Sendable {
    /// OWASP's 2023 floor for PBKDF2-HMAC-SHA256.
    public static let minimumIterations = 210_000

    public let iterations: Int

    /// Creates a hasher; `iterations` below `minimumIterations` are raised to it.
    public init(iterations: Int = PasswordHasher.minimumIterations) {
        self.iterations = max(iterations, Self.minimumIterations)
    }

    /// Hashes `password` with a fresh 16-byte random salt.
    public func hash(_ password: String) -> String {
        let salt = Data(randomBytes(16))
        let derived = Self.pbkdf2(password: Data(password.utf8), salt: salt, iterations: iterations, length: 32)
        return "pbkdf2-sha256$\(iterations)$\(salt.base64EncodedString())$\(derived.base64EncodedString())"
    }

    /// True when `password` matches `stored`; false for a malformed stored hash.
    public func verify(_ password: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "pbkdf2-sha256", let count = Int(parts[1]), count > 0,
            count <= 10_000_000, let salt = Data(base64Encoded: String(parts[2])),
            let expected = Data(base64Encoded: String(parts[3])), !expected.isEmpty
        else { return false }
        let derived = Self.pbkdf2(password: Data(password.utf8), salt: salt, iterations: count, length: expected.count)
        return constantTimeEqual(Array(derived), Array(expected))
    }

    /// PBKDF2 with HMAC-SHA256 as the PRF (swift-crypto's, over BoringSSL). The iteration count is ours to check:
    /// `hash` never goes below `minimumIterations`, and `verify` honours what a stored hash says. Empty when
    /// BoringSSL fails (out of memory), which no stored hash matches.
    static func pbkdf2(password: Data, salt: Data, iterations: Int, length: Int) -> Data {
        let key = try? KDF.Insecure.PBKDF2.deriveKey(
            from: password, salt: salt, using: .sha256, outputByteCount: length, unsafeUncheckedRounds: iterations)
        return key?.withUnsafeBytes { Data($0) } ?? Data()
    }
}

/// Compares two byte strings in time that depends only on their lengths.
func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    SecretDigest.constantTimeEquals(a, b)
}

/// Compares two strings in constant time (for tokens).
func constantTimeEqual(_ a: String, _ b: String) -> Bool {
    constantTimeEqual(Array(a.utf8), Array(b.utf8))
}

/// Cryptographically random bytes.
func randomBytes(_ count: Int) -> [UInt8] {
    var generator = SystemRandomNumberGenerator()
    return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
}

/// A random token of `bytes` bytes as lowercase hex.
func randomToken(bytes: Int = 32) -> String {
    randomBytes(bytes).hexEncoded
}

