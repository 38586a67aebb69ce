/// Estimated voice quality from the ITU-T G.107 E-model.
public struct VoiceResult: Codable, Sendable, Equatable {
    /// Codec the estimate is for (the profile's codec).
    public var codec: String
    public var rFactor: Double
    public var mos: Double
    /// MOS with the latency measured under load (bufferbloat), when measured.
    public var mosLoaded: Double?
    /// Calls the measured up- and downstream carry at once with this codec, headers and VPN overhead included.
    public var maxConcurrentCalls: Int?
    /// The codec recommended for this link, when it differs from `codec`.
    public var recommendedCodec: String?
    /// The E-model variant used, e.g. `itu-t-g107`.
    public var model: String?
    /// Bytes the VPN adds per voice packet, counted in `max_concurrent_calls` and the codec advice.
    public var vpnOverheadBytes: Int?
    /// The tunnel type that overhead is for (`IPsec NAT-T`, `WireGuard`, …); absent when the profile gives the figure.
    public var vpnType: String?
    /// The bufferbloat grade (A+ … F) and the mean latency increase it grades, on the scale in `bufferbloat_scale`.
    public var bufferbloatGrade: String?
    public var bufferbloatIncreaseMs: Double?
    public var bufferbloatScale: String?

    public init(
        codec: String, rFactor: Double, mos: Double, mosLoaded: Double? = nil, maxConcurrentCalls: Int? = nil,
        recommendedCodec: String? = nil, model: String? = nil
    ) {
        self.codec = codec
        self.rFactor = rFactor
        self.mos = mos
        self.mosLoaded = mosLoaded
        self.maxConcurrentCalls = maxConcurrentCalls
        self.recommendedCodec = recommendedCodec
        self.model = model
    }

    enum CodingKeys: String, CodingKey {
        case codec
        case rFactor = "r_factor"
        case mos
        case mosLoaded = "mos_loaded"
        case maxConcurrentCalls = "max_concurrent_calls"
        case recommendedCodec = "recommended_codec"
        case model
        case vpnOverheadBytes = "vpn_overhead_bytes"
        case vpnType = "vpn_type"
        case bufferbloatGrade = "bufferbloat_grade"
        case bufferbloatIncreaseMs = "bufferbloat_increase_ms"
        case bufferbloatScale = "bufferbloat_scale"
    }
}
