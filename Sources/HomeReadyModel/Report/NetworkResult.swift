/// What the network section measured. Every figure is optional: a figure that could not be measured is absent.
public struct NetworkResult: Codable, Sendable, Equatable {
    public var downloadMbps: Double?
    public var uploadMbps: Double?
    public var latencyIdleMs: LatencySummary?
    public var latencyLoadedDownMs: LatencySummary?
    public var latencyLoadedUpMs: LatencySummary?
    /// RFC 3550 interarrival jitter of the idle voice-like stream, in milliseconds.
    public var jitterMs: Double?
    /// RFC 3550 jitter of the upstream leg alone (HomeReady responder only), in milliseconds.
    public var jitterUpMs: Double?
    /// RFC 3550 jitter of the downstream leg alone (HomeReady responder only), in milliseconds.
    public var jitterDownMs: Double?
    /// Absolute IPDV, |RTT(n) − RTT(n−1)| of consecutive answered probes (irtt's figure), in milliseconds.
    public var ipdvMs: LatencySummary?
    /// Share of unanswered probes, in percent.
    public var lossPercent: Double?
    public var udpProbes: UDPProbeCounts?
    public var dnsMs: Double?
    public var tlsHandshakeMs: Double?
    /// Working latency expressed as round trips per minute (60000 / loaded RTT).
    public var responsivenessRPM: Double?
    /// True when UDP probes got no answer at all while HTTP worked: latency then comes from TCP round trips.
    public var udpBlocked: Bool?
    /// How each figure was obtained, so users can compare with other speed tests.
    public var method: MeasurementMethod?

    public init(
        downloadMbps: Double? = nil, uploadMbps: Double? = nil, latencyIdleMs: LatencySummary? = nil,
        latencyLoadedDownMs: LatencySummary? = nil, latencyLoadedUpMs: LatencySummary? = nil,
        jitterMs: Double? = nil, lossPercent: Double? = nil, udpProbes: UDPProbeCounts? = nil,
        dnsMs: Double? = nil, tlsHandshakeMs: Double? = nil, responsivenessRPM: Double? = nil,
        udpBlocked: Bool? = nil, method: MeasurementMethod? = nil
    ) {
        self.downloadMbps = downloadMbps
        self.uploadMbps = uploadMbps
        self.latencyIdleMs = latencyIdleMs
        self.latencyLoadedDownMs = latencyLoadedDownMs
        self.latencyLoadedUpMs = latencyLoadedUpMs
        self.jitterMs = jitterMs
        self.lossPercent = lossPercent
        self.udpProbes = udpProbes
        self.dnsMs = dnsMs
        self.tlsHandshakeMs = tlsHandshakeMs
        self.responsivenessRPM = responsivenessRPM
        self.udpBlocked = udpBlocked
        self.method = method
    }

    enum CodingKeys: String, CodingKey {
        case downloadMbps = "download_mbps"
        case uploadMbps = "upload_mbps"
        case latencyIdleMs = "latency_idle_ms"
        case latencyLoadedDownMs = "latency_loaded_down_ms"
        case latencyLoadedUpMs = "latency_loaded_up_ms"
        case jitterMs = "jitter_ms"
        case jitterUpMs = "jitter_up_ms"
        case jitterDownMs = "jitter_down_ms"
        case ipdvMs = "ipdv_ms"
        case lossPercent = "loss_percent"
        case udpProbes = "udp_probes"
        case dnsMs = "dns_ms"
        case tlsHandshakeMs = "tls_handshake_ms"
        case responsivenessRPM = "responsiveness_rpm"
        case udpBlocked = "udp_blocked"
        case method
    }
}

/// Round-trip time distribution in milliseconds.
public struct LatencySummary: Codable, Sendable, Equatable {
    public var min: Double
    public var p50: Double
    public var p90: Double

    public init(min: Double, p50: Double, p90: Double) {
        self.min = min
        self.p50 = p50
        self.p90 = p90
    }
}

/// Counts of the voice-like UDP probe stream.
public struct UDPProbeCounts: Codable, Sendable, Equatable {
    public var sent: Int
    public var lost: Int
    /// Lost on the way to the responder (known only against HomeReady's own responder).
    public var lostUp: Int?
    /// Lost on the way back.
    public var lostDown: Int?
    public var reordered: Int?
    public var duplicated: Int?

    public init(sent: Int, lost: Int, lostUp: Int? = nil, lostDown: Int? = nil, reordered: Int? = nil, duplicated: Int? = nil) {
        self.sent = sent
        self.lost = lost
        self.lostUp = lostUp
        self.lostDown = lostDown
        self.reordered = reordered
        self.duplicated = duplicated
    }

    enum CodingKeys: String, CodingKey {
        case sent, lost
        case lostUp = "lost_up"
        case lostDown = "lost_down"
        case reordered, duplicated
    }
}

/// The method behind the network figures.
public struct MeasurementMethod: Codable, Sendable, Equatable {
    /// Server or URLs measured against.
    public var server: String?
    public var downloadStreams: Int?
    public var uploadStreams: Int?
    public var downloadSeconds: Double?
    public var uploadSeconds: Double?
    public var downloadBytes: Int64?
    public var uploadBytes: Int64?
    /// The jitter formula, e.g. `rfc3550`.
    public var jitterFormula: String?
    /// The latency probe transport: `udp` or `tcp`.
    public var latencyTransport: String?
    /// A proxy in the path, when one was used.
    public var proxy: String?
    /// The interface the tests were bound to, when one was named.
    public var interface: String?
    /// True when the server reported other tests running at the same time.
    public var serverShared: Bool?
    public var notes: [String]?

    public init(
        server: String? = nil, downloadStreams: Int? = nil, uploadStreams: Int? = nil,
        downloadSeconds: Double? = nil, uploadSeconds: Double? = nil, downloadBytes: Int64? = nil,
        uploadBytes: Int64? = nil, jitterFormula: String? = nil, latencyTransport: String? = nil,
        proxy: String? = nil, interface: String? = nil, serverShared: Bool? = nil, notes: [String]? = nil
    ) {
        self.server = server
        self.downloadStreams = downloadStreams
        self.uploadStreams = uploadStreams
        self.downloadSeconds = downloadSeconds
        self.uploadSeconds = uploadSeconds
        self.downloadBytes = downloadBytes
        self.uploadBytes = uploadBytes
        self.jitterFormula = jitterFormula
        self.latencyTransport = latencyTransport
        self.proxy = proxy
        self.interface = interface
        self.serverShared = serverShared
        self.notes = notes
    }

    enum CodingKeys: String, CodingKey {
        case server
        case downloadStreams = "download_streams"
        case uploadStreams = "upload_streams"
        case downloadSeconds = "download_seconds"
        case uploadSeconds = "upload_seconds"
        case downloadBytes = "download_bytes"
        case uploadBytes = "upload_bytes"
        case jitterFormula = "jitter_formula"
        case latencyTransport = "latency_transport"
        case proxy, interface
        case serverShared = "server_shared"
        case notes
    }
}
