import HomeReadyModel
import HomeReadyScoring

/// Turns measured figures into one finding per profile threshold, each with a remediation a person at home can
/// follow. Pure: no I/O.
public enum NetworkJudge {
    /// One finding per threshold the profile sets (an unset threshold is not judged). A check in `unmeasurable`
    /// that has no figure is `not_applicable` (the way the report was made cannot measure it, e.g. DNS times in
    /// a browser) instead of an error asking the agent to fix the test. `translations` are the profile's
    /// translations of its remediations (`Profile.translations`).
    public static func findings(
        network: NetworkResult, voice: VoiceResult?, thresholds: NetworkThresholds, unmeasurable: Set<String> = [],
        translations: [String: [String: String]]? = nil
    ) -> [Finding] {
        var findings: [Finding] = []
        func judge(
            _ id: String, _ section: Finding.Section = .network, threshold: Threshold?, measured: Double?,
            unit: String, atMost: Bool
        ) {
            guard let threshold else { return }
            let what = TextArgument.term("what.\(id)")
            guard let measured else {
                if unmeasurable.contains(id) {
                    findings.append(Finding(
                        id: id, section: section, severity: .info, status: .notApplicable,
                        limit: .number(threshold.limit), unit: unit,
                        text: LocalizedText("finding.threshold.browser", ["what": what])))
                    return
                }
                findings.append(Finding(
                    id: id, section: section, severity: threshold.severity, status: .error,
                    limit: .number(threshold.limit), unit: unit,
                    text: LocalizedText("finding.threshold.unmeasured", ["what": what]),
                    fix: .key("fix.threshold.unmeasured")))
                return
            }
            let ok = atMost ? measured <= threshold.limit : measured >= threshold.limit
            let rounded = (measured * 100).rounded() / 100
            let bound = atMost ? "at_most" : "at_least"
            let fix = LocalizedText.written(threshold.remediation, path: "\(id).remediation", translations: translations)
                ?? .key("fix.\(id)")
            findings.append(Finding(
                id: id, section: section, severity: threshold.severity,
                status: ok ? .pass : (threshold.severity == .critical ? .fail : .warn),
                measured: .number(rounded), limit: .number(threshold.limit), unit: unit,
                text: LocalizedText("finding.threshold.\(ok ? "pass" : "fail").\(bound)", [
                    "what": what, "measured": .number(rounded, unit: unit), "limit": .number(threshold.limit, unit: unit),
                ]),
                fix: ok ? nil : fix))
        }
        judge("network.download", threshold: thresholds.minDownloadMbps, measured: network.downloadMbps, unit: "Mbit/s",
              atMost: false)
        judge("network.upload", threshold: thresholds.minUploadMbps, measured: network.uploadMbps, unit: "Mbit/s",
              atMost: false)
        judge("network.latency_idle", threshold: thresholds.maxLatencyIdleMs, measured: network.latencyIdleMs?.p50,
              unit: "ms", atMost: true)
        let loaded = [network.latencyLoadedDownMs?.p50, network.latencyLoadedUpMs?.p50].compactMap { $0 }.max()
        judge("network.latency_loaded", threshold: thresholds.maxLatencyLoadedMs, measured: loaded, unit: "ms",
              atMost: true)
        judge("network.jitter", threshold: thresholds.maxJitterMs, measured: network.jitterMs, unit: "ms", atMost: true)
        if let threshold = thresholds.maxLossPercent, let probes = network.udpProbes, probes.sent > 0 {
            findings.append(lossFinding(probes: probes, threshold: threshold, translations: translations))
        } else {
            judge("network.loss", threshold: thresholds.maxLossPercent, measured: network.lossPercent, unit: "%",
                  atMost: true)
        }
        judge("network.dns", threshold: thresholds.maxDNSMs, measured: network.dnsMs, unit: "ms", atMost: true)
        let worstMOS = [voice?.mos, voice?.mosLoaded].compactMap { $0 }.min()
        judge("voice.mos", .voice, threshold: thresholds.minMOS, measured: worstMOS, unit: "MOS", atMost: false)
        let codec = TextArgument.text(thresholds.codec.rawValue)
        let throughVPN = (voice?.vpnOverheadBytes ?? thresholds.vpnOverheadBytes ?? 0) > 0
        if let calls = voice?.maxConcurrentCalls {
            let needed = max(1, thresholds.concurrentCalls)
            let ok = calls >= needed
            findings.append(Finding(
                id: "voice.concurrent_calls", section: .voice, severity: .critical, status: ok ? .pass : .fail,
                measured: .number(Double(calls)), limit: .number(Double(needed)), unit: "calls",
                text: LocalizedText(throughVPN ? "finding.voice.calls_vpn" : "finding.voice.calls", [
                    "count": .count(calls), "codec": codec, "needed": .count(needed),
                ]),
                fix: ok ? nil : .key("fix.voice.calls")))
        }
        if let recommended = voice?.recommendedCodec {
            findings.append(Finding(
                id: "voice.codec", section: .voice, severity: .info, status: .warn,
                measured: .text(recommended), limit: .text(thresholds.codec.rawValue),
                text: LocalizedText("finding.voice.codec", ["recommended": .text(recommended), "codec": codec]),
                fix: LocalizedText(throughVPN ? "fix.voice.codec_vpn" : "fix.voice.codec", ["recommended": .text(recommended)])))
        }
        if let grade = voice?.bufferbloatGrade.flatMap(BufferbloatGrade.init(rawValue:)),
            let increase = voice?.bufferbloatIncreaseMs
        {
            findings.append(Finding(
                id: "network.bufferbloat", section: .network, severity: .info, status: grade.hurtsCalls ? .warn : .pass,
                measured: .text(grade.rawValue),
                text: LocalizedText("finding.network.bufferbloat", [
                    "grade": .text(grade.rawValue), "increase": .number(increase, unit: "ms"),
                ]),
                fix: grade.hurtsCalls ? .key("fix.network.bufferbloat") : nil))
        }
        if let blame = WhoseFault.blame(network: network, findings: findings) {
            findings.append(blame)
        }
        return findings
    }

    /// The loss finding from the probe counts: the 95% Wilson interval decides, so a short stream never passes or
    /// fails a link it could not tell apart from the limit (`inconclusive`).
    static func lossFinding(
        probes: UDPProbeCounts, threshold: Threshold, translations: [String: [String: String]]?
    ) -> Finding {
        let id = "network.loss"
        let measured = Double(probes.lost) / Double(probes.sent) * 100
        let rounded = (measured * 100).rounded() / 100
        let interval = ProportionInterval.wilson(successes: probes.lost, trials: probes.sent)
            ?? ProportionInterval(lower: 0, upper: 1)
        let decision = interval.decide(limit: threshold.limit / 100)
        let status: FindingStatus
        let key: String
        switch decision {
        case .withinLimit:
            status = .pass
            key = "finding.network.loss.pass"
        case .overLimit:
            status = threshold.severity == .critical ? .fail : .warn
            key = "finding.network.loss.fail"
        case .undecided:
            status = .inconclusive
            key = "finding.network.loss.inconclusive"
        }
        let fix: LocalizedText?
        switch decision {
        case .withinLimit: fix = nil
        case .overLimit:
            fix = LocalizedText.written(threshold.remediation, path: "\(id).remediation", translations: translations)
                ?? .key("fix.\(id)")
        case .undecided: fix = .key("fix.network.loss.inconclusive")
        }
        return Finding(
            id: id, section: .network, severity: threshold.severity, status: status, measured: .number(rounded),
            limit: .number(threshold.limit), unit: "%",
            text: LocalizedText(key, [
                "measured": .number(rounded, unit: "%"), "limit": .number(threshold.limit, unit: "%"),
                "low": .number((interval.lower * 10_000).rounded() / 100, unit: "%"),
                "high": .number((interval.upper * 10_000).rounded() / 100, unit: "%"),
                "count": .count(probes.sent),
            ]),
            fix: fix)
    }

    /// The voice estimate for the measured link with the profile's codec. `tunnel` is the per-packet VPN overhead
    /// to count (`TunnelOverhead.forProfile`); by default the thresholds' explicit figure.
    public static func voice(
        network: NetworkResult, thresholds: NetworkThresholds, tunnel: (bytes: Int, transport: VPNTransport?)? = nil
    ) -> VoiceResult? {
        guard let idle = network.latencyIdleMs else { return nil }
        let overhead = tunnel ?? (thresholds.vpnOverheadBytes ?? 0, nil)
        let jitter = network.jitterMs ?? 0
        let loss = network.lossPercent ?? 0
        let conditions = EModel.Conditions(rttMs: idle.p50, jitterMs: jitter, lossPercent: loss)
        let estimate = EModel.estimate(codec: thresholds.codec, conditions: conditions)
        // Under load: each direction's voice stream gives RTT, jitter and loss; a direction measured with latency
        // probes only keeps the idle jitter and loss.
        var busy: [EModel.Conditions] = []
        for (stream, latency) in [(network.voiceLoadedDown, network.latencyLoadedDownMs), (network.voiceLoadedUp, network.latencyLoadedUpMs)] {
            guard let rtt = stream?.rttMs?.p50 ?? latency?.p50 else { continue }
            busy.append(EModel.Conditions(
                rttMs: rtt, jitterMs: stream?.jitterMs ?? jitter, lossPercent: stream?.lossPercent ?? loss))
        }
        let loadedMOS = busy.map { EModel.estimate(codec: thresholds.codec, conditions: $0).mos }.min()
            .map { ($0 * 100).rounded() / 100 }
        var calls: Int?
        if let down = network.downloadMbps, let up = network.uploadMbps {
            calls = CallCapacity.maxConcurrentCalls(
                codec: thresholds.codec, downloadMbps: down, uploadMbps: up, vpnOverheadBytes: overhead.bytes)
        }
        let recommended = CallCapacity.recommendedCodec(
            preferred: thresholds.codec, conditions: conditions, downloadMbps: network.downloadMbps,
            uploadMbps: network.uploadMbps, requiredCalls: thresholds.concurrentCalls,
            vpnOverheadBytes: overhead.bytes, minMOS: thresholds.minMOS?.limit)
        var result = VoiceResult(
            codec: thresholds.codec.rawValue, rFactor: (estimate.rFactor * 10).rounded() / 10,
            mos: (estimate.mos * 100).rounded() / 100, mosLoaded: loadedMOS, maxConcurrentCalls: calls,
            recommendedCodec: recommended?.rawValue, model: EModel.variant)
        if overhead.bytes > 0 {
            result.vpnOverheadBytes = overhead.bytes
            result.vpnType = overhead.transport.map(TunnelOverhead.name)
        }
        if let increase = BufferbloatGrade.meanIncrease(
            idleMs: idle.p50, loadedDownMs: network.latencyLoadedDownMs?.p50, loadedUpMs: network.latencyLoadedUpMs?.p50)
        {
            result.bufferbloatGrade = BufferbloatGrade(increaseMs: increase).rawValue
            result.bufferbloatIncreaseMs = (increase * 10).rounded() / 10
            result.bufferbloatScale = BufferbloatGrade.scale
        }
        return result
    }
}
