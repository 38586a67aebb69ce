import Crypto
import Foundation

/// Acknowledge and resolve links that work without a login: `GET /escalations/{id}/ack?token=…`.
///
/// The token is `EXPIRY.ROLE.LANGUAGE.SIGNATURE`: the expiry in Unix seconds, who the message went to (audited as
/// `link:ROLE`), the language of the page the link opens, and HMAC-SHA256 over `id|action|expiry|role|language`
/// with the database's link key (`escalation_link_keys`, shared by every instance), base64url.
struct EscalationLinks: Sendable {
    enum Action: String, Sendable {
        case ack, resolve
    }

    /// What a checked token says.
    struct Claim: Sendable, Equatable {
        var role: String
        var language: String
    }

    let secret: Data
    /// How long a link works (default 7 days).
    var lifetime: TimeInterval = 7 * 86_400

    func token(escalationId: String, action: Action, role: String, language: String, now: Date) -> String {
        let expiry = Int64(now.timeIntervalSince1970 + lifetime)
        return "\(expiry).\(role).\(language).\(signature(escalationId, action, expiry, role, language))"
    }

    /// The token's role and language when its signature is right and it has not expired; nil otherwise.
    func check(_ token: String, escalationId: String, action: Action, now: Date) -> Claim? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 4, let expiry = Int64(parts[0]), Double(expiry) > now.timeIntervalSince1970,
            EscalationRole(rawValue: parts[1]) != nil, ["es", "en"].contains(parts[2])
        else { return nil }
        let expected = Data(signature(escalationId, action, expiry, parts[1], parts[2]).utf8)
        let given = Data(parts[3].utf8)
        // Constant time over equal lengths.
        guard expected.count == given.count else { return nil }
        var difference: UInt8 = 0
        for (a, b) in zip(expected, given) { difference |= a ^ b }
        return difference == 0 ? Claim(role: parts[1], language: parts[2]) : nil
    }

    /// The absolute link for `base` (`https://homeready.example.com`).
    func url(base: String, escalationId: String, action: Action, role: String, language: String, now: Date) -> URL? {
        let token = token(escalationId: escalationId, action: action, role: role, language: language, now: now)
        let trimmed = base.hasSuffix("/") ? String(base.dropLast()) : base
        return URL(string: "\(trimmed)/escalations/\(escalationId)/\(action.rawValue)?token=\(token)")
    }

    private func signature(_ id: String, _ action: Action, _ expiry: Int64, _ role: String, _ language: String)
        -> String
    {
        let message = Data("\(id)|\(action.rawValue)|\(expiry)|\(role)|\(language)".utf8)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: secret))
        return Data(mac).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
