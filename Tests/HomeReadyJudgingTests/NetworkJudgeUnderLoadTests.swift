import HomeReadyModel
import HomeReadyScoring
import HomeReadyTestSupport
import Testing

@testable import HomeReadyJudging

@Suite struct NetworkJudgeUnderLoadTests {
    let idle = LatencySummary(min: 18, p50: 20, p90: 24)

    func network(sent: Int, lost: Int) -> NetworkResult {
        NetworkResult(
            downloadMbps: 50, uploadMbps: 10, latencyIdleMs: idle, jitterMs: 2,
            lossPercent: Double(lost) / Double(sent) * 100, udpProbes: UDPProbeCounts(sent: sent, lost: lost))
    }

    func loss(_ network: NetworkResult) throws -> Finding {
        let voice = NetworkJudge.voice(network: network, thresholds: voiceProfile.network)
        return try #require(
            NetworkJudge.findings(network: network, voice: voice, thresholds: voiceProfile.network).first { $0.id == "network.loss" })
    }

    @Test("loss is decided by its 95% interval: too few probes near the limit is inconclusive, never a pass")
    func lossIsDecidedByTheInterval() throws {
        // 0.4% over 250 probes: the interval (0.07–2.2%) straddles the 1% limit.
        let short = try loss(network(sent: 250, lost: 1))
        #expect(short.status == .inconclusive)
        #expect(short.message.contains("too close"))
        #expect(short.remediation?.contains("cable") == true)
        // The same rate over 1,500 probes decides: within the limit.
        let long = try loss(network(sent: 1500, lost: 6))
        #expect(long.status == .pass)
        #expect(long.message.contains("1,500") || long.message.contains("1500"))
        // Zero lost of 250 cannot prove < 1% (upper bound 1.5%); of 400 it can.
        #expect(try loss(network(sent: 250, lost: 0)).status == .inconclusive)
        #expect(try loss(network(sent: 400, lost: 0)).status == .pass)
        #expect(try loss(network(sent: 1000, lost: 30)).status == .fail)
    }

    @Test("an inconclusive critical finding leaves the verdict incomplete, not ready")
    func inconclusiveVerdict() {
        let finding = Finding(id: "network.loss", section: .network, severity: .critical, status: .inconclusive, message: "x")
        #expect(Verdict.decide(from: [finding]) == .incomplete)
        var warning = finding
        warning.severity = .warning
        #expect(Verdict.decide(from: [warning]) == .readyWithWarnings)
    }

    @Test("the loaded MOS uses the loaded stream's RTT, jitter and loss, and the worse direction")
    func loadedMOS() throws {
        var result = network(sent: 1500, lost: 0)
        result.latencyLoadedDownMs = LatencySummary(min: 30, p50: 40, p90: 60)
        let onlyLatency = try #require(NetworkJudge.voice(network: result, thresholds: voiceProfile.network))
        result.voiceLoadedUp = LoadedVoiceStream(
            rttMs: LatencySummary(min: 30, p50: 45, p90: 80), jitterMs: 25, lossPercent: 4, sent: 150, lost: 6)
        let withStream = try #require(NetworkJudge.voice(network: result, thresholds: voiceProfile.network))
        let expected = EModel.estimate(codec: .g711, conditions: .init(rttMs: 45, jitterMs: 25, lossPercent: 4)).mos
        #expect(abs(try #require(withStream.mosLoaded) - expected) < 0.01)
        #expect(try #require(withStream.mosLoaded) < (try #require(onlyLatency.mosLoaded)))
    }

    @Test("the bufferbloat grade names its scale and warns from C")
    func bufferbloat() throws {
        var result = network(sent: 1500, lost: 0)
        result.latencyLoadedDownMs = LatencySummary(min: 30, p50: 120, p90: 200)
        result.latencyLoadedUpMs = LatencySummary(min: 30, p50: 60, p90: 90)
        let voice = try #require(NetworkJudge.voice(network: result, thresholds: voiceProfile.network))
        #expect(voice.bufferbloatGrade == "C")  // mean increase (100 + 40) / 2 = 70 ms
        #expect(voice.bufferbloatIncreaseMs == 70)
        #expect(voice.bufferbloatScale == BufferbloatGrade.scale)
        let finding = try #require(
            NetworkJudge.findings(network: result, voice: voice, thresholds: voiceProfile.network).first { $0.id == "network.bufferbloat" })
        #expect(finding.status == .warn)
        #expect(finding.measured == .text("C"))
        #expect(finding.message.contains("70 ms"))
        result.latencyLoadedDownMs = LatencySummary(min: 20, p50: 22, p90: 25)
        result.latencyLoadedUpMs = nil
        let good = try #require(NetworkJudge.voice(network: result, thresholds: voiceProfile.network))
        #expect(good.bufferbloatGrade == "A+")
    }

    @Test("whose fault: a slow or weak home network, else the provider; nothing to place when all passes")
    func whoseFault() throws {
        var result = network(sent: 1500, lost: 60)  // 4% loss: fails
        func place(_ hop: FirstHopResult) throws -> Finding? {
            result.firstHop = hop
            let voice = NetworkJudge.voice(network: result, thresholds: voiceProfile.network)
            return NetworkJudge.findings(network: result, voice: voice, thresholds: voiceProfile.network).first { $0.id == "network.where" }
        }
        let fine = LatencySummary(min: 0.6, p50: 0.9, p90: 1.4)
        let provider = try #require(try place(FirstHopResult(address: "192.168.1.1", rttIdleMs: fine, rttLoadedDownMs: fine, wireless: false)))
        #expect(provider.measured == .text("provider"))
        let wifi = try #require(try place(FirstHopResult(
            address: "192.168.1.1", rttIdleMs: LatencySummary(min: 3, p50: 4, p90: 30),
            rttLoadedDownMs: LatencySummary(min: 20, p50: 80, p90: 150), wireless: true, wifiSignalDbm: -74)))
        #expect(wifi.measured == .text("home"))
        #expect(wifi.message.contains("-74"))
        #expect(wifi.remediation?.contains("cable") == true)
        result = network(sent: 1500, lost: 0)
        #expect(try place(FirstHopResult(address: "192.168.1.1", rttIdleMs: fine)) == nil)
    }

    @Test("whose fault: the VPN when the server through the tunnel answers far later than the gateway outside it")
    func whoseFaultVPN() throws {
        var result = network(sent: 1500, lost: 60)  // 4% loss: fails
        func place(_ leg: VPNGatewayLegResult?, hop: FirstHopResult?) -> Finding? {
            result.vpnGateway = leg
            result.firstHop = hop
            let voice = NetworkJudge.voice(network: result, thresholds: voiceProfile.network)
            return NetworkJudge.findings(network: result, voice: voice, thresholds: voiceProfile.network).first { $0.id == "network.where" }
        }
        let router = FirstHopResult(address: "192.168.1.1", rttIdleMs: LatencySummary(min: 0.6, p50: 0.9, p90: 1.4), wireless: false)
        func leg(idle: Double, loadedDown: Double? = nil) -> VPNGatewayLegResult {
            VPNGatewayLegResult(
                name: "hq", address: "203.0.113.5", tunnelInterface: "tun0", rttIdleMs: LatencySummary(min: idle, p50: idle, p90: idle),
                rttLoadedDownMs: loadedDown.map { LatencySummary(min: $0, p50: $0, p90: $0) })
        }
        // Server 20 ms through the tunnel, gateway 15 ms outside it: the tunnel adds 5 ms, the provider it is.
        #expect(place(leg(idle: 15), hop: router)?.measured == .text("provider"))
        // Server 80 ms, gateway 12 ms: the VPN adds 68 ms, more than the 11 ms the provider adds.
        result.latencyIdleMs = LatencySummary(min: 78, p50: 80, p90: 90)
        let vpn = try #require(place(leg(idle: 12), hop: router))
        #expect(vpn.measured == .text("vpn"))
        #expect(vpn.message.contains("68 ms") && vpn.message.contains("12 ms") && vpn.message.contains("80 ms"), "\(vpn.message)")
        #expect(vpn.remediation?.contains("IT") == true)
        // Without the first hop the VPN is still told; a slow home network comes first.
        #expect(place(leg(idle: 12), hop: nil)?.measured == .text("vpn"))
        let slowHome = FirstHopResult(address: "192.168.1.1", rttIdleMs: LatencySummary(min: 20, p50: 25, p90: 40), wireless: true)
        #expect(place(leg(idle: 40), hop: slowHome)?.measured == .text("home"))
        // Gateway 70 ms outside, server 80 ms through: the provider's 69 ms, not the VPN's 10.
        #expect(place(leg(idle: 70), hop: router)?.measured == .text("provider"))
        // Idle fine, but under download load the server's call RTT rises 60 ms beyond the gateway's: the VPN queues.
        result.latencyIdleMs = idle
        result.voiceLoadedDown = LoadedVoiceStream(
            rttMs: LatencySummary(min: 70, p50: 80, p90: 95), jitterMs: 3, lossPercent: 0, lossCI95Percent: nil, sent: 150, lost: 0)
        #expect(place(leg(idle: 15, loadedDown: 20), hop: router)?.measured == .text("vpn"))
        #expect(place(leg(idle: 15, loadedDown: 75), hop: router)?.measured == .text("provider"))
        // Nothing failed: nothing to place.
        result = network(sent: 1500, lost: 0)
        #expect(place(leg(idle: 12), hop: router) == nil)
    }

    @Test("the judge counts the profile's tunnel overhead in the calls and names it")
    func tunnelOverhead() throws {
        var profile = voiceProfile
        profile.vpn.gateways = [VPNGateway(name: "hq", host: "vpn.example", port: 4500, transport: .ikev2)]
        var result = network(sent: 1500, lost: 0)
        result.uploadMbps = 0.5
        let voice = try #require(NetworkJudge.voice(
            network: result, thresholds: profile.network, tunnel: TunnelOverhead.forProfile(profile)))
        #expect(voice.vpnOverheadBytes == 80)
        #expect(voice.vpnType == "IPsec NAT-T")
        #expect(voice.maxConcurrentCalls == 3)
        let plain = try #require(NetworkJudge.voice(network: result, thresholds: voiceProfile.network))
        #expect(plain.maxConcurrentCalls == 5 && plain.vpnOverheadBytes == nil)
    }
}
