import Foundation
import HomeReadyModel
import HomeReadyTransport

/// The rule that turns a TLS inspection into a gateway state (documented in `docs/vpn.md`).
///
/// 1. A pin that matches any certificate of the chain proves the gateway's identity: only expiry counts then.
/// 2. An issuer naming a known TLS-inspection product (antivirus web shields, gateways that re-sign) is
///    interception even when its root is in the system store and the chain verifies.
/// 3. A chain that leads to no trusted CA is **interception** when the profile says what the real certificate
///    is (a `pin_sha256` that did not match, or a `ca_file` naming the real CA): someone else's certificate was
///    presented. Without a pin or CA file it is `tls_untrusted`: a self-signed gateway and an interceptor look
///    the same.
/// 4. Otherwise: expired or not yet valid → `tls_expired`; the name does not match → `tls_name_mismatch`; a
///    trusted chain whose keys miss the pin → `tls_pin_mismatch`; any other verification failure →
///    `tls_untrusted`; else `reachable`.
public enum TLSVerdict {
    /// The gateway state and a sentence explaining it.
    public static func classify(_ info: TLSPeerInfo, pin: String?, caFile: String?, now: Date = Date()) -> (
        state: VPNState, detail: String
    ) {
        let expected = pin.flatMap(normalizedPin)
        let pinMatches = expected.map { pin in ([info.leaf] + info.chain).contains { $0.spkiSHA256 == pin } }
        let expired = (info.leaf.notAfter.map { $0 < now } ?? false) || info.chainProblem == .expired
        let notYetValid = (info.leaf.notBefore.map { $0 > now } ?? false) || info.chainProblem == .notYetValid
        let issuer = info.leaf.issuer

        if pinMatches == true {
            if expired || notYetValid {
                return (.tlsExpired, "the pinned certificate is outside its validity period")
            }
            return (.reachable, "the certificate's key matches the profile's pin")
        }
        // Security suites and home routers that inspect TLS often install their root in the system store, so
        // their chains verify: recognise them by the issuing product's name.
        if let product = inspectionProduct(in: info) {
            return (
                .tlsIntercepted,
                "the certificate is issued by \(product) TLS inspection (\(issuer)), not by the gateway's CA"
            )
        }
        if info.chainProblem == .untrustedIssuer {
            if pinMatches == false {
                return (
                    .tlsIntercepted,
                    "the certificate (issuer \(issuer)) is not trusted and its key does not match the profile's pin: "
                        + "a device between this computer and the gateway presented its own certificate"
                )
            }
            if caFile != nil {
                return (
                    .tlsIntercepted,
                    "the certificate is signed by \(issuer), not by the gateway's CA named in the profile: "
                        + "a device between this computer and the gateway presented its own certificate"
                )
            }
            return (
                .tlsUntrusted,
                "the certificate (issuer \(issuer)) does not lead to a trusted CA (\(info.verifyError ?? "untrusted")); "
                    + "without a pin or CA file in the profile this cannot be told apart from interception"
            )
        }
        if expired { return (.tlsExpired, "the certificate expired on \(day(info.leaf.notAfter))") }
        if notYetValid {
            return (
                .tlsExpired,
                "the certificate is not valid before \(day(info.leaf.notBefore)): check the computer's clock"
            )
        }
        if info.hostnameMatches == false {
            return (.tlsNameMismatch, "the certificate (\(info.leaf.subject)) does not name the gateway's host")
        }
        if pinMatches == false {
            return (.tlsPinMismatch, "the certificate is trusted but its key does not match the profile's pin")
        }
        if info.chainProblem != nil {
            return (.tlsUntrusted, "the certificate chain did not verify: \(info.verifyError ?? "unknown error")")
        }
        return (.reachable, "the certificate chain verified and names the gateway")
    }

    /// Issuer name fragments of products known to re-sign TLS (antivirus web shields, home and hotel gateways,
    /// cloud proxies), matched case-insensitively against every issuer in the chain.
    public static let inspectionIssuers: [(fragment: String, product: String)] = [
        ("kaspersky", "Kaspersky"), ("avast", "Avast"), ("avg technologies", "AVG"), ("eset ssl filter", "ESET"),
        ("bitdefender", "Bitdefender"), ("fortinet", "Fortinet"), ("fortigate", "Fortinet"), ("sophos", "Sophos"),
        ("zscaler", "Zscaler"), ("netskope", "Netskope"), ("cisco umbrella", "Cisco Umbrella"),
        ("palo alto networks", "Palo Alto Networks"), ("barracuda", "Barracuda"), ("untangle", "Untangle"),
        ("mitmproxy", "mitmproxy"), ("charles proxy", "Charles Proxy"), ("fiddler", "Fiddler"),
        ("watchguard", "WatchGuard"), ("checkpoint", "Check Point"), ("check point", "Check Point"),
    ]

    /// The inspection product named by an issuer of the chain, if any.
    static func inspectionProduct(in info: TLSPeerInfo) -> String? {
        let issuers = ([info.leaf] + info.chain).map { $0.issuer.lowercased() }
        for (fragment, product) in inspectionIssuers where issuers.contains(where: { $0.contains(fragment) }) {
            return product
        }
        return nil
    }

    /// Accepts a pin as hex (with or without colons) or base64, optionally prefixed `sha256/` or `sha256//`;
    /// returns lowercase hex, or nil when it is neither.
    public static func normalizedPin(_ text: String) -> String? {
        var value = text.trimmingCharacters(in: .whitespaces)
        for prefix in ["sha256//", "sha256/", "pin-sha256:"] where value.lowercased().hasPrefix(prefix) {
            value.removeFirst(prefix.count)
        }
        let hex = value.replacingOccurrences(of: ":", with: "").lowercased()
        if hex.count == 64, hex.allSatisfy(\.isHexDigit) { return hex }
        if let data = Data(base64Encoded: value), data.count == 32 {
            return data.hexEncoded
        }
        return nil
    }

    /// Whole days from `now` to the certificate's expiry (negative once expired).
    static func daysToExpiry(_ notAfter: Date?, now: Date) -> Int? {
        notAfter.map { Int(($0.timeIntervalSince(now) / 86_400).rounded(.down)) }
    }

    static func day(_ date: Date?) -> String {
        guard let date else { return "an unknown date" }
        return ISO8601DateFormatter.string(
            from: date, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate])
    }
}
