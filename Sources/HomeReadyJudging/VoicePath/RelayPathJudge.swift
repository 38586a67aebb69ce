import HomeReadyLocalization
import HomeReadyModel

/// Findings for the TURN relays and the NAT type: whether calls can fall back to the company relay when UDP media
/// is blocked, over which transport, how well the relay carries audio, and whether the home router's NAT forces
/// every call through the relay. Pure.
enum RelayPathJudge {
    /// Relay round trip above which the relay warns when the profile sets no idle latency limit (ms).
    static let defaultMaxRelayRTTMs = 150.0
    /// Loss through the relay above which it warns when the profile sets no loss limit (%).
    static let defaultMaxRelayLossPercent = 1.0

    static func findings(turn: [TURNResult], natType: NATTypeResult?, profile: Profile) -> [Finding] {
        relayFindings(turn, profile: profile) + natFindings(natType, relaysWork: turn.contains(where: works))
    }

    /// Whether a relay allocated and carried at least part of the stream.
    static func works(_ result: TURNResult) -> Bool {
        result.state == .allocated && result.relayRTTMs != nil && (result.lossPercent ?? 0) < 100
    }

    static func relayFindings(_ turn: [TURNResult], profile: Profile) -> [Finding] {
        guard !turn.isEmpty else { return [] }
        let checked = turn.filter { $0.state != .noCredentials }
        guard !checked.isEmpty else {
            return [
                Finding(
                    id: "voice_path.turn", section: .voice, severity: .info, status: .skipped,
                    text: .key("finding.voice.turn.no_credentials"), fix: .key("fix.voice.turn.no_credentials"))
            ]
        }
        let working = checked.filter(works)
        guard !working.isEmpty else {
            let authRefused = checked.contains { $0.state == .authFailed }
            let tlsOnly = checked.allSatisfy { $0.transport == .tls }
            let relays = TextArgument.text(describe(checked))
            return [
                Finding(
                    id: "voice_path.turn", section: .voice, severity: .critical, status: .fail,
                    measured: .text(checked.map { "\($0.transport.rawValue):\($0.state.rawValue)" }.joined(separator: ",")),
                    limit: .text(TURNResult.State.allocated.rawValue),
                    text: LocalizedText(authRefused ? "finding.voice.turn.auth_failed" : "finding.voice.turn.fail", ["relays": relays]),
                    fix: authRefused
                        ? .key("fix.voice.turn.auth_failed")
                        : LocalizedText(tlsOnly ? "fix.voice.turn.blocked_tls" : "fix.voice.turn.blocked", ["relays": relays]))
            ]
        }
        var findings: [Finding] = []
        // What calls will use: UDP when it works, else the first relay that does.
        let used = working.first { $0.transport == .udp } ?? working[0]
        let udpChecked = checked.contains { $0.transport == .udp }
        let udpWorks = working.contains { $0.transport == .udp }
        findings.append(
            Finding(
                id: "voice_path.turn", section: .voice, severity: .critical, status: .pass,
                measured: .text(used.transport.rawValue), limit: .text(TURNResult.State.allocated.rawValue),
                text: LocalizedText("finding.voice.turn.pass", [
                    "relay": .text("\(used.host):\(used.port)"), "transport": .text(transportName(used.transport)),
                    "rtt": .number(used.relayRTTMs ?? 0, unit: "ms"),
                ])))
        if udpChecked, !udpWorks {
            let failedUDP = checked.first { $0.transport == .udp }!
            findings.append(
                Finding(
                    id: "voice_path.turn.udp", section: .voice, severity: .warning, status: .warn,
                    measured: .text(failedUDP.state.rawValue), limit: .text(TURNResult.State.allocated.rawValue),
                    text: LocalizedText("finding.voice.turn.tcp_only", ["transport": .text(transportName(used.transport))]),
                    fix: LocalizedText("fix.voice.turn.udp_blocked", ["port": .text(String(failedUDP.port))])))
        }
        let maxRTT = profile.network.maxLatencyIdleMs?.limit ?? defaultMaxRelayRTTMs
        let maxLoss = profile.network.maxLossPercent?.limit ?? defaultMaxRelayLossPercent
        let rtt = used.relayRTTMs ?? 0
        let loss = used.lossPercent ?? 0
        if rtt > maxRTT || loss > maxLoss {
            let slow = rtt > maxRTT
            findings.append(
                Finding(
                    id: "voice_path.turn.quality", section: .voice, severity: .warning, status: .warn,
                    measured: .number(slow ? rtt : loss), limit: .number(slow ? maxRTT : maxLoss), unit: slow ? "ms" : "%",
                    text: LocalizedText(slow ? "finding.voice.turn.slow" : "finding.voice.turn.lossy", [
                        "transport": .text(transportName(used.transport)),
                        "rtt": .number(rtt, unit: "ms"), "limit": .number(slow ? maxRTT : maxLoss, unit: slow ? "ms" : "%"),
                        "loss": .number(loss, unit: "%"),
                    ]),
                    fix: .key("fix.voice.turn.quality")))
        }
        return findings
    }

    static func natFindings(_ nat: NATTypeResult?, relaysWork: Bool) -> [Finding] {
        guard let nat else { return [] }
        let id = "voice_path.nat_type"
        let measured = FindingValue.text(nat.type.rawValue)
        switch nat.type {
        case .open, .cone:
            return [
                Finding(
                    id: id, section: .voice, severity: .warning, status: .pass, measured: measured,
                    limit: .text("cone"), text: .key("finding.voice.nat.\(nat.type.rawValue)"))
            ]
        case .symmetric:
            return [
                Finding(
                    id: id, section: .voice, severity: .warning, status: .warn, measured: measured, limit: .text("cone"),
                    text: .key(relaysWork ? "finding.voice.nat.symmetric" : "finding.voice.nat.symmetric_no_relay"),
                    fix: .key("fix.voice.nat.symmetric"))
            ]
        case .unknown:
            return [
                Finding(
                    id: id, section: .voice, severity: .info, status: .skipped, measured: measured,
                    text: .key("finding.voice.nat.unknown"), fix: .key("fix.voice.nat.unknown"))
            ]
        }
    }

    /// "TCP" for TCP, "TLS" for TLS (over TCP), "UDP".
    static func transportName(_ transport: TURNTransport) -> String { transport.rawValue.uppercased() }

    /// `host:port (UDP), host:port (TCP)`: technical, the same in every language.
    static func describe(_ results: [TURNResult]) -> String {
        results.map { "\($0.host):\($0.port) (\(transportName($0.transport)))" }.joined(separator: ", ")
    }
}
