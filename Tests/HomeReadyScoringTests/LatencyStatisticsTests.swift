import Testing
@testable import HomeReadyScoring

@Suite struct LatencyStatisticsTests {
    @Test func percentilesInterpolateBetweenRanks() {
        let values = (1...10).map(Double.init)
        #expect(LatencyStatistics.percentile(values, 50) == 5.5)
        #expect(LatencyStatistics.percentile(values, 90) == 9.1)
        #expect(LatencyStatistics.percentile(values, 0) == 1)
        #expect(LatencyStatistics.percentile(values, 100) == 10)
        #expect(LatencyStatistics.percentile([], 50) == nil)
        #expect(LatencyStatistics.percentile([7], 90) == 7)
    }

    @Test func summaryGivesMinMedianAndP90() throws {
        let summary = try #require(LatencyStatistics.summary([30, 10, 20]))
        #expect(summary.min == 10)
        #expect(summary.p50 == 20)
        #expect(abs(summary.p90 - 28) < 1e-9)
    }

    @Test func rfc3550JitterFollowsTheRunningEstimator() throws {
        // Transit alternates 10, 20, 10, 20 ms: every |D| = 10, so J_n = 10·(1 − (15/16)^n).
        var packets: [(sent: Double, received: Double)] = []
        for index in 0..<200 {
            let sent = Double(index) * 20
            let transit: Double = index % 2 == 0 ? 10 : 20
            packets.append((sent: sent, received: sent + transit))
        }
        let jitter = try #require(LatencyStatistics.rfc3550Jitter(packets))
        #expect(abs(jitter - 10 * (1 - pow(15.0 / 16.0, 199))) < 1e-9)
        // A constant transit time has no jitter.
        let steady: [(sent: Double, received: Double)] = (0..<50).map { index in
            let sent = Double(index) * 20
            return (sent: sent, received: sent + 35)
        }
        #expect(LatencyStatistics.rfc3550Jitter(steady) == 0)
        #expect(LatencyStatistics.rfc3550Jitter([(sent: 0, received: 1)]) == nil)
    }

    @Test func rttJitterEqualsTransitJitter() {
        let rtts: [Double] = [10, 14, 9, 12, 30, 11]
        let packets: [(sent: Double, received: Double)] = rtts.enumerated().map { item in
            let sent = Double(item.offset) * 20
            return (sent: sent, received: sent + item.element)
        }
        #expect(LatencyStatistics.rfc3550Jitter(rtts: rtts) == LatencyStatistics.rfc3550Jitter(packets))
    }

    @Test func ipdvIsTheDifferenceOfConsecutiveRTTs() {
        #expect(LatencyStatistics.ipdv([10, 15, 12]) == [5, -3])
        #expect(LatencyStatistics.ipdv([10]).isEmpty)
        #expect(LatencyStatistics.meanAbsoluteDifference([10, 15, 12]) == 4)
    }

    @Test func roundTripsPerMinuteUseTheTrimmedMean() throws {
        #expect(LatencyStatistics.roundTripsPerMinute([100, 100, 100]) == 600)
        // 20 samples: one low and one high outlier are trimmed (5% each side).
        let samples = [1.0] + [Double](repeating: 60, count: 18) + [10_000]
        #expect(try #require(LatencyStatistics.roundTripsPerMinute(samples)) == 1000)
        #expect(LatencyStatistics.roundTripsPerMinute([]) == nil)
    }

    @Test func sequenceAnalysisCountsLossReorderAndDuplicates() {
        let analysis = SequenceAnalysis(sent: 6, arrivals: [0, 2, 1, 2, 4, 99])
        #expect(analysis.lost == 2)  // 3 and 5
        #expect(analysis.reordered == 1)  // 1 after 2
        #expect(analysis.duplicated == 1)  // second 2
        #expect(abs(analysis.lossPercent - 100.0 / 3) < 1e-9)
        #expect(SequenceAnalysis(sent: 0, arrivals: []).lossPercent == 0)
    }
}

import Foundation
