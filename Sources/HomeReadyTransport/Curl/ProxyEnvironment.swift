import Foundation

/// Decides which proxy a URL goes through from `HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY` and `NO_PROXY`
/// (lower-case names first, as curl reads them), so the probe can both use it and say it did.
public struct ProxyEnvironment: Sendable, Equatable {
    public var httpProxy: String?
    public var httpsProxy: String?
    public var allProxy: String?
    public var noProxy: [String]

    /// Reads the variables from `environment` (pass `ProcessInfo.processInfo.environment`).
    public init(environment: [String: String]) {
        func value(_ name: String) -> String? {
            let raw = environment[name.lowercased()] ?? environment[name.uppercased()]
            guard let raw, !raw.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
            return raw.trimmingCharacters(in: .whitespaces)
        }
        // curl ignores upper-case HTTP_PROXY (CGI "httpoxy"); we follow it.
        httpProxy = environment["http_proxy"].flatMap { $0.isEmpty ? nil : $0 }
        httpsProxy = value("https_proxy")
        allProxy = value("all_proxy")
        noProxy = (value("no_proxy") ?? "").split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }.filter { !$0.isEmpty }
    }

    /// The proxy for `url`, or nil for a direct connection.
    public func proxy(for url: String) -> String? {
        guard let (scheme, host) = Self.schemeAndHost(url) else { return nil }
        if bypasses(host: host) { return nil }
        switch scheme {
        case "https": return httpsProxy ?? allProxy
        case "http": return httpProxy ?? allProxy
        default: return allProxy
        }
    }

    /// Whether `NO_PROXY` names `host` (exact, domain suffix, or `*`).
    public func bypasses(host: String) -> Bool {
        let host = host.lowercased()
        for entry in noProxy {
            if entry == "*" { return true }
            let bare = entry.hasPrefix(".") ? String(entry.dropFirst()) : entry
            if host == bare || host.hasSuffix("." + bare) { return true }
        }
        return false
    }

    static func schemeAndHost(_ url: String) -> (String, String)? {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        var rest = url[schemeEnd.upperBound...]
        if let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) { rest = rest[..<slash] }
        if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        var host: Substring
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            host = rest[rest.index(after: rest.startIndex)..<close]
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
        } else {
            host = rest
        }
        return (scheme, String(host))
    }
}
