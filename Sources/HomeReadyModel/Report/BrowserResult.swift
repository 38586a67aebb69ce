/// What the browser self-test page measured besides the network figures (which go in `NetworkResult`).
///
/// Sent with `source: "browser"`; see `docs/report.md`.
public struct BrowserResult: Codable, Sendable, Equatable {
    /// The browser's user agent string, as the page read it.
    public var userAgent: String?

    public init(userAgent: String? = nil) {
        self.userAgent = userAgent
    }

    enum CodingKeys: String, CodingKey {
        case userAgent = "user_agent"
    }
}
