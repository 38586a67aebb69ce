import Foundation
@testable import HomeReadyJudging
import HomeReadyModel
import HomeReadyScoring
import HomeReadyTestSupport
import HomeReadyTransport
import Logging
import Testing
@testable import HomeReadyProbe

/// The idle stream's length follows the profile's loss limit, with known loss injected by a relay on loopback.
@Suite struct LossDecisionTests {
    let logger = Logger(label: "loss-test")

    func measurement(limit: Double, maxVoiceSeconds: Double) -> NetworkMeasurement {
        NetworkMeasurement(
            options: NetworkCheckOptions(deadlineSeconds: 60, voiceSeconds: 2, maxVoiceSeconds: maxVoiceSeconds),
            environment: [:], progress: { _ in }, logger: logger, cancellation: TransferCancellation(),
            deadline: Date().addingTimeInterval(100), lossLimitPercent: limit)
    }

    /// Runs the idle stream through a relay dropping every `dropEvery`-th probe on the way up, and judges it.
    func run(dropEvery: Int, limit: Double = 1, maxVoiceSeconds: Double = 12) async throws -> (NetworkResult, Finding) {
        let peer = try UDPEchoPeer()
        defer { peer.stop() }
        let relay = try ImpairmentRelay(
            upstreamHost: "127.0.0.1", upstreamPort: peer.port, up: Impairment(dropEvery: dropEvery), down: Impairment())
        defer { relay.stop() }
        let stream = measurement(limit: limit, maxVoiceSeconds: maxVoiceSeconds).idleStream(host: "127.0.0.1", port: relay.port)
        let result = try await BlockingThread.run { try stream.runBlocking(cancellation: nil) }
        var network = NetworkResult()
        NetworkMeasurement.apply(result, to: &network)
        let probes = try #require(network.udpProbes)
        let finding = NetworkJudge.lossFinding(probes: probes, threshold: Threshold(limit), translations: nil)
        print("drop every \(dropEvery): \(probes.lost)/\(probes.sent) lost, interval \(String(describing: network.lossCI95Percent)), \(finding.status)")
        return (network, finding)
    }

    @Test("a clean link runs just long enough to prove the limit, and passes")
    func cleanLinkProvesTheLimit() async throws {
        let (network, finding) = try await run(dropEvery: 0)
        let sent = try #require(network.udpProbes?.sent)
        // 381 probes prove < 1 % with none lost; the stream adds a second for answers to mature.
        #expect(sent >= 381 && sent <= 480)
        #expect(finding.status == .pass)
        #expect(try #require(network.lossCI95Percent).high <= 1)
    }

    @Test("loss right at the limit keeps the stream going to its cap and stays inconclusive")
    func lossAtTheLimitIsInconclusive() async throws {
        let (network, finding) = try await run(dropEvery: 100, maxVoiceSeconds: 10)
        let sent = try #require(network.udpProbes?.sent)
        #expect(sent >= 480)  // extended past the 8.6 s minimum, to the 10 s cap
        #expect(finding.status == .inconclusive)
        #expect(finding.remediation?.contains("cable") == true)
    }

    @Test("clear loss is decided without extending the stream")
    func clearLossFails() async throws {
        let (network, finding) = try await run(dropEvery: 10)
        #expect(try #require(network.udpProbes?.sent) <= 480)
        #expect(finding.status == .fail)
        #expect(try #require(network.lossCI95Percent).low > 1)
    }
}

/// A call under load and the first hop, over a routed lab link with a real round trip and a deep queue.
@Suite(.serialized) struct VoiceUnderLoadLabTests {
    let logger = Logger(label: "voice-load-lab")

    @Test("the voice stream under load, the first hop and the bufferbloat grade on a routed 10/2 Mbit/s link")
    func loadedVoiceAndFirstHop() async throws {
        try TestEnvironment.require(NetworkLab.delayUnavailableReason ?? NginxPeer.unavailableReason)
        try await withNetworkLab(roundTripDelayMs: 20) { lab in
            // A 200 ms queue: a home router with too much buffer.
            try lab.shape(downMbit: 10, upMbit: 2, queueMs: 200)
            let nginx = try NginxPeer(fileMegabytes: 32, lab: lab)
            defer { nginx.stop() }
            let echo = try LabEchoPeer.start(in: lab)
            defer { echo.stop() }
            let options = NetworkCheckOptions(
                downloadURL: URL(string: nginx.url("/big.bin")), uploadURL: URL(string: nginx.url("/upload")),
                echoHost: lab.remoteAddress, echoPort: 7, deadlineSeconds: 60, maxSecondsPerDirection: 5, voiceSeconds: 2)
            let outcome = await NetworkSection.run(profile: voiceProfile, options: options, progress: { _ in }, logger: logger)
                .judged(by: voiceProfile)
            let network = try #require(outcome.network)
            let idle = try #require(network.latencyIdleMs)
            print("idle \(idle), first hop \(String(describing: network.firstHop)), loaded down \(String(describing: network.voiceLoadedDown)), up \(String(describing: network.voiceLoadedUp))")
            #expect(idle.p50 >= 19 && idle.p50 < 30)
            #expect(network.method?.jitterFormula == "mean_abs_ipdv")
            #expect(network.jitterRFC3550Ms != nil)
            #expect(try #require(network.udpProbes).sent >= 381)
            #expect(network.lossCI95Percent != nil)

            // The first hop is the router namespace, which answers at once when idle (the delay line only holds
            // forwarded packets).
            let hop = try #require(network.firstHop)
            let routerAddress = lab.hostAddress.split(separator: ".").dropLast().joined(separator: ".") + ".2"
            #expect(hop.address == routerAddress)
            #expect(try #require(hop.rttIdleMs).p50 < 5)
            #expect(hop.rttLoadedDownMs != nil && hop.rttLoadedUpMs != nil)

            // The call under load sees the queue: RTT well above idle.
            for stream in [network.voiceLoadedDown, network.voiceLoadedUp] {
                let loaded = try #require(stream)
                #expect(loaded.sent >= 100)
                #expect(try #require(loaded.rttMs).p50 > idle.p50 + 30)
                #expect(loaded.jitterMs != nil && loaded.lossCI95Percent != nil)
            }
            let voice = try #require(outcome.voice)
            #expect(try #require(voice.mosLoaded) < voice.mos)
            let grade = try #require(voice.bufferbloatGrade.flatMap(BufferbloatGrade.init(rawValue:)))
            #expect(grade.hurtsCalls)
            #expect(outcome.findings.contains { $0.id == "network.bufferbloat" && $0.status == .warn })
        }
    }
}
