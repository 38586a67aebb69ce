import HomeReadyModel
import Testing
@testable import HomeReadyScoring

@Suite struct EModelTests {
    @Test func perfectG711LinkScoresNearTheTop() {
        let estimate = EModel.estimate(codec: .g711, conditions: .init(rttMs: 0, jitterMs: 0, lossPercent: 0))
        // d = 0 + 10 (minimum jitter buffer) + 20 (packet) = 30 ms → Id = 0.72.
        #expect(abs(estimate.oneWayDelayMs - 30) < 1e-9)
        #expect(abs(estimate.rFactor - (93.2 - 0.72)) < 1e-9)
        #expect(estimate.mos > 4.3 && estimate.mos < 4.5)
    }

    @Test func delayImpairmentHasAKneeAt177Milliseconds() {
        #expect(abs(EModel.delayImpairment(oneWayDelayMs: 100) - 2.4) < 1e-9)
        #expect(abs(EModel.delayImpairment(oneWayDelayMs: 277.3) - (0.024 * 277.3 + 11)) < 1e-9)
    }

    @Test func lossLowersRThroughTheCodecsRobustness() {
        // G.711 Bpl 25.1 at 1% random loss: Ie,eff = 95·1/(1 + 25.1) = 3.64.
        let r = EModel.rFactor(oneWayDelayMs: 0, ie: 0, bpl: 25.1, lossPercent: 1)
        #expect(abs(r - (93.2 - 95.0 / 26.1)) < 1e-9)
        // G.729A starts 11 lower.
        let g729 = EModel.rFactor(oneWayDelayMs: 0, ie: 11, bpl: 19, lossPercent: 0)
        #expect(abs(g729 - 82.2) < 1e-9)
    }

    @Test func mosMappingFollowsG107AnnexB() {
        #expect(EModel.mos(rFactor: -5) == 1)
        #expect(EModel.mos(rFactor: 120) == 4.5)
        // R = 80: 1 + 2.8 + 80·20·20·7e-6 = 4.024.
        #expect(abs(EModel.mos(rFactor: 80) - 4.024) < 1e-9)
        #expect(abs(EModel.mos(rFactor: 50) - (1 + 1.75 + 50 * -10 * 50 * 7e-6)) < 1e-9)
    }

    @Test func badLinksScoreBelowToll() {
        let bad = EModel.estimate(codec: .g711, conditions: .init(rttMs: 400, jitterMs: 40, lossPercent: 5))
        #expect(bad.mos < 3.0)
        let g729 = EModel.estimate(codec: .g729, conditions: .init(rttMs: 40, jitterMs: 5, lossPercent: 0))
        let g711 = EModel.estimate(codec: .g711, conditions: .init(rttMs: 40, jitterMs: 5, lossPercent: 0))
        #expect(g729.mos < g711.mos)
    }
}

@Suite struct CallCapacityTests {
    @Test func perCallBandwidthCountsIPUDPRTPAndVPN() {
        // G.711: (160 + 40) B · 8 · 50/s = 80 kbit/s; G.729: (20 + 40) · 8 · 50 = 24 kbit/s.
        #expect(CallCapacity.bitsPerSecondPerCall(codec: .g711) == 80_000)
        #expect(CallCapacity.bitsPerSecondPerCall(codec: .g729) == 24_000)
        // Opus 24 kbit/s: (60 + 40) · 400 = 40 kbit/s; a WireGuard-style 60 B adds 24 kbit/s.
        #expect(CallCapacity.bitsPerSecondPerCall(codec: .opus) == 40_000)
        #expect(CallCapacity.bitsPerSecondPerCall(codec: .opus, vpnOverheadBytes: 60) == 64_000)
    }

    @Test func concurrentCallsUseTheSlowerDirection() {
        // 1 Mbit/s up · 0.8 / 80 kbit/s = 10 G.711 calls.
        #expect(CallCapacity.maxConcurrentCalls(codec: .g711, downloadMbps: 50, uploadMbps: 1) == 10)
        #expect(CallCapacity.maxConcurrentCalls(codec: .g729, downloadMbps: 50, uploadMbps: 1) == 33)
        #expect(CallCapacity.maxConcurrentCalls(codec: .g711, downloadMbps: 0, uploadMbps: 1) == 0)
    }

    @Test func recommendsACompressedCodecWhenG711DoesNotFit() {
        let conditions = EModel.Conditions(rttMs: 30, jitterMs: 3, lossPercent: 0)
        // 0.09 Mbit/s up: G.711 (80 kbit/s) does not fit in 72 kbit/s, Opus (40) and G.729 (24) do.
        let pick = CallCapacity.recommendedCodec(
            preferred: .g711, conditions: conditions, downloadMbps: 10, uploadMbps: 0.09, requiredCalls: 1,
            vpnOverheadBytes: 0, minMOS: 3.5)
        #expect(pick == .opus)
        // A good link keeps the profile's codec.
        #expect(CallCapacity.recommendedCodec(
            preferred: .g711, conditions: conditions, downloadMbps: 10, uploadMbps: 10, requiredCalls: 1,
            vpnOverheadBytes: 0, minMOS: 3.5) == nil)
    }
}
