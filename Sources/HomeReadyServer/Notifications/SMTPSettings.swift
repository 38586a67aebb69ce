import Foundation

/// An email address with an optional display name: `ops@example.com` or `HomeReady <ops@example.com>`.
public struct Mailbox: Sendable, Equatable, CustomStringConvertible {
    /// The name shown beside the address (may hold any Unicode text; encoded per RFC 2047 in headers).
    public var displayName: String?
    /// The bare address, `local@domain`, used in the SMTP envelope.
    public var address: String

    /// Parses `local@domain` or `Display Name <local@domain>`; nil when it is not an address.
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let open = trimmed.lastIndex(of: "<"), trimmed.hasSuffix(">") {
            let name = trimmed[..<open].trimmingCharacters(in: .whitespaces)
                .trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            let address = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
            guard Self.isAddress(address), !name.contains(where: { $0.isNewline }) else { return nil }
            self.displayName = name.isEmpty ? nil : name
            self.address = address
        } else {
            guard Self.isAddress(trimmed) else { return nil }
            self.displayName = nil
            self.address = trimmed
        }
    }

    public init(displayName: String? = nil, address: String) {
        self.displayName = displayName
        self.address = address
    }

    /// A plausible `local@domain`: one `@` with text on both sides, a dotted or bracketed domain, no spaces,
    /// controls or angle brackets (the SMTP envelope and headers could be broken by them).
    public static func isAddress(_ text: String) -> Bool {
        guard let at = text.lastIndex(of: "@") else { return false }
        let local = text[..<at]
        let domain = text[text.index(after: at)...]
        guard !local.isEmpty, !domain.isEmpty, text.count <= 254 else { return false }
        let forbidden = CharacterSet.whitespacesAndNewlines.union(.controlCharacters)
            .union(CharacterSet(charactersIn: "<>(),;:\\\""))
        if text.unicodeScalars.contains(where: { forbidden.contains($0) }) { return false }
        if domain.contains("@") { return false }
        return !domain.hasPrefix(".") && !domain.hasSuffix(".")
    }

    /// The domain part (for Message-ID).
    var domain: String { String(address[address.index(after: address.lastIndex(of: "@")!)...]) }

    public var description: String {
        if let displayName { return "\(displayName) <\(address)>" }
        return address
    }
}

/// How the connection to the SMTP server is protected.
public enum SMTPSecurity: String, Sendable, Equatable {
    /// `smtps://`: TLS from the first byte (port 465).
    case implicitTLS = "tls"
    /// `smtp://…?starttls=required`: STARTTLS or fail (the default when the URL carries a user name).
    case startTLSRequired = "required"
    /// `smtp://…?starttls=optional`: STARTTLS when the server offers it, plain otherwise (the default without a
    /// user name). A server that offers STARTTLS with an untrusted certificate fails the delivery.
    case startTLSOptional = "optional"
    /// `smtp://…?starttls=never`: plain SMTP (a lab relay on loopback).
    case plain = "never"
}

/// The outgoing mail server, from `--smtp-url` and `--smtp-from`.
///
/// URL forms (see docs/notifications.md):
/// - `smtp://HOST[:PORT]` (port 25 by default; STARTTLS when offered),
/// - `smtp://USER:PASSWORD@HOST:587?starttls=required` (percent-encode `@`, `:` and `/` in the password),
/// - `smtps://USER:PASSWORD@HOST[:465]` (implicit TLS),
/// - query items: `starttls=required|optional|never`, `cafile=/path/ca.pem` (a private CA), `timeout=SECONDS`.
///
/// The password is kept apart from the URL curl sees and never appears in `description` or in errors.
public struct SMTPSettings: Sendable, Equatable, CustomStringConvertible {
    /// `smtp` or `smtps`.
    public var scheme: String
    public var host: String
    public var port: Int
    public var security: SMTPSecurity
    /// The AUTH user name, when the URL has one.
    public var username: String?
    /// The AUTH password (percent-decoded). Never logged.
    public var password: String?
    /// A PEM CA bundle the server's certificate is checked against instead of the system store.
    public var caFile: String?
    /// The envelope sender and `From:` header.
    public var from: Mailbox
    /// Seconds a whole delivery may take (connect, TLS, AUTH, DATA); default 30.
    public var timeoutSeconds: Double

    /// Parses `--smtp-url` and `--smtp-from`; the error names the flag, what was expected and an example.
    public init(url text: String, from fromText: String) throws(NotificationError) {
        let example = "e.g. smtp://mail.example.com:587?starttls=required or smtps://user:password@mail.example.com"
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            throw .smtpURL("--smtp-url is not a URL; \(example)")
        }
        guard scheme == "smtp" || scheme == "smtps" else {
            throw .smtpURL("--smtp-url must start with smtp:// or smtps://, got \(scheme)://; \(example)")
        }
        guard let host = components.host, !host.isEmpty else {
            throw .smtpURL("--smtp-url has no host; \(example)")
        }
        if let port = components.port, !(1...65535).contains(port) {
            throw .smtpURL("--smtp-url's port must be 1-65535, got \(port)")
        }
        if !(components.path.isEmpty || components.path == "/") {
            throw .smtpURL("--smtp-url takes no path (got \(components.path)); put options in the query, \(example)")
        }
        self.scheme = scheme
        self.host = host
        self.port = components.port ?? (scheme == "smtps" ? 465 : 25)
        self.username = components.user.flatMap { $0.isEmpty ? nil : $0 }
        self.password = components.password
        if password != nil, username == nil {
            throw .smtpURL("--smtp-url has a password but no user name; write smtp://USER:PASSWORD@HOST:PORT")
        }
        self.caFile = nil
        self.timeoutSeconds = 30
        var starttls: SMTPSecurity?
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name.lowercased() {
            case "starttls":
                guard scheme == "smtp" else {
                    throw .smtpURL("--smtp-url: starttls applies to smtp:// only (smtps:// is TLS from the start)")
                }
                switch value.lowercased() {
                case "required", "require", "yes", "true", "1": starttls = .startTLSRequired
                case "optional", "try", "opportunistic": starttls = .startTLSOptional
                case "never", "no", "false", "0", "off": starttls = .plain
                default:
                    throw .smtpURL("--smtp-url: starttls must be required, optional or never, got \"\(value)\"")
                }
            case "cafile":
                guard !value.isEmpty else {
                    throw .smtpURL("--smtp-url: cafile needs a path, e.g. cafile=/etc/ssl/mail-ca.pem")
                }
                guard FileManager.default.isReadableFile(atPath: value) else {
                    throw .smtpURL("--smtp-url: cafile \(value) cannot be read; check the path and its permissions")
                }
                caFile = value
            case "timeout":
                guard let seconds = Double(value), seconds >= 1, seconds <= 600 else {
                    throw .smtpURL("--smtp-url: timeout must be seconds from 1 to 600, got \"\(value)\"")
                }
                timeoutSeconds = seconds
            default:
                throw .smtpURL(
                    "--smtp-url: unknown query item \"\(item.name)\"; known: starttls=required|optional|never, cafile=PATH, timeout=SECONDS"
                )
            }
        }
        if scheme == "smtps" {
            security = .implicitTLS
        } else {
            // A password is never sent in the clear unless the URL says so explicitly (starttls=never).
            security = starttls ?? (username != nil ? .startTLSRequired : .startTLSOptional)
        }
        guard let from = Mailbox(parsing: fromText) else {
            throw .smtpFrom(
                "--smtp-from must be an email address, e.g. homeready@example.com or \"HomeReady <homeready@example.com>\"; got \"\(fromText)\""
            )
        }
        self.from = from
    }

    /// The URL libcurl connects to: scheme, host and port only (credentials are passed apart).
    var curlURL: String {
        let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return "\(scheme)://\(bracketed):\(port)"
    }

    /// The server for messages and logs, without credentials: `smtp://mail.example.com:587 (STARTTLS required)`.
    public var description: String {
        let mode: String
        switch security {
        case .implicitTLS: mode = "TLS"
        case .startTLSRequired: mode = "STARTTLS required"
        case .startTLSOptional: mode = "STARTTLS when offered"
        case .plain: mode = "plain"
        }
        return "\(curlURL) (\(mode)\(username == nil ? "" : ", AUTH"))"
    }
}

extension SMTPSettings: CustomDebugStringConvertible, CustomReflectable {
    /// The same as `description`: `String(reflecting:)` and test failure messages never show the password.
    public var debugDescription: String { "SMTPSettings(\(description), from: \(from))" }

    /// `dump()` and other mirrors see the settings without the password.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "scheme": scheme, "host": host, "port": port, "security": security, "username": username as Any,
                "password": password == nil ? "nil" : "(redacted)", "caFile": caFile as Any, "from": from,
                "timeoutSeconds": timeoutSeconds,
            ])
    }
}
