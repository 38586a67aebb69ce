import HomeReadyModel
import Yams

extension NetworkThresholds {
    /// Reads the `network:` section.
    static func read(_ section: MappingReader) -> NetworkThresholds {
        var result = NetworkThresholds()
        result.minDownloadMbps = Threshold.read(section, "min_download_mbps", range: 0.01...100_000, unit: "Mbit/s")
        result.minUploadMbps = Threshold.read(section, "min_upload_mbps", range: 0.01...100_000, unit: "Mbit/s")
        result.maxLatencyIdleMs = Threshold.read(section, "max_latency_idle_ms", range: 1...10_000, unit: "milliseconds")
        result.maxLatencyLoadedMs = Threshold.read(section, "max_latency_loaded_ms", range: 1...10_000, unit: "milliseconds")
        result.maxJitterMs = Threshold.read(section, "max_jitter_ms", range: 0...5_000, unit: "milliseconds")
        result.maxLossPercent = Threshold.read(section, "max_loss_percent", range: 0...100, unit: "percent")
        result.minMOS = Threshold.read(section, "min_mos", range: 1...4.5, unit: "MOS (1 to 4.5)")
        result.maxDNSMs = Threshold.read(section, "max_dns_ms", range: 1...30_000, unit: "milliseconds")
        if let codec = section.oneOf("codec", VoiceCodec.self) { result.codec = codec }
        if let calls = section.int("concurrent_calls", range: 1...1_000, expected: "a number of simultaneous calls") {
            result.concurrentCalls = calls
        }
        if let overhead = section.int("vpn_overhead_bytes", range: 0...400, expected: "bytes the VPN adds per packet") {
            result.vpnOverheadBytes = overhead
        }
        if let days = section.int("check_freshness_days", range: 1...365, expected: "a number of days") {
            result.checkFreshnessDays = days
        }
        if let idle = result.maxLatencyIdleMs?.limit, let loaded = result.maxLatencyLoadedMs?.limit, loaded < idle {
            section.diagnostics.report(
                at: section.location(of: "max_latency_loaded_ms"), field: section.field("max_latency_loaded_ms"),
                "is \(format(loaded)) ms, below max_latency_idle_ms (\(format(idle)) ms): latency under load is never lower than idle latency")
        }
        section.rejectUnknownKeys()
        return result
    }
}

extension Threshold {
    /// Reads a threshold written as a bare number (critical) or as `{limit, severity, remediation}`.
    static func read(_ section: MappingReader, _ key: String, range: ClosedRange<Double>, unit: String) -> Threshold? {
        guard let node = section.value(key) else { return nil }
        let field = section.field(key)
        let expected = "a number of \(unit), or a mapping with `limit`, `severity` and `remediation`"
        if node.mapping != nil {
            guard let mapping = MappingReader(node, path: field, diagnostics: section.diagnostics) else { return nil }
            let limit = mapping.double("limit", required: true, range: range, expected: "a number of \(unit)")
            let severity = mapping.oneOf("severity", Severity.self) ?? .critical
            let remediation = mapping.string("remediation", expected: "advice a person at home can follow")
            mapping.rejectUnknownKeys()
            return limit.map { Threshold($0, severity: severity, remediation: remediation) }
        }
        return readDouble(node, field: field, range: range, expected: expected, diagnostics: section.diagnostics)
            .map { Threshold($0) }
    }
}
