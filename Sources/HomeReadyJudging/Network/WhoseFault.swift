import HomeReadyModel

/// Says where a network problem starts: inside the home (Wi-Fi, the router) or beyond it (the provider), from the
/// round trip to the first hop (the home router) idle and under load and the Wi-Fi signal. Pure.
enum WhoseFault {
    /// The first hop answers within this many milliseconds on a healthy home network (wired ≈ 1 ms, good Wi-Fi
    /// a few ms).
    static let healthyFirstHopMs = 10.0
    /// A rise of the first hop's round trip under load beyond this means the home network itself queues.
    static let healthyFirstHopIncreaseMs = 30.0
    /// Voice over Wi-Fi needs about −67 dBm or better (the usual voice-grade Wi-Fi design target).
    static let voiceGradeSignalDbm = -67.0

    /// Network findings that count as a problem to place.
    static let placed: Set<String> = [
        "network.latency_idle", "network.latency_loaded", "network.jitter", "network.loss", "voice.mos",
        "network.bufferbloat",
    ]

    /// A finding naming where the trouble starts, when some network finding failed or warned; nil otherwise.
    static func blame(network: NetworkResult, firstHop hop: FirstHopResult, findings: [Finding]) -> Finding? {
        let troubled = findings.contains {
            placed.contains($0.id) && ($0.status == .fail || $0.status == .warn || $0.status == .inconclusive)
        }
        guard troubled, let idle = hop.rttIdleMs?.p50 else { return nil }
        let loaded = [hop.rttLoadedDownMs?.p50, hop.rttLoadedUpMs?.p50].compactMap { $0 }.max()
        let increase = loaded.map { max(0, $0 - idle) } ?? 0
        let weakSignal = hop.wireless == true && (hop.wifiSignalDbm.map { $0 < voiceGradeSignalDbm } ?? false)
        let homeSlow = idle > healthyFirstHopMs || increase > healthyFirstHopIncreaseMs
        let rtt = TextArgument.number((max(idle, loaded ?? idle) * 10).rounded() / 10, unit: "ms")
        if homeSlow || weakSignal {
            let key = hop.wireless == true ? "finding.network.where.home_wifi" : "finding.network.where.home"
            var arguments: [String: TextArgument] = ["rtt": rtt]
            if let signal = hop.wifiSignalDbm { arguments["signal"] = .number(signal, unit: "dBm") }
            return Finding(
                id: "network.where", section: .network, severity: .info, status: .warn,
                measured: .text("home"), text: LocalizedText(hop.wifiSignalDbm != nil && hop.wireless == true ? key + "_signal" : key, arguments),
                fix: .key(hop.wireless == true ? "fix.network.where.home_wifi" : "fix.network.where.home"))
        }
        return Finding(
            id: "network.where", section: .network, severity: .info, status: .warn, measured: .text("provider"),
            text: LocalizedText("finding.network.where.provider", ["rtt": rtt]),
            fix: .key("fix.network.where.provider"))
    }
}
