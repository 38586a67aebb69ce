import Foundation
import HomeReadyJudging
import HomeReadyModel
import HomeReadyTestSupport
import Logging
import Testing
@testable import HomeReadyProbe

/// Throughput and loaded latency over a real veth link shaped with tbf, against nginx and an echo peer inside
/// the lab namespace. Needs root; prints why it skips otherwise.
@Suite(.serialized) struct ShapedLabTests {
    let logger = Logger(label: "lab-test")

    /// tbf counts Ethernet/IP/TCP headers; goodput is about 95 % of the shaped rate (iperf3 sees the same).
    static let goodputShare = 0.95

    @Test(arguments: [(20.0, 5.0), (50.0, 10.0)])
    func throughputMatchesTheShapedRate(down: Double, up: Double) async throws {
        try TestEnvironment.require(NetworkLab.unavailableReason ?? NginxPeer.unavailableReason)
        try await withNetworkLab { lab in
            try lab.shape(downMbit: down, upMbit: up, queueMs: 50)
            let nginx = try NginxPeer(fileMegabytes: 64, lab: lab)
            defer { nginx.stop() }
            let echo = try LabEchoPeer.start(in: lab)
            defer { echo.stop() }
            let options = NetworkCheckOptions(
                downloadURL: URL(string: nginx.url("/big.bin")), uploadURL: URL(string: nginx.url("/upload")),
                echoHost: lab.remoteAddress, echoPort: 7, deadlineSeconds: 40, maxSecondsPerDirection: 8, voiceSeconds: 2)
            let start = Date()
            let outcome = await NetworkSection.run(profile: voiceProfile, options: options, progress: { _ in }, logger: logger).judged(by: voiceProfile)
            let elapsed = Date().timeIntervalSince(start)
            let network = try #require(outcome.network)
            let downloaded = try #require(network.downloadMbps)
            let uploaded = try #require(network.uploadMbps)
            print("lab \(down)/\(up): download \(downloaded) upload \(uploaded) Mbit/s in \(elapsed) s, method \(String(describing: network.method))")
            #expect(abs(downloaded - down * Self.goodputShare) / (down * Self.goodputShare) < 0.08)
            #expect(abs(uploaded - up * Self.goodputShare) / (up * Self.goodputShare) < 0.08)
            #expect(try #require(network.method?.downloadSeconds) <= 8.6)
            #expect(try #require(network.method?.uploadSeconds) <= 8.6)
            #expect(network.udpProbes?.lost == 0)
        }
    }

    /// The queue sits on a router (the routed lab), as in a home: tbf on this host's own veth would hold the
    /// upload queue, and TCP Small Queues keep a sender's local qdisc at a couple of packets per stream, so an
    /// upload there never shows the bloat a modem's buffer does.
    @Test func bufferbloatShowsUpAsLoadedLatency() async throws {
        try TestEnvironment.require(NetworkLab.delayUnavailableReason ?? NginxPeer.unavailableReason)
        try await withNetworkLab(roundTripDelayMs: 10) { lab in
            // A 400 ms tbf queue on a 10/2 Mbit/s link: idle RTT stays near the 10 ms path, loaded RTT balloons.
            try lab.shape(downMbit: 10, upMbit: 2, queueMs: 400)
            let nginx = try NginxPeer(fileMegabytes: 32, lab: lab)
            defer { nginx.stop() }
            let echo = try LabEchoPeer.start(in: lab)
            defer { echo.stop() }
            let options = NetworkCheckOptions(
                downloadURL: URL(string: nginx.url("/big.bin")), uploadURL: URL(string: nginx.url("/upload")),
                echoHost: lab.remoteAddress, echoPort: 7, deadlineSeconds: 40, maxSecondsPerDirection: 5, voiceSeconds: 2)
            let outcome = await NetworkSection.run(profile: voiceProfile, options: options, progress: { _ in }, logger: logger).judged(by: voiceProfile)
            let network = try #require(outcome.network)
            let idle = try #require(network.latencyIdleMs)
            let loadedDown = try #require(network.latencyLoadedDownMs)
            let loadedUp = try #require(network.latencyLoadedUpMs)
            print("bufferbloat: idle \(idle) loaded down \(loadedDown) up \(loadedUp) rpm \(String(describing: network.responsivenessRPM))")
            #expect(idle.p50 < 15)
            #expect(loadedDown.p50 > idle.p50 + 50)
            #expect(loadedUp.p50 > idle.p50 + 50)
            #expect(try #require(network.responsivenessRPM) < 1000)
            let voice = try #require(outcome.voice)
            #expect(try #require(voice.mosLoaded) < voice.mos)
        }
    }
}
