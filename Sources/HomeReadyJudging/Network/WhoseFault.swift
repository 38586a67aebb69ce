import HomeReadyModel

/// Says where a network problem starts: inside the home (Wi-Fi, the router), at the provider, or in the VPN (the
/// tunnel, the concentrator and what lies behind it), from the round trip to the first hop (the home router) idle
/// and under load, the Wi-Fi signal, and, when the server is reached through a tunnel, the round trip to the VPN
/// gateway outside it set against the server's through it. Pure.
enum WhoseFault {
    /// The first hop answers within this many milliseconds on a healthy home network (wired ≈ 1 ms, good Wi-Fi
    /// a few ms).
    static let healthyFirstHopMs = 10.0
    /// A rise of the first hop's round trip under load beyond this means the home network itself queues.
    static let healthyFirstHopIncreaseMs = 30.0
    /// Voice over Wi-Fi needs about −67 dBm or better (the usual voice-grade Wi-Fi design target).
    static let voiceGradeSignalDbm = -67.0
    /// What the VPN may add on top of the path to its gateway: encryption and one hop inside the data center cost
    /// a few milliseconds, so more than this (idle or under load) is the VPN's doing.
    static let healthyTunnelExcessMs = 30.0

    /// Network findings that count as a problem to place.
    static let placed: Set<String> = [
        "network.latency_idle", "network.latency_loaded", "network.jitter", "network.loss", "voice.mos",
        "network.bufferbloat",
    ]

    /// A finding naming where the trouble starts, when some network finding failed or warned and the first hop or
    /// the VPN gateway was timed; nil otherwise.
    static func blame(network: NetworkResult, findings: [Finding]) -> Finding? {
        let troubled = findings.contains {
            placed.contains($0.id) && ($0.status == .fail || $0.status == .warn || $0.status == .inconclusive)
        }
        guard troubled else { return nil }
        let hop = network.firstHop
        let hopIdle = hop?.rttIdleMs?.p50
        if let hop, let idle = hopIdle, let home = home(hop, idle: idle) { return home }
        if let vpn = vpn(network: network, hopIdleMs: hopIdle) { return vpn }
        guard let idle = hopIdle, let hop else { return nil }
        let loaded = [hop.rttLoadedDownMs?.p50, hop.rttLoadedUpMs?.p50].compactMap { $0 }.max()
        return Finding(
            id: "network.where", section: .network, severity: .info, status: .warn, measured: .text("provider"),
            text: LocalizedText("finding.network.where.provider", ["rtt": milliseconds(max(idle, loaded ?? idle))]),
            fix: .key("fix.network.where.provider"))
    }

    /// The home network's finding when the first hop is slow, queues under load, or the Wi-Fi signal is weak.
    static func home(_ hop: FirstHopResult, idle: Double) -> Finding? {
        let loaded = [hop.rttLoadedDownMs?.p50, hop.rttLoadedUpMs?.p50].compactMap { $0 }.max()
        let increase = loaded.map { max(0, $0 - idle) } ?? 0
        let weakSignal = hop.wireless == true && (hop.wifiSignalDbm.map { $0 < voiceGradeSignalDbm } ?? false)
        guard idle > healthyFirstHopMs || increase > healthyFirstHopIncreaseMs || weakSignal else { return nil }
        let key = hop.wireless == true ? "finding.network.where.home_wifi" : "finding.network.where.home"
        var arguments: [String: TextArgument] = ["rtt": milliseconds(max(idle, loaded ?? idle))]
        if let signal = hop.wifiSignalDbm { arguments["signal"] = .number(signal, unit: "dBm") }
        return Finding(
            id: "network.where", section: .network, severity: .info, status: .warn,
            measured: .text("home"), text: LocalizedText(hop.wifiSignalDbm != nil && hop.wireless == true ? key + "_signal" : key, arguments),
            fix: .key(hop.wireless == true ? "fix.network.where.home_wifi" : "fix.network.where.home"))
    }

    /// The VPN's finding when the server through the tunnel answers more than `healthyTunnelExcessMs` later than
    /// the VPN gateway outside it (idle, or in the same busy direction), and that excess is larger than what the
    /// provider adds between the home router and the gateway.
    static func vpn(network: NetworkResult, hopIdleMs: Double?) -> Finding? {
        guard let leg = network.vpnGateway, let gatewayIdle = leg.rttIdleMs?.p50,
            let serverIdle = network.latencyIdleMs?.p50
        else { return nil }
        var pairs: [(server: Double, gateway: Double)] = [(serverIdle, gatewayIdle)]
        let busy = [
            (network.voiceLoadedDown?.rttMs?.p50 ?? network.latencyLoadedDownMs?.p50, leg.rttLoadedDownMs?.p50),
            (network.voiceLoadedUp?.rttMs?.p50 ?? network.latencyLoadedUpMs?.p50, leg.rttLoadedUpMs?.p50),
        ]
        for case let (server?, gateway?) in busy { pairs.append((server, gateway)) }
        guard let worst = pairs.max(by: { $0.server - $0.gateway < $1.server - $1.gateway }) else { return nil }
        let excess = worst.server - worst.gateway
        let providerShare = worst.gateway - (hopIdleMs ?? 0)
        guard excess > healthyTunnelExcessMs, excess > providerShare else { return nil }
        return Finding(
            id: "network.where", section: .network, severity: .info, status: .warn, measured: .text("vpn"),
            text: LocalizedText("finding.network.where.vpn", [
                "gateway": milliseconds(worst.gateway), "server": milliseconds(worst.server),
                "added": milliseconds(excess),
            ]),
            fix: .key("fix.network.where.vpn"))
    }

    static func milliseconds(_ value: Double) -> TextArgument { .number((value * 10).rounded() / 10, unit: "ms") }
}
