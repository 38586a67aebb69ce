/// Settings of the speed test endpoints.
public struct SpeedTestConfiguration: Sendable {
    /// Largest body `GET /speed/down` sends in one response (bytes); larger requests are capped.
    public var maxDownloadBytes: Int64
    /// The UDP echo port announced in `/speed/info` (nil when no responder runs).
    public var echoPort: Int?
    /// The SIP mirror's port (UDP and TCP) announced in `/speed/info` as `sip_port` (nil when no mirror runs).
    public var sipPort: Int? = nil
    /// Path prefix of every endpoint.
    public var pathPrefix: String

    public init(maxDownloadBytes: Int64 = 8 * 1024 * 1024 * 1024, echoPort: Int? = nil, pathPrefix: String = "/speed") {
        self.maxDownloadBytes = maxDownloadBytes
        self.echoPort = echoPort
        self.pathPrefix = pathPrefix
    }
}
