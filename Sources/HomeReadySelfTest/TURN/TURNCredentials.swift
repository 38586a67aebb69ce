import Crypto
import Foundation

/// Short-lived TURN credentials by the TURN REST API convention coturn implements with `use-auth-secret` and
/// `static-auth-secret`: username `EXPIRY:AGENTID` (EXPIRY in seconds since 1970), credential
/// base64(HMAC-SHA1(secret, username)). coturn recomputes the credential from the username and refuses it after
/// EXPIRY, so nothing is stored per agent.
public struct TURNCredentials: Sendable, Equatable, Codable {
    public var username: String
    public var credential: String
    /// When the credential stops working.
    public var expiresAt: Date

    /// Credentials for `agentId` valid until `now + lifetime`.
    public static func make(secret: String, agentId: String, now: Date, lifetime: TimeInterval) -> TURNCredentials {
        let expiry = Int64((now.timeIntervalSince1970 + lifetime).rounded(.down))
        let username = "\(expiry):\(agentId)"
        return TURNCredentials(
            username: username, credential: credential(secret: secret, username: username),
            expiresAt: Date(timeIntervalSince1970: Double(expiry)))
    }

    /// base64(HMAC-SHA1(secret, username)).
    public static func credential(secret: String, username: String) -> String {
        let mac = HMAC<Insecure.SHA1>.authenticationCode(
            for: Data(username.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return Data(mac).base64EncodedString()
    }
}

/// A TURN server the page relays its test call through.
public struct TURNServer: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT` (`[v6]:PORT` for IPv6); nil when it is not that.
    public init?(parsing text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (1...65535).contains(port)
        else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, !host.contains(where: { $0 == " " || $0 == "/" || $0 == "?" }) else { return nil }
        self.host = host
        self.port = port
    }

    /// The host as a TURN URI writes it (IPv6 in brackets).
    var uriHost: String { host.contains(":") ? "[\(host)]" : host }

    public var description: String { "\(uriHost):\(port)" }
}
