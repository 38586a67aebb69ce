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
        judge("network.loss", threshold: thresholds.maxLossPercent, measured: network.lossPercent, unit: "%",
              atMost: true)
        judge("network.dns", threshold: thresholds.maxDNSMs, measured: network.dnsMs, unit: "ms", atMost: true)
        let worstMOS = [voice?.mos, voice?.mosLoaded].compactMap { $0 }.min()
        judge("voice.mos", .voice, threshold: thresholds.minMOS, measured: worstMOS, unit: "MOS", atMost: false)
        let codec = TextArgument.text(thresholds.codec.rawValue)
        let throughVPN = thresholds.vpnOverheadBytes > 0
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
        return findings
    }

    /// The voice estimate for the measured link with the profile's codec.
    public static func voice(network: NetworkResult, thresholds: NetworkThresholds) -> VoiceResult? {
        guard let idle = network.latencyIdleMs else { return nil }
        let jitter = network.jitterMs ?? 0
        let loss = network.lossPercent ?? 0
        let conditions = EModel.Conditions(rttMs: idle.p50, jitterMs: jitter, lossPercent: loss)
        let estimate = EModel.estimate(codec: thresholds.codec, conditions: conditions)
        var loadedMOS: Double?
        if let loaded = [network.latencyLoadedDownMs?.p50, network.latencyLoadedUpMs?.p50].compactMap({ $0 }).max() {
            let busy = EModel.Conditions(rttMs: loaded, jitterMs: jitter, lossPercent: loss)
            loadedMOS = (EModel.estimate(codec: thresholds.codec, conditions: busy).mos * 100).rounded() / 100
        }
        var calls: Int?
        if let down = network.downloadMbps, let up = network.uploadMbps {
            calls = CallCapacity.maxConcurrentCalls(
                codec: thresholds.codec, downloadMbps: down, uploadMbps: up, vpnOverheadBytes: thresholds.vpnOverheadBytes)
        }
        let recommended = CallCapacity.recommendedCodec(
            preferred: thresholds.codec, conditions: conditions, downloadMbps: network.downloadMbps,
            uploadMbps: network.uploadMbps, requiredCalls: thresholds.concurrentCalls,
            vpnOverheadBytes: thresholds.vpnOverheadBytes, minMOS: thresholds.minMOS?.limit)
        return VoiceResult(
            codec: thresholds.codec.rawValue, rFactor: (estimate.rFactor * 10).rounded() / 10,
            mos: (estimate.mos * 100).rounded() / 100, mosLoaded: loadedMOS, maxConcurrentCalls: calls,
            recommendedCodec: recommended?.rawValue, model: EModel.variant)
    }
}
