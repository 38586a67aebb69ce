import Foundation
import HomeReadyJudging
import HomeReadyModel
import HomeReadyTestSupport
import Logging
import Testing
@testable import HomeReadyProbe

@Suite struct TLSTimingTests {
    @Test func httpsDownloadReportsTheTLSHandshakeTime() async throws {
        try TestEnvironment.require([.openssl])
        let directory = try TemporaryDirectory(prefix: "hr-probe-tls")
        defer { directory.remove() }
        let key = directory.url.appendingPathComponent("key.pem").path
        let cert = directory.url.appendingPathComponent("cert.pem").path
        let made = try Subprocess.run([
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
        ])
        #expect(made.status == 0)
        try directory.write("www/file.bin", String(repeating: "0123456789abcdef", count: 65_536))
        let port = try FreePort.tcp()
        // `-WWW` serves files from the working directory over HTTPS (a peer we did not write).
        let server = try Subprocess.start([
            "bash", "-c", "cd '\(directory.path)/www' && exec openssl s_server -accept 127.0.0.1:\(port) -key '\(key)' -cert '\(cert)' -WWW -quiet",
        ])
        defer { server.stop() }
        try FreePort.waitForListener(port: port, timeout: 10)
        let options = NetworkCheckOptions(
            downloadURL: URL(string: "https://127.0.0.1:\(port)/file.bin"), deadlineSeconds: 15,
            maxSecondsPerDirection: 1, voiceSeconds: 0.5, insecureTLS: true, environment: [:])
        let outcome = await NetworkSection.run(profile: voiceProfile, options: options, progress: { _ in }, logger: Logger(label: "t")).judged(by: voiceProfile)
        let network = try #require(outcome.network)
        // A real handshake (ECDHE, an ECDSA signature) takes measurable time even on loopback, and far less than
        // the transfer's 15 s deadline; an IP literal needs no resolver, so its lookup time is close to nothing.
        let handshake = try #require(network.tlsHandshakeMs)
        #expect(handshake > 0 && handshake < 2_000)
        #expect(try #require(network.dnsMs) < 50)
        #expect(!outcome.findings.contains { $0.id == "network.captive_portal" })
    }
}
