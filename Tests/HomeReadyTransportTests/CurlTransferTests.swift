import Foundation
import HomeReadyTestSupport
import Testing
@testable import HomeReadyTransport

@Suite struct CurlTransferTests {
    @Test func realTransferFromLoopbackReadsTimingFields() async throws {
        try TestEnvironment.require(NginxPeer.unavailableReason)
        let nginx = try NginxPeer(fileMegabytes: 4)
        defer { nginx.stop() }
        let response = try await HTTPClient.perform(HTTPRequest(url: nginx.url("/big.bin")))
        #expect(response.statusCode == 200)
        #expect(response.bytesReceived == 4 << 20)
        #expect(response.bodyPrefix.count == 512)
        #expect(response.remoteAddress == "127.0.0.1")
        #expect(response.remotePort == nginx.port)
        let timing = response.timing
        #expect(timing.dnsMs < 50)  // an IP literal: no resolver is asked
        #expect(timing.connectMs >= timing.dnsMs)
        #expect(timing.firstByteMs >= timing.connectMs)
        #expect(timing.totalMs >= timing.firstByteMs)
        #expect(timing.tlsMs == nil)
        #expect(timing.totalMs < 10_000)
    }

    @Test func tlsHandshakeTimeIsReadAgainstOpenSSLServer() async throws {
        try TestEnvironment.require([.openssl])
        let directory = try TemporaryDirectory(prefix: "hr-tls")
        defer { directory.remove() }
        let key = directory.url.appendingPathComponent("key.pem").path
        let cert = directory.url.appendingPathComponent("cert.pem").path
        let made = try Subprocess.run([
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
        ])
        #expect(made.status == 0)
        let port = try FreePort.tcp()
        let server = try Subprocess.start([
            "openssl", "s_server", "-accept", "127.0.0.1:\(port)", "-key", key, "-cert", cert, "-www", "-quiet",
        ])
        defer { server.stop() }
        try FreePort.waitForListener(port: port, timeout: 10)
        let response = try await HTTPClient.perform(HTTPRequest(url: "https://127.0.0.1:\(port)/", insecure: true))
        #expect(response.statusCode == 200)
        let tls = try #require(response.timing.tlsMs)
        #expect(tls >= response.timing.connectMs)
        // The handshake lies between the TCP connect and the first byte, and a real one takes measurable time.
        let handshake = try #require(response.timing.tlsHandshakeMs)
        #expect(handshake > 0 && handshake < 2_000)
        #expect(response.timing.connectMs + handshake <= response.timing.firstByteMs)
        // Without `insecure`, the self-signed certificate is refused as a TLS error.
        await #expect(throws: CurlError.tls) {
            _ = try await HTTPClient.perform(HTTPRequest(url: "https://127.0.0.1:\(port)/"))
        }
    }

    @Test func ipv6LoopbackWorks() async throws {
        try TestEnvironment.require(NginxPeer.unavailableReason)
        let nginx = try NginxPeer(fileMegabytes: 1)
        defer { nginx.stop() }
        let response = try await HTTPClient.perform(HTTPRequest(url: nginx.url("/big.bin", ipv6: true), ipFamily: .v6))
        #expect(response.statusCode == 200)
        #expect(response.remoteAddress == "::1")
    }

    @Test func refusedConnectionAndStalledServerFailFast() async throws {
        let port = try FreePort.tcp()
        await #expect(throws: CurlError.connect) {
            _ = try await HTTPClient.perform(HTTPRequest(url: "http://127.0.0.1:\(port)/"))
        }
        let stalling = try StallingHTTPServer()
        defer { stalling.stop() }
        let start = Date()
        await #expect(throws: CurlError.timeout) {
            _ = try await HTTPClient.perform(HTTPRequest(url: stalling.url, timeoutSeconds: 30, stallSeconds: 2))
        }
        #expect(Date().timeIntervalSince(start) < 15)
    }

    @Test func cancellationStopsATransfer() async throws {
        let stalling = try StallingHTTPServer()
        defer { stalling.stop() }
        let cancellation = TransferCancellation()
        // A dispatch timer, not a Task: other suites' synchronous set-up may occupy the cooperative pool.
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { cancellation.cancel() }
        let start = Date()
        await #expect(throws: CurlError.self) {
            _ = try await HTTPClient.perform(HTTPRequest(url: stalling.url, timeoutSeconds: 30), cancellation: cancellation)
        }
        #expect(Date().timeIntervalSince(start) < 10)
    }

    @Test func uploadSendsTheRequestedBytes() async throws {
        try TestEnvironment.require(NginxPeer.unavailableReason)
        let nginx = try NginxPeer(fileMegabytes: 1)
        defer { nginx.stop() }
        let response = try await HTTPClient.perform(HTTPRequest(url: nginx.url("/upload"), method: .post, uploadBytes: 3_000_000))
        #expect(response.statusCode == 200)
        #expect(response.bytesSent == 3_000_000)
    }

    @Test func parallelStreamsRampAndStop() async throws {
        try TestEnvironment.require(NginxPeer.unavailableReason)
        let nginx = try NginxPeer(fileMegabytes: 8)
        defer { nginx.stop() }
        let request = HTTPRequest(url: nginx.url("/big.bin"), timeoutSeconds: 3)
        let result = try await BlockingThread.run {
            try ParallelTransfer.runBlocking(request: request, initialStreams: 2) { samples in
                guard let last = samples.last else { return .keepGoing }
                if last.elapsedSeconds > 1.2 { return .stop }
                return last.elapsedSeconds > 0.5 ? .useStreams(4) : .keepGoing
            }
        }
        #expect(result.maxStreams == 4)
        #expect(result.totalBytes > 8 << 20)
        #expect(result.durationSeconds < 3)
        #expect(result.firstResponse?.statusCode == 200)
        #expect(result.samples.count >= 5)
        #expect(zip(result.samples, result.samples.dropFirst()).allSatisfy { $0.totalBytes <= $1.totalBytes })
    }
}
