import Crypto
import Foundation
import HomeReadySigning

/// API tokens and enrollment codes: 256 random bits, shown once, stored as SHA-256.
public enum Tokens {
    /// A new secret: `hr_` and 43 base64url characters (256 random bits).
    public static func generate(prefix: String = "hr_") -> String {
        let key = SymmetricKey(size: .bits256)
        let bytes = key.withUnsafeBytes { Data($0) }
        return prefix + bytes.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The stored form of a secret: lowercase hex SHA-256.
    public static func hash(_ secret: String) -> String {
        SecretDigest.sha256Hex(secret)
    }

    /// Compares two strings in time that depends only on their length.
    public static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        SecretDigest.constantTimeEquals(Array(a.utf8), Array(b.utf8))
    }
}
