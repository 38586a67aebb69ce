import Foundation
import HomeReadyJudging
import HomeReadyModel
import HomeReadyTestSupport
import Logging
import Testing
@testable import HomeReadyProbe

let voiceProfile = ReportFixtures.voiceProfile

func finding(_ outcome: JudgedSection, _ id: String) -> Finding? { outcome.findings.first { $0.id == id } }

func quickOptions(
    download: String? = nil, upload: String? = nil, echo: (String, Int)? = nil, deadline: Double = 30,
    environment: [String: String] = [:], interface: String? = nil
) -> NetworkCheckOptions {
    NetworkCheckOptions(
        downloadURL: download.flatMap(URL.init(string:)), uploadURL: upload.flatMap(URL.init(string:)),
        echoHost: echo?.0, echoPort: echo?.1, interface: interface, deadlineSeconds: deadline,
        maxSecondsPerDirection: 3, voiceSeconds: 1, environment: environment)
}

@Suite(.serialized) struct NetworkSectionTests {
    let logger = Logger(label: "test")

    @Test(arguments: [false, true])
    func fullCheckAgainstPeersWeDidNotWrite(ipv6: Bool) async throws {
        try TestEnvironment.require(NginxPeer.unavailableReason)
        let nginx = try NginxPeer(fileMegabytes: 16)
        defer { nginx.stop() }
        let peer = try UDPEchoPeer(host: ipv6 ? "::1" : "127.0.0.1")
        defer { peer.stop() }
        let events = ProgressLog()
        let outcome = await NetworkSection.run(
            profile: voiceProfile,
            options: quickOptions(download: nginx.url("/big.bin", ipv6: ipv6), upload: nginx.url("/upload", ipv6: ipv6), echo: (peer.host, peer.port)),
            progress: events.record, logger: logger).judged(by: voiceProfile)
        let network = try #require(outcome.network)
        #expect(try #require(network.downloadMbps) > 50)
        #expect(try #require(network.uploadMbps) > 50)
        #expect(try #require(network.latencyIdleMs).p50 < 50)
        #expect(network.lossPercent == 0)
        // The profile's 1 % loss limit sets the stream's length: 381 probes prove it on a clean link (plus a second
        // for the answers to arrive), whatever the shorter `voiceSeconds` asked.
        let sent = try #require(network.udpProbes?.sent)
        #expect(sent >= 381 && sent <= 480)
        #expect(outcome.findings.first { $0.id == "network.loss" }?.status == .pass)
        // Loopback: little jitter, no resolver for an IP literal, loaded round trips well under a second.
        #expect(try #require(network.jitterMs) < 20)
        #expect(try #require(network.dnsMs) < 50)
        #expect(network.tlsHandshakeMs == nil)
        #expect(try #require(network.latencyLoadedDownMs).p50 < 1_000)
        #expect(try #require(network.latencyLoadedUpMs).p50 < 1_000)
        #expect(try #require(network.responsivenessRPM) > 60)
        #expect(network.udpBlocked == nil)
        let method = try #require(network.method)
        #expect(method.jitterFormula == "mean_abs_ipdv")
        #expect(network.jitterRFC3550Ms != nil)
        #expect(method.latencyTransport == "udp")
        #expect(try #require(method.downloadStreams) >= 2)
        #expect(try #require(method.downloadSeconds) <= 3.5)
        #expect(try #require(method.downloadBytes) > 0)
        #expect(method.proxy == nil)
        let voice = try #require(outcome.voice)
        #expect(voice.codec == "g711")
        #expect(voice.mos > 4)
        #expect(voice.model == "itu-t-g107")
        #expect(try #require(voice.maxConcurrentCalls) > 100)
        for id in ["network.download", "network.upload", "network.latency_idle", "network.jitter", "network.loss", "voice.mos", "network.dns", "network.latency_loaded", "voice.concurrent_calls"] {
            #expect(finding(outcome, id)?.status == .pass, "\(id)")
        }
        #expect(outcome.findings.allSatisfy { $0.status == .pass })
        #expect(events.phases.contains("network.download"))
        #expect(events.phases.contains("network.upload"))
    }

    @Test func captivePortalHTMLIsDetected() async throws {
        try TestEnvironment.require(NginxPeer.unavailableReason)
        let nginx = try NginxPeer(fileMegabytes: 1)
        defer { nginx.stop() }
        for path in ["/portal", "/redirect"] {
            let outcome = await NetworkSection.run(
                profile: voiceProfile, options: quickOptions(download: nginx.url(path)), progress: { _ in }, logger: logger).judged(by: voiceProfile)
            let portal = try #require(finding(outcome, "network.captive_portal"), "\(path)")
            #expect(portal.status == .fail)
            #expect(portal.remediation?.contains("browser") == true)
            #expect(outcome.network?.downloadMbps == nil)
            #expect(finding(outcome, "network.download")?.status == .error)
        }
    }

    @Test func httpErrorsBecomeFindings() async throws {
        try TestEnvironment.require(NginxPeer.unavailableReason)
        let nginx = try NginxPeer(fileMegabytes: 1)
        defer { nginx.stop() }
        let outcome = await NetworkSection.run(
            profile: voiceProfile, options: quickOptions(download: nginx.url("/missing")), progress: { _ in }, logger: logger).judged(by: voiceProfile)
        let status = try #require(finding(outcome, "network.http_status"))
        #expect(status.measured == .number(404))
    }

    @Test func udpBlockedIsItsOwnFindingWithTCPFallback() async throws {
        try TestEnvironment.require(NginxPeer.unavailableReason)
        let nginx = try NginxPeer(fileMegabytes: 1)
        defer { nginx.stop() }
        // Nothing listens on this UDP port: probes vanish (as behind a UDP-blocking firewall).
        let relay = try ImpairmentRelay(upstreamHost: "127.0.0.1", upstreamPort: 9, up: Impairment(dropEvery: 1), down: Impairment())
        defer { relay.stop() }
        var options = quickOptions(download: nginx.url("/big.bin"), echo: ("127.0.0.1", relay.port))
        options.maxSecondsPerDirection = 1
        let outcome = await NetworkSection.run(profile: voiceProfile, options: options, progress: { _ in }, logger: logger).judged(by: voiceProfile)
        let blocked = try #require(finding(outcome, "network.udp_blocked"))
        #expect(blocked.status == .fail)
        #expect(outcome.network?.udpBlocked == true)
        #expect(outcome.network?.method?.latencyTransport == "tcp")
        #expect(outcome.network?.latencyIdleMs != nil)
        // Loss is not reported as 100 %.
        #expect(outcome.network?.lossPercent == nil)
    }

    @Test func stalledServerNeverHangsTheCheck() async throws {
        let stalling = try StallingHTTPServer()
        defer { stalling.stop() }
        let start = Date()
        let outcome = await NetworkSection.run(
            profile: voiceProfile, options: quickOptions(download: stalling.url, upload: stalling.url, deadline: 8),
            progress: { _ in }, logger: logger).judged(by: voiceProfile)
        #expect(Date().timeIntervalSince(start) < 12)
        #expect(outcome.network?.downloadMbps == nil)
        #expect(outcome.findings.contains { $0.id == "network.download" && $0.status == .error })
    }

    @Test func unreachableServerIsAFinding() async throws {
        let port = try FreePort.tcp()
        let options = NetworkCheckOptions(serverURL: URL(string: "http://127.0.0.1:\(port)"), deadlineSeconds: 10)
        let outcome = await NetworkSection.run(profile: voiceProfile, options: options, progress: { _ in }, logger: logger).judged(by: voiceProfile)
        let server = try #require(finding(outcome, "network.server"))
        #expect(server.status == .error)
        #expect(server.remediation != nil)
        // Thresholds that could not be judged say so.
        #expect(finding(outcome, "network.download")?.status == .error)
    }

    @Test func proxyFromTheEnvironmentIsUsedAndReported() async throws {
        try TestEnvironment.require(NginxPeer.unavailableReason)
        let nginx = try NginxPeer(fileMegabytes: 4)
        defer { nginx.stop() }
        // nginx answers absolute-form requests, so it serves as a forward proxy for its own files.
        let proxy = "http://user:pw@127.0.0.1:\(nginx.port)"
        var options = quickOptions(download: "http://speedtest.invalid/big.bin", environment: ["http_proxy": proxy])
        options.maxSecondsPerDirection = 1
        let outcome = await NetworkSection.run(profile: voiceProfile, options: options, progress: { _ in }, logger: logger).judged(by: voiceProfile)
        #expect(outcome.network?.method?.proxy == "http://127.0.0.1:\(nginx.port)")
        #expect(finding(outcome, "network.proxy") != nil)
        #expect(try #require(outcome.network?.downloadMbps) > 0)
        // NO_PROXY sends the server direct even with a (dead) proxy configured. No name is ever resolved here:
        // the proxied name above goes to the proxy, the direct URL is an IP literal.
        let deadPort = try FreePort.tcp()
        options.downloadURL = URL(string: nginx.url("/big.bin"))
        options.environment = ["http_proxy": "http://127.0.0.1:\(deadPort)", "no_proxy": "127.0.0.1"]
        let direct = await NetworkSection.run(profile: voiceProfile, options: options, progress: { _ in }, logger: logger).judged(by: voiceProfile)
        #expect(direct.network?.method?.proxy == nil)
        #expect(try #require(direct.network?.downloadMbps) > 0)
        // Without NO_PROXY the dead proxy is a connection finding, not a hang or a crash.
        options.environment = ["http_proxy": "http://127.0.0.1:\(deadPort)"]
        let dead = await NetworkSection.run(profile: voiceProfile, options: options, progress: { _ in }, logger: logger).judged(by: voiceProfile)
        #expect(dead.network?.method?.proxy == "http://127.0.0.1:\(deadPort)")
        #expect(finding(dead, "network.download")?.status == .error)
    }

    @Test func interfaceBindingIsHonoured() async throws {
        try TestEnvironment.require(NginxPeer.unavailableReason)
        let nginx = try NginxPeer(fileMegabytes: 4)
        defer { nginx.stop() }
        let peer = try UDPEchoPeer()
        defer { peer.stop() }
        var options = quickOptions(download: nginx.url("/big.bin"), echo: (peer.host, peer.port), interface: "lo")
        options.maxSecondsPerDirection = 1
        let bound = await NetworkSection.run(profile: voiceProfile, options: options, progress: { _ in }, logger: logger).judged(by: voiceProfile)
        #expect(bound.network?.method?.interface == "lo")
        if TestEnvironment.isRoot {
            #expect(try #require(bound.network?.downloadMbps) > 0)
            #expect(bound.network?.udpProbes?.lost == 0)
        }
        options.interface = "hr-nonexistent0"
        let missing = await NetworkSection.run(profile: voiceProfile, options: options, progress: { _ in }, logger: logger).judged(by: voiceProfile)
        #expect(missing.network?.downloadMbps == nil)
        #expect(missing.findings.contains { $0.status == .error })
    }
}

/// Collects progress events from any thread.
final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [CheckProgress] = []

    var record: ProgressHandler { { event in self.lock.withLock { self.events.append(event) } } }
    var phases: [String] { lock.withLock { events.map(\.phase) } }
}
