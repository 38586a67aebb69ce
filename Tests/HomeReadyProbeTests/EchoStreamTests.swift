import HomeReadyScoring
import HomeReadyTestSupport
import Testing
@testable import HomeReadyProbe

@Suite struct EchoStreamTests {
    @Test(arguments: ["127.0.0.1", "::1"])
    func plainRFC862PeerAnswersEveryProbe(host: String) async throws {
        let peer = try UDPEchoPeer(host: host)
        defer { peer.stop() }
        let stream = EchoStream(host: host, port: peer.port, durationSeconds: 1, drainSeconds: 0.3)
        let result = try await BlockingThread.run { try stream.runBlocking(cancellation: nil) }
        #expect(result.sent == 50)
        #expect(result.analysis.lost == 0)
        #expect(result.serverReceived == nil)
        #expect(result.lostUp == nil)
        #expect(result.uniqueRTTs.allSatisfy { $0 >= 0 && $0 < 100 })
    }

    @Test func injectedDelayJitterLossAndDuplicatesAreMeasured() async throws {
        let peer = try UDPEchoPeer()
        defer { peer.stop() }
        let relay = try ImpairmentRelay(
            upstreamHost: "127.0.0.1", upstreamPort: peer.port,
            up: Impairment(delayMs: 20, dropEvery: 10),
            down: Impairment(delayMs: 10, alternatingJitterMs: 8, dropEvery: 25, duplicateEvery: 20))
        defer { relay.stop() }
        let stream = EchoStream(host: "127.0.0.1", port: relay.port, durationSeconds: 5, drainSeconds: 0.5)
        let result = try await BlockingThread.run { try stream.runBlocking(cancellation: nil) }
        #expect(result.sent == 250)
        // 25 lost up (every 10th of 250); of the 225 echoed, every 25th is lost down (9).
        #expect(result.analysis.lost == 34)
        // Every 20th echo is doubled unless it was dropped (100 and 200): 9 duplicates.
        #expect(result.analysis.duplicated == 9)
        // The injected pattern never reorders; a sender that falls behind on a busy machine (tests run in
        // parallel on two cores) sends late probes back to back, and then a delayed one can be overtaken. Allow 5 %.
        #expect(result.analysis.reordered <= 12)
        let rtts = result.uniqueRTTs
        let summary = try #require(LatencyStatistics.summary(rtts))
        // Injected: 30 ms fixed, +8 ms on every second answer.
        #expect(summary.min >= 30 && summary.min < 33)
        #expect(summary.p90 >= 38 && summary.p90 < 60)  // the tail also carries scheduling delays on a busy machine
        // About half the answers carry the extra 8 ms.
        let delayed = Double(rtts.filter { $0 >= 37.5 }.count) / Double(rtts.count)
        #expect(delayed > 0.35 && delayed < 0.65)
        let jitter = try #require(LatencyStatistics.rfc3550Jitter(rtts: rtts))
        print("injected 8 ms alternating jitter: RFC 3550 \(jitter) ms, min \(summary.min), p90 \(summary.p90)")
        // Truth is just under 8 ms (drops shift the alternation now and then); scheduling on a busy machine adds a
        // little on top.
        #expect(jitter > 6 && jitter < 11)
        let ipdv = LatencyStatistics.ipdv(rtts).map { abs($0) }
        #expect(abs(try #require(LatencyStatistics.percentile(ipdv, 50)) - 8) < 1.5)
    }

    @Test func cancellationEndsTheStream() async throws {
        let peer = try UDPEchoPeer()
        defer { peer.stop() }
        let cancellation = HomeReadyTransport.TransferCancellation()
        cancellation.cancel()
        let stream = EchoStream(host: "127.0.0.1", port: peer.port, durationSeconds: 30, drainSeconds: 0.1)
        let result = try await BlockingThread.run { try stream.runBlocking(cancellation: cancellation) }
        #expect(result.sent == 0)
    }
}

import HomeReadyTransport
