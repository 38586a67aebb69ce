import HomeReadyModel
import HomeReadyTestSupport
import Testing

@testable import HomeReadyJudging

let voiceProfile = ReportFixtures.voiceProfile

@Suite struct NetworkJudgeTests {
    @Test func eachThresholdGivesOneFindingWithAHomeRemediation() throws {
        let network = NetworkResult(
            downloadMbps: 5, uploadMbps: 0.5, latencyIdleMs: LatencySummary(min: 20, p50: 25, p90: 40),
            latencyLoadedDownMs: LatencySummary(min: 100, p50: 250, p90: 400), jitterMs: 45, lossPercent: 5, dnsMs: 20)
        let voice = NetworkJudge.voice(network: network, thresholds: voiceProfile.network)
        let findings = NetworkJudge.findings(network: network, voice: voice, thresholds: voiceProfile.network)
        func get(_ id: String) throws -> Finding { try #require(findings.first { $0.id == id }, "\(id)") }
        #expect(try get("network.download").status == .fail)
        #expect(try get("network.download").remediation?.contains("cable") == true)
        #expect(try get("network.upload").status == .fail)
        #expect(try get("network.latency_idle").status == .pass)
        #expect(try get("network.latency_idle").remediation == nil)
        // The loaded-latency threshold is a warning in this profile.
        #expect(try get("network.latency_loaded").status == .warn)
        #expect(try get("network.latency_loaded").remediation?.contains("bufferbloat") == true)
        #expect(try get("network.jitter").status == .fail)
        #expect(try get("network.loss").status == .fail)
        #expect(try get("network.loss").measured == .number(5))
        #expect(try get("network.loss").limit == .number(1))
        #expect(try get("network.loss").unit == "%")
        #expect(try get("network.dns").status == .pass)
        #expect(try get("voice.mos").status == .fail)
        #expect(try get("voice.concurrent_calls").status == .pass)  // 0.5·0.8/0.08 = 5 calls
        #expect(Set(findings.map(\.id)).count == findings.count)
    }

    @Test func profileRemediationWinsAndMissingFiguresAreErrors() throws {
        var thresholds = NetworkThresholds(minDownloadMbps: Threshold(10, remediation: "Call the IT desk at 1234."))
        thresholds.minUploadMbps = Threshold(2, severity: .warning)
        let findings = NetworkJudge.findings(network: NetworkResult(downloadMbps: 1), voice: nil, thresholds: thresholds)
        #expect(findings.first { $0.id == "network.download" }?.remediation == "Call the IT desk at 1234.")
        #expect(findings.first { $0.id == "network.upload" }?.status == .error)
        #expect(findings.count == 2)
    }

    @Test func tightUploadRecommendsACompressedCodec() throws {
        var thresholds = voiceProfile.network
        thresholds.concurrentCalls = 2
        thresholds.vpnOverheadBytes = 60
        let network = NetworkResult(downloadMbps: 20, uploadMbps: 0.25, latencyIdleMs: LatencySummary(min: 20, p50: 25, p90: 30), jitterMs: 2, lossPercent: 0)
        let voice = try #require(NetworkJudge.voice(network: network, thresholds: thresholds))
        // G.711 + 60 B VPN: 104 kbit/s per call; 0.2 Mbit/s usable carries 1.
        #expect(voice.maxConcurrentCalls == 1)
        #expect(voice.recommendedCodec == "opus")
        let findings = NetworkJudge.findings(network: network, voice: voice, thresholds: thresholds)
        #expect(findings.first { $0.id == "voice.concurrent_calls" }?.status == .fail)
        #expect(findings.first { $0.id == "voice.codec" }?.remediation?.contains("VPN") == true)
    }
}
