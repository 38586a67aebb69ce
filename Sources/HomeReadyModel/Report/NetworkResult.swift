/// What the network section measured. Every figure is optional: a figure that could not be measured is absent.
public struct NetworkResult: Codable, Sendable, Equatable {
    public var downloadMbps: Double?
    public var uploadMbps: Double?
    public var latencyIdleMs: LatencySummary?
    public var latencyLoadedDownMs: LatencySummary?
    public var latencyLoadedUpMs: LatencySummary?
    /// Jitter of the idle voice-like stream in milliseconds: the mean |IPDV| of consecutive answered probes (as irtt
    /// and Cloudflare report it; `method.jitter_formula` names the formula used).
    public var jitterMs: Double?
    /// The RFC 3550 running estimate (J += (|D| − J)/16) of the same stream, its last value, in milliseconds.
    public var jitterRFC3550Ms: Double?
    /// RFC 3550 jitter of the upstream leg alone (HomeReady responder only), in milliseconds.
    public var jitterUpMs: Double?
    /// RFC 3550 jitter of the downstream leg alone (HomeReady responder only), in milliseconds.
    public var jitterDownMs: Double?
    /// Absolute IPDV, |RTT(n) − RTT(n−1)| of consecutive answered probes (irtt's figure), in milliseconds.
    public var ipdvMs: LatencySummary?
    /// Share of unanswered probes, in percent.
    public var lossPercent: Double?
    /// The 95% confidence interval of the loss (Wilson score), in percent.
    public var lossCI95Percent: PercentInterval?
    /// The voice-like stream run while the download saturated the link.
    public var voiceLoadedDown: LoadedVoiceStream?
    /// The voice-like stream run while the upload saturated the link.
    public var voiceLoadedUp: LoadedVoiceStream?
    /// The home router (the first hop), idle and under load, to tell the home network from the provider.
    public var firstHop: FirstHopResult?
    /// The VPN gateway outside the tunnel, idle and under load, when the server is reached through a tunnel: to
    /// tell the VPN's share of a problem from the home's and the provider's.
    public var vpnGateway: VPNGatewayLegResult?
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
        case jitterRFC3550Ms = "jitter_rfc3550_ms"
        case jitterUpMs = "jitter_up_ms"
        case jitterDownMs = "jitter_down_ms"
        case ipdvMs = "ipdv_ms"
        case lossPercent = "loss_percent"
        case lossCI95Percent = "loss_ci95_percent"
        case voiceLoadedDown = "voice_loaded_down"
        case voiceLoadedUp = "voice_loaded_up"
        case firstHop = "first_hop"
        case vpnGateway = "vpn_gateway"
        case udpProbes = "udp_probes"
        case dnsMs = "dns_ms"
        case tlsHandshakeMs = "tls_handshake_ms"
        case responsivenessRPM = "responsiveness_rpm"
        case udpBlocked = "udp_blocked"
        case method
    }
}

/// A confidence interval in percent.
public struct PercentInterval: Codable, Sendable, Equatable {
    public var low: Double
    public var high: Double

    public init(low: Double, high: Double) {
        self.low = low
        self.high = high
    }
}

/// A voice-like UDP stream (50 packets/s of 172 bytes) run while one direction is saturated.
public struct LoadedVoiceStream: Codable, Sendable, Equatable {
    public var rttMs: LatencySummary?
    /// Mean |IPDV| of consecutive answered probes, in milliseconds.
    public var jitterMs: Double?
    public var lossPercent: Double?
    public var lossCI95Percent: PercentInterval?
    public var sent: Int
    public var lost: Int

    public init(
        rttMs: LatencySummary? = nil, jitterMs: Double? = nil, lossPercent: Double? = nil,
        lossCI95Percent: PercentInterval? = nil, sent: Int, lost: Int
    ) {
        self.rttMs = rttMs
        self.jitterMs = jitterMs
        self.lossPercent = lossPercent
        self.lossCI95Percent = lossCI95Percent
        self.sent = sent
        self.lost = lost
    }

    enum CodingKeys: String, CodingKey {
        case rttMs = "rtt_ms"
        case jitterMs = "jitter_ms"
        case lossPercent = "loss_percent"
        case lossCI95Percent = "loss_ci95_percent"
        case sent, lost
    }
}

/// Round trips to the first hop (the home router, the default gateway), idle and while each direction is busy.
public struct FirstHopResult: Codable, Sendable, Equatable {
    /// The gateway's address.
    public var address: String
    /// How the round trip was timed: `tcp` (a TCP handshake or reset from the router).
    public var method: String
    public var rttIdleMs: LatencySummary?
    public var rttLoadedDownMs: LatencySummary?
    public var rttLoadedUpMs: LatencySummary?
    /// The interface toward it.
    public var interface: String?
    /// True on Wi-Fi, false wired, nil unknown.
    public var wireless: Bool?
    /// The Wi-Fi signal in dBm, when on Wi-Fi.
    public var wifiSignalDbm: Double?

    public init(
        address: String, method: String = "tcp", rttIdleMs: LatencySummary? = nil, rttLoadedDownMs: LatencySummary? = nil,
        rttLoadedUpMs: LatencySummary? = nil, interface: String? = nil, wireless: Bool? = nil, wifiSignalDbm: Double? = nil
    ) {
        self.address = address
        self.method = method
        self.rttIdleMs = rttIdleMs
        self.rttLoadedDownMs = rttLoadedDownMs
        self.rttLoadedUpMs = rttLoadedUpMs
        self.interface = interface
        self.wireless = wireless
        self.wifiSignalDbm = wifiSignalDbm
    }

    enum CodingKeys: String, CodingKey {
        case address, method
        case rttIdleMs = "rtt_idle_ms"
        case rttLoadedDownMs = "rtt_loaded_down_ms"
        case rttLoadedUpMs = "rtt_loaded_up_ms"
        case interface, wireless
        case wifiSignalDbm = "wifi_signal_dbm"
    }
}

/// Round trips to the VPN gateway outside the tunnel, idle and while each direction is busy, when the test server
/// is reached through the tunnel.
public struct VPNGatewayLegResult: Codable, Sendable, Equatable {
    /// The profile gateway's name and the address timed.
    public var name: String
    public var address: String
    /// The tunnel interface the server's traffic leaves by.
    public var tunnelInterface: String
    /// How the round trip was timed: `tcp` (a TCP handshake or reset from the gateway).
    public var method: String
    public var rttIdleMs: LatencySummary?
    public var rttLoadedDownMs: LatencySummary?
    public var rttLoadedUpMs: LatencySummary?

    public init(
        name: String, address: String, tunnelInterface: String, method: String = "tcp", rttIdleMs: LatencySummary? = nil,
        rttLoadedDownMs: LatencySummary? = nil, rttLoadedUpMs: LatencySummary? = nil
    ) {
        self.name = name
        self.address = address
        self.tunnelInterface = tunnelInterface
        self.method = method
        self.rttIdleMs = rttIdleMs
        self.rttLoadedDownMs = rttLoadedDownMs
        self.rttLoadedUpMs = rttLoadedUpMs
    }

    enum CodingKeys: String, CodingKey {
        case name, address, method
        case tunnelInterface = "tunnel_interface"
        case rttIdleMs = "rtt_idle_ms"
        case rttLoadedDownMs = "rtt_loaded_down_ms"
        case rttLoadedUpMs = "rtt_loaded_up_ms"
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
