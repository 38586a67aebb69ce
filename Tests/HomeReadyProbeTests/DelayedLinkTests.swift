import Foundation
import HomeReadyJudging
import HomeReadyModel
import HomeReadyTestSupport
import HomeReadyTransport
import Logging
import Testing

@testable import HomeReadyProbe

/// The lab with a real round trip: a router namespace whose delay line (`homeready-lab-delay`) holds every packet
/// half the RTT, tbf after it. Proves the line gives the RTT asked (irtt, a tool we did not write), and that the
/// network check reads throughput within 5 % of iperf3 on the same link in the same run, and the RTT as latency.
/// Needs root, the delay line built, iperf3, irtt and nginx: reported skipped with the reason otherwise (never under
/// CI, where a missing peer fails).
/// Why these tests cannot run here, or nil (file scope: a suite's trait cannot refer to the suite's own members).
private let delayedLinkSkipReason: String? =
    NetworkLab.delayUnavailableReason ?? PeerRequirement.missing([.iperf3, .irtt, .nginx, .python3])

@Suite(
    .serialized,
    .disabled(if: delayedLinkSkipReason != nil && !TestEnvironment.isCI, Comment(rawValue: delayedLinkSkipReason ?? ""))
)
struct DelayedLinkTests {
    /// Why these tests cannot run here, or nil.
    static let skipReason: String? = delayedLinkSkipReason

    let logger = Logger(label: "delayed-lab-test")

    @Test(arguments: [40.0])
    func theDelayLineGivesTheRoundTripAsked(rttMs: Double) async throws {
        try TestEnvironment.require(Self.skipReason)
        try await withNetworkLab(roundTripDelayMs: rttMs) { lab in
            let server = try lab.start(["irtt", "server", "-b", "\(lab.remoteAddress):2112"])
            defer { server.stop() }
            usleep(300_000)
            let output = try Subprocess.run(
                [
                    "irtt", "client", "-i", "10ms", "-d", "2s", "-l", "172", "-Q", "-o", "-",
                    "\(lab.remoteAddress):2112",
                ],
                timeout: 20)
            let rtt = try Self.irttRTT(output.stdout)
            print("delay line \(rttMs) ms: irtt min \(rtt.min) median \(rtt.median) ms")
            // A delay line never delivers early; scheduling adds a little on a busy machine.
            #expect(rtt.min >= rttMs - 0.2)
            #expect(rtt.median >= rttMs - 0.2)
            #expect(rtt.median <= rttMs + 2)
        }
    }

    /// The whole network section against nginx and an echo peer behind the delay line, then iperf3 (4 streams,
    /// 2 s omitted) on the same link: each direction within 5 % of iperf3 and at most 8 s long, the idle latency
    /// reads the round trip.
    // One case keeps the suite near a minute; Scripts/bench/accuracy covers 0-80 ms and 5/1-500/50 Mbit/s.
    @Test(arguments: [(rttMs: 60.0, down: 50.0, up: 10.0)])
    func throughputAtARealRoundTripMatchesIperf3(rttMs: Double, down: Double, up: Double) async throws {
        try TestEnvironment.require(Self.skipReason)
        try await withNetworkLab(roundTripDelayMs: rttMs) { lab in
            try lab.shape(downMbit: down, upMbit: up, queueMs: 50)
            let nginx = try NginxPeer(fileMegabytes: 64, lab: lab)
            defer { nginx.stop() }
            let echo = try LabEchoPeer.start(in: lab)
            defer { echo.stop() }
            let iperf = try lab.start(["iperf3", "-s", "-p", "5201"])
            defer { iperf.stop() }
            let options = NetworkCheckOptions(
                downloadURL: URL(string: nginx.url("/big.bin")), uploadURL: URL(string: nginx.url("/upload")),
                echoHost: lab.remoteAddress, echoPort: 7, deadlineSeconds: 40, maxSecondsPerDirection: 8,
                voiceSeconds: 2)
            let outcome = await NetworkSection.run(
                profile: voiceProfile, options: options, progress: { _ in }, logger: logger
            ).judged(by: voiceProfile)
            let network = try #require(outcome.network)
            let downloaded = try #require(network.downloadMbps)
            let uploaded = try #require(network.uploadMbps)
            let iperfDown = try Self.iperf3(lab, reverse: true)
            let iperfUp = try Self.iperf3(lab, reverse: false)
            print(
                "delayed lab \(rttMs) ms \(down)/\(up): homeready \(downloaded)/\(uploaded), "
                    + "iperf3 \(iperfDown)/\(iperfUp) Mbit/s, method \(String(describing: network.method))")
            #expect(abs(downloaded - iperfDown) / iperfDown < 0.05)
            #expect(abs(uploaded - iperfUp) / iperfUp < 0.05)
            #expect(try #require(network.method?.downloadSeconds) <= 8.5)
            #expect(try #require(network.method?.uploadSeconds) <= 8.5)
            // The latency figures read the round trip.
            let idle = try #require(network.latencyIdleMs)
            #expect(idle.min >= rttMs - 0.5)
            #expect(abs(idle.p50 - rttMs) <= 3)
            let loadedDown = try #require(network.latencyLoadedDownMs)
            #expect(loadedDown.p50 >= rttMs - 0.5)
        }
    }

    /// iperf3's received rate in Mbit/s, from this process to (or, `reverse`, from) the lab's remote end.
    static func iperf3(_ lab: NetworkLab, reverse: Bool) throws -> Double {
        var argv = ["iperf3", "-c", lab.remoteAddress, "-p", "5201", "-t", "6", "-O", "2", "-P", "4", "-J"]
        if reverse { argv.append("-R") }
        var last = ""
        for _ in 0..<3 {
            let output = try Subprocess.run(argv, timeout: 30)
            if output.status == 0,
                let json = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any],
                let end = json["end"] as? [String: Any], let received = end["sum_received"] as? [String: Any],
                let bits = received["bits_per_second"] as? Double, bits > 0
            {
                return bits / 1e6
            }
            last = output.stdout.suffix(300) + output.stderr
            usleep(500_000)
        }
        throw TestSupportError("iperf3 gave no rate: \(last)")
    }

    /// The RTT minimum and median (ms) from irtt's JSON output.
    static func irttRTT(_ json: String) throws -> (min: Double, median: Double) {
        guard let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
            let stats = object["stats"] as? [String: Any], let rtt = stats["rtt"] as? [String: Any],
            let min = (rtt["min"] as? NSNumber)?.doubleValue, let median = (rtt["median"] as? NSNumber)?.doubleValue
        else { throw TestSupportError("irtt printed no RTT statistics: \(json.prefix(300))") }
        return (min / 1e6, median / 1e6)
    }
}

/// The delay line's bookkeeping, without a device.
@Suite struct DelayFIFOTests {
    @Test func packetsLeaveInOrderOnceDue() {
        var fifo = DelayFIFO(capacity: 4)
        for (index, arrival) in [UInt64(100), 110, 120].enumerated() {
            #expect(fifo.freeSlot == index)
            fifo.push(length: 1000 + index, dueNanoseconds: arrival + 50)
        }
        #expect(fifo.headDue == 150)
        #expect(fifo.dueSlots(at: 149).isEmpty)
        let due = fifo.dueSlots(at: 160)
        #expect(due.map(\.slot) == [0, 1])
        #expect(due.map(\.length) == [1000, 1001])
        fifo.release(due.count)
        #expect(fifo.count == 1)
        #expect(fifo.headDue == 170)
    }

    @Test func aFullLineHasNoFreeSlotAndWrapsAround() {
        var fifo = DelayFIFO(capacity: 2)
        fifo.push(length: 1, dueNanoseconds: 1)
        fifo.push(length: 2, dueNanoseconds: 2)
        #expect(fifo.freeSlot == nil)
        fifo.release(1)
        #expect(fifo.freeSlot == 0)
        fifo.push(length: 3, dueNanoseconds: 3)
        #expect(fifo.dueSlots(at: 10).map(\.slot) == [1, 0])
        #expect(fifo.dueSlots(at: 10, limit: 1).map(\.length) == [2])
    }
}

/// The controller on simulated long paths: time scales follow the round trip, the ramp-up is left out wherever it
/// ends, and enough streams are opened for the bandwidth-delay product.
@Suite struct ThroughputControllerRoundTripTests {
    /// A link of `capacity` bytes/s; each stream reaches `streamCap` after `rampSeconds` (slow start, then a slow
    /// climb as on a long path), samples every 0.1 s as `ParallelTransfer` takes them.
    private func simulate(
        capacity: Double, streamCap: Double, rampSeconds: Double, roundTrip: Double, maxSeconds: Double = 8
    ) -> (controller: ThroughputController, samples: [ThroughputSample]) {
        var controller = ThroughputController(maxSeconds: maxSeconds, roundTripSeconds: roundTrip)
        var samples: [ThroughputSample] = []
        var streamStarts = [Double](repeating: 0, count: controller.initialStreams)
        var bytes = 0.0
        var time = 0.0
        while true {
            time += 0.1
            let perStream = streamStarts.map { min(1, (time - $0) / rampSeconds) * streamCap }
            bytes += min(capacity, perStream.reduce(0, +)) * 0.1
            samples.append(
                ThroughputSample(elapsedSeconds: time, totalBytes: Int64(bytes), streams: streamStarts.count))
            switch controller.decide(samples) {
            case .stop: return (controller, samples)
            case .useStreams(let count):
                streamStarts += [Double](repeating: time, count: count - streamStarts.count)
            case .keepGoing: break
            }
        }
    }

    @Test func aSlowClimbIsNotTakenForTheSteadyRate() throws {
        // 25 Mbit/s behind 80 ms: the streams take 3 s to fill the link.
        let capacity = 25e6 / 8
        let (controller, samples) = simulate(
            capacity: capacity, streamCap: capacity / 3, rampSeconds: 3, roundTrip: 0.08)
        let steady = try #require(controller.steadyRate(samples))
        #expect(abs(steady.bytesPerSecond - capacity) / capacity < 0.02)
        #expect(try #require(controller.steadyStart) >= 1.8)
        #expect(try #require(samples.last).elapsedSeconds <= 8)
    }

    @Test func aLargeBandwidthDelayProductGetsMoreStreams() throws {
        // 2 Gbit/s behind 80 ms with each stream limited to 250 Mbit/s (2.5 MB in flight, its window): 8 streams.
        let capacity = 2000e6 / 8
        let (controller, samples) = simulate(
            capacity: capacity, streamCap: 250e6 / 8, rampSeconds: 0.8, roundTrip: 0.08)
        let steady = try #require(controller.steadyRate(samples))
        #expect(try #require(samples.last).streams >= 8)
        #expect(abs(steady.bytesPerSecond - capacity) / capacity < 0.02)
        #expect(try #require(samples.last).elapsedSeconds <= 8)
    }

    @Test func timeScalesGrowWithTheRoundTrip() {
        let short = ThroughputController(roundTripSeconds: 0.001)
        let long = ThroughputController(roundTripSeconds: 0.2)
        #expect(short.settleSeconds == 0.5)
        #expect(long.settleSeconds > 1.5)
        #expect(long.minSteadySeconds >= 25 * 0.2)
        #expect(long.windowSeconds > short.windowSeconds)
    }
}
