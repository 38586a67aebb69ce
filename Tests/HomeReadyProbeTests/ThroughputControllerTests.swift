import HomeReadyTransport
import Testing
@testable import HomeReadyProbe

/// Drives the controller with a simulated link: each stream ramps up (slow start) to an equal share of capacity,
/// and `streamCap` limits what one stream can reach (as a long-RTT path does).
private func simulate(capacity: Double, streamCap: Double, maxSeconds: Double = 8, noise: (Int) -> Double = { _ in 1 })
    -> (controller: ThroughputController, samples: [ThroughputSample])
{
    var controller = ThroughputController(maxSeconds: maxSeconds)
    var samples: [ThroughputSample] = []
    var streams = controller.initialStreams
    var streamStarts = [Double](repeating: 0, count: streams)
    var bytes = 0.0
    var time = 0.0
    var step = 0
    while true {
        time += 0.1
        step += 1
        // Each stream's rate grows linearly over its first 0.6 s.
        let perStream = streamStarts.map { min(1, (time - $0) / 0.6) * streamCap }
        bytes += min(capacity, perStream.reduce(0, +)) * 0.1 * noise(step)
        samples.append(ThroughputSample(elapsedSeconds: time, totalBytes: Int64(bytes), streams: streams))
        switch controller.decide(samples) {
        case .stop: return (controller, samples)
        case .useStreams(let count):
            streamStarts += [Double](repeating: time, count: count - streams)
            streams = count
        case .keepGoing: break
        }
    }
}

@Suite struct ThroughputControllerTests {
    @Test func findsTheSteadyRateAndStopsEarly() throws {
        // 100 Mbit/s link, one stream reaches at most 30 Mbit/s: needs 4 streams.
        let capacity = 100e6 / 8
        let (controller, samples) = simulate(capacity: capacity, streamCap: 30e6 / 8)
        let steady = try #require(controller.steadyRate(samples))
        #expect(abs(steady.bytesPerSecond - capacity) / capacity < 0.02)
        #expect(try #require(samples.last).streams >= 4)
        #expect(try #require(samples.last).elapsedSeconds < 8)
    }

    @Test func aSingleStreamLinkStaysAtFewStreams() throws {
        let capacity = 5e6 / 8
        let (controller, samples) = simulate(capacity: capacity, streamCap: 100e6 / 8)
        let steady = try #require(controller.steadyRate(samples))
        #expect(abs(steady.bytesPerSecond - capacity) / capacity < 0.02)
        #expect(try #require(samples.last).streams <= 4)
    }

    @Test func unstableRatesRunToTheDeadline() throws {
        let capacity = 50e6 / 8
        let (controller, samples) = simulate(capacity: capacity, streamCap: 100e6 / 8, maxSeconds: 6) { step in
            step % 10 < 5 ? 0.5 : 1.5
        }
        #expect(try #require(samples.last).elapsedSeconds >= 6)
        let steady = try #require(controller.steadyRate(samples))
        #expect(abs(steady.bytesPerSecond - capacity) / capacity < 0.15)
    }

    @Test func rateReadsBytesOverTime() {
        let samples = (1...10).map { ThroughputSample(elapsedSeconds: Double($0) * 0.1, totalBytes: Int64($0) * 1000, streams: 1) }
        #expect(ThroughputController.rate(samples, from: 0.2, to: 0.6) == 10_000)
        #expect(ThroughputController.rate([], from: 0, to: 1) == nil)
    }
}
