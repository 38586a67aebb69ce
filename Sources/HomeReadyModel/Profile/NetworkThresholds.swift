/// The network limits of a profile. A `nil` threshold is not judged.
public struct NetworkThresholds: Codable, Sendable, Equatable {
    public var minDownloadMbps: Threshold?
    public var minUploadMbps: Threshold?
    public var maxLatencyIdleMs: Threshold?
    public var maxLatencyLoadedMs: Threshold?
    public var maxJitterMs: Threshold?
    public var maxLossPercent: Threshold?
    public var minMOS: Threshold?
    public var maxDNSMs: Threshold?
    /// The codec voice quality is estimated for.
    public var codec: VoiceCodec
    /// Simultaneous calls the link must carry (e.g. 2 for a supervisor barging in).
    public var concurrentCalls: Int
    /// Per-packet overhead the VPN adds to voice, in bytes (0 when voice is split-tunnelled); nil derives it from
    /// the profile's gateways' tunnel types (`TunnelOverhead`).
    public var vpnOverheadBytes: Int?
    /// How many days a check stays valid for readiness.
    public var checkFreshnessDays: Int

    public init(
        minDownloadMbps: Threshold? = nil, minUploadMbps: Threshold? = nil, maxLatencyIdleMs: Threshold? = nil,
        maxLatencyLoadedMs: Threshold? = nil, maxJitterMs: Threshold? = nil, maxLossPercent: Threshold? = nil,
        minMOS: Threshold? = nil, maxDNSMs: Threshold? = nil, codec: VoiceCodec = .g711, concurrentCalls: Int = 1,
        vpnOverheadBytes: Int? = nil, checkFreshnessDays: Int = 7
    ) {
        self.minDownloadMbps = minDownloadMbps
        self.minUploadMbps = minUploadMbps
        self.maxLatencyIdleMs = maxLatencyIdleMs
        self.maxLatencyLoadedMs = maxLatencyLoadedMs
        self.maxJitterMs = maxJitterMs
        self.maxLossPercent = maxLossPercent
        self.minMOS = minMOS
        self.maxDNSMs = maxDNSMs
        self.codec = codec
        self.concurrentCalls = concurrentCalls
        self.vpnOverheadBytes = vpnOverheadBytes
        self.checkFreshnessDays = checkFreshnessDays
    }

    enum CodingKeys: String, CodingKey {
        case minDownloadMbps = "min_download_mbps"
        case minUploadMbps = "min_upload_mbps"
        case maxLatencyIdleMs = "max_latency_idle_ms"
        case maxLatencyLoadedMs = "max_latency_loaded_ms"
        case maxJitterMs = "max_jitter_ms"
        case maxLossPercent = "max_loss_percent"
        case minMOS = "min_mos"
        case maxDNSMs = "max_dns_ms"
        case codec
        case concurrentCalls = "concurrent_calls"
        case vpnOverheadBytes = "vpn_overhead_bytes"
        case checkFreshnessDays = "check_freshness_days"
    }
}

/// A limit with the severity of crossing it and what to tell the agent.
public struct Threshold: Codable, Sendable, Equatable {
    public var limit: Double
    public var severity: Severity
    public var remediation: String?

    public init(_ limit: Double, severity: Severity = .critical, remediation: String? = nil) {
        self.limit = limit
        self.severity = severity
        self.remediation = remediation
    }
}

/// Voice codecs the E-model knows (impairments from ITU-T G.113 Appendix I).
public enum VoiceCodec: String, Codable, Sendable, CaseIterable {
    case g711, g729, opus
}
