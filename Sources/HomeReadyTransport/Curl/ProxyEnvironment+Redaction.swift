extension ProxyEnvironment {
    /// A proxy URL without user name or password, fit for a report.
    public static func redacted(_ proxy: String) -> String {
        guard let schemeEnd = proxy.range(of: "://") else {
            if let at = proxy.lastIndex(of: "@") { return String(proxy[proxy.index(after: at)...]) }
            return proxy
        }
        let rest = proxy[schemeEnd.upperBound...]
        guard let at = rest.lastIndex(of: "@") else { return proxy }
        return String(proxy[..<schemeEnd.upperBound]) + rest[rest.index(after: at)...]
    }
}
