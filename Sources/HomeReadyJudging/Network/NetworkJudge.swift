import HomeReadyModel
import HomeReadyScoring

/// Turns measured figures into one finding per profile threshold, each with a remediation a person at home can
/// follow. Pure: no I/O.
public enum NetworkJudge {
    /// Default remediations, used when the profile gives none.
    enum Advice {
        static let download = "Use the cable instead of Wi-Fi, pause other devices' streaming and downloads, or ask your provider for a faster plan."
        static let upload = "Use the cable instead of Wi-Fi, stop cloud backups and uploads on other devices, or ask your provider for more upload speed."
        static let latency = "Use the cable instead of Wi-Fi and move closer to the router; if it stays high, call your provider."
        static let loaded = "Your connection slows down when it is busy (bufferbloat): pause other devices' streaming and downloads during calls, or turn on SQM/QoS in the router."
        static let jitter = "Use the cable instead of Wi-Fi and pause other devices' streaming during calls."
        static let loss = "Use the cable instead of Wi-Fi, restart the router, and call your provider if packets keep getting lost."
        static let mos = "Call quality would suffer: use the cable, pause other devices' streaming during calls, and stay close to the router."
        static let dns = "Name lookups are slow: restart the router, or ask IT which DNS server to use."
        static let calls = "Your connection cannot carry the calls your role needs: ask your provider for more upload speed, or ask IT for a compressed codec."
    }

    /// One finding per threshold the profile sets (an unset threshold is not judged). A check in `unmeasurable`
    /// that has no figure is `not_applicable` (the way the report was made cannot measure it, e.g. DNS times in
    /// a browser) instead of an error asking the agent to fix the test.
    public static func findings(
        network: NetworkResult, voice: VoiceResult?, thresholds: NetworkThresholds, unmeasurable: Set<String> = []
    ) -> [Finding] {
        var findings: [Finding] = []
        func judge(
            _ id: String, _ section: Finding.Section = .network, threshold: Threshold?, measured: Double?,
            unit: String, atMost: Bool, what: String, advice: String
        ) {
            guard let threshold else { return }
            guard let measured else {
                if unmeasurable.contains(id) {
                    findings.append(Finding(
                        id: id, section: section, severity: .info, status: .notApplicable,
                        limit: .number(threshold.limit), unit: unit,
                        message: "\(what) is not measured by the browser self-test; the full check (homeready check) measures it."))
                    return
                }
                findings.append(Finding(
                    id: id, section: section, severity: threshold.severity, status: .error,
                    limit: .number(threshold.limit), unit: unit,
                    message: "\(what) could not be measured.",
                    remediation: "Check that the test server is reachable, then run the check again."))
                return
            }
            let ok = atMost ? measured <= threshold.limit : measured >= threshold.limit
            let rounded = (measured * 100).rounded() / 100
            let shown = FindingValue.number(rounded).description
            let limitText = FindingValue.number(threshold.limit).description
            findings.append(Finding(
                id: id, section: section, severity: threshold.severity,
                status: ok ? .pass : (threshold.severity == .critical ? .fail : .warn),
                measured: .number(rounded), limit: .number(threshold.limit), unit: unit,
                message: ok
                    ? "\(what) is \(shown) \(unit) (limit \(atMost ? "at most" : "at least") \(limitText) \(unit))."
                    : "\(what) is \(shown) \(unit), \(atMost ? "above" : "below") the \(limitText) \(unit) your role needs.",
                remediation: ok ? nil : (threshold.remediation ?? advice)))
        }
        judge("network.download", threshold: thresholds.minDownloadMbps, measured: network.downloadMbps, unit: "Mbit/s",
              atMost: false, what: "Download speed", advice: Advice.download)
        judge("network.upload", threshold: thresholds.minUploadMbps, measured: network.uploadMbps, unit: "Mbit/s",
              atMost: false, what: "Upload speed", advice: Advice.upload)
        judge("network.latency_idle", threshold: thresholds.maxLatencyIdleMs, measured: network.latencyIdleMs?.p50,
              unit: "ms", atMost: true, what: "Round-trip time at rest (median)", advice: Advice.latency)
        let loaded = [network.latencyLoadedDownMs?.p50, network.latencyLoadedUpMs?.p50].compactMap { $0 }.max()
        judge("network.latency_loaded", threshold: thresholds.maxLatencyLoadedMs, measured: loaded, unit: "ms",
              atMost: true, what: "Round-trip time while the line is busy (median, worse direction)", advice: Advice.loaded)
        judge("network.jitter", threshold: thresholds.maxJitterMs, measured: network.jitterMs, unit: "ms", atMost: true,
              what: "Jitter (RFC 3550)", advice: Advice.jitter)
        judge("network.loss", threshold: thresholds.maxLossPercent, measured: network.lossPercent, unit: "%",
              atMost: true, what: "Packet loss", advice: Advice.loss)
        judge("network.dns", threshold: thresholds.maxDNSMs, measured: network.dnsMs, unit: "ms", atMost: true,
              what: "DNS lookup time", advice: Advice.dns)
        let worstMOS = [voice?.mos, voice?.mosLoaded].compactMap { $0 }.min()
        judge("voice.mos", .voice, threshold: thresholds.minMOS, measured: worstMOS, unit: "MOS", atMost: false,
              what: "Estimated call quality (E-model MOS, worse of idle and busy)", advice: Advice.mos)
        if let calls = voice?.maxConcurrentCalls {
            let needed = max(1, thresholds.concurrentCalls)
            let ok = calls >= needed
            findings.append(Finding(
                id: "voice.concurrent_calls", section: .voice, severity: .critical, status: ok ? .pass : .fail,
                measured: .number(Double(calls)), limit: .number(Double(needed)), unit: "calls",
                message: "The measured speeds carry \(calls) simultaneous \(thresholds.codec.rawValue) call\(calls == 1 ? "" : "s") (headers\(thresholds.vpnOverheadBytes > 0 ? " and VPN overhead" : "") included); your role needs \(needed).",
                remediation: ok ? nil : Advice.calls))
        }
        if let recommended = voice?.recommendedCodec {
            findings.append(Finding(
                id: "voice.codec", section: .voice, severity: .info, status: .warn,
                measured: .text(recommended), limit: .text(thresholds.codec.rawValue),
                message: "This link would sound better with \(recommended) than with \(thresholds.codec.rawValue).",
                remediation: "Ask IT to switch your softphone to \(recommended)\(thresholds.vpnOverheadBytes > 0 ? " (audio compression helps on VPN links)" : "")."))
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
