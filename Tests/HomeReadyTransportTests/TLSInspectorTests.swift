import Foundation
import HomeReadyTestSupport
import Testing

@testable import HomeReadyTransport

@Suite("TLS inspection through OpenSSL against openssl s_server")
struct TLSInspectorTests {
    @Test("a handshake with s_server on 127.0.0.1 reads the peer certificate: subject, expiry, SPKI SHA-256")
    func handshakeReadsPeerCertificate() async throws {
        try await withTemporaryDirectory { directory in
            let authority = try TestCertificateAuthority(commonName: "HomeReady Test CA", in: directory.path)
            let leaf = try authority.issue(
                file: "gw", commonName: "gw.test", names: ["127.0.0.1", "gw.test"], days: 10)
            let port = try VPNPeers.freeLoopbackPort()
            let server = try VPNPeers.startTLSServer(
                certificate: leaf.cert, key: leaf.key, host: "127.0.0.1", port: port)
            defer { server.stop() }

            let endpoint = try #require(IPEndpoint(address: "127.0.0.1", port: port))
            let connect = await TCPConnection.connect(to: endpoint, timeout: 3)
            #expect(connect.outcome == .connected)
            let connection = try #require(connect.connection)
            defer { connection.close() }
            let info = try await TLSInspector.inspect(
                connection, options: TLSInspectionOptions(serverName: "127.0.0.1", caFile: authority.certificatePath))

            #expect(info.leaf.subject == "CN=gw.test")
            #expect(info.leaf.issuer == "CN=HomeReady Test CA")
            #expect(info.protocolVersion == "TLSv1.3")
            #expect(!info.cipher.isEmpty)
            #expect(info.chainVerified)
            #expect(info.hostnameMatches == true)
            let expected = try TestCertificateAuthority.spkiSHA256(ofCertificate: leaf.cert)
            #expect(info.leaf.spkiSHA256 == expected)
            let notAfter = try #require(info.leaf.notAfter)
            let days = notAfter.timeIntervalSinceNow / 86_400
            #expect(days > 9 && days <= 10.01)
        }
    }

    @Test("without the CA the same certificate does not verify and is reported as an untrusted issuer")
    func unknownIssuerIsUntrusted() async throws {
        try await withTemporaryDirectory { directory in
            let authority = try TestCertificateAuthority(commonName: "Private CA", in: directory.path)
            let leaf = try authority.issue(file: "gw", commonName: "gw.test", names: ["127.0.0.1"])
            let port = try VPNPeers.freeLoopbackPort()
            let server = try VPNPeers.startTLSServer(
                certificate: leaf.cert, key: leaf.key, host: "127.0.0.1", port: port)
            defer { server.stop() }
            let connect = await TCPConnection.connect(to: IPEndpoint(address: "127.0.0.1", port: port)!, timeout: 3)
            let connection = try #require(connect.connection)
            defer { connection.close() }
            let info = try await TLSInspector.inspect(connection, options: TLSInspectionOptions(serverName: "gw.other"))
            #expect(!info.chainVerified)
            #expect(info.chainProblem == .untrustedIssuer)
            #expect(info.hostnameMatches == false)
            #expect(info.verifyError != nil)
        }
    }

    @Test("a peer that does not speak TLS fails the handshake with an error, not a hang")
    func nonTLSPeerFailsHandshake() async throws {
        let port = try VPNPeers.freeLoopbackPort()
        // A TCP listener that accepts and closes at once.
        let server = try Subprocess.start([
            "python3", "-c",
            "import socket\ns=socket.socket()\ns.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\ns.bind(('127.0.0.1',\(port)))\ns.listen()\nwhile True:\n c,_=s.accept()\n c.close()",
        ])
        defer { server.stop() }
        try VPNPeers.waitForListener(port: port, udp: false)
        let connect = await TCPConnection.connect(to: IPEndpoint(address: "127.0.0.1", port: port)!, timeout: 3)
        let connection = try #require(connect.connection)
        defer { connection.close() }
        await #expect(throws: SocketError.self) {
            try await TLSInspector.inspect(connection, options: TLSInspectionOptions(timeout: 3))
        }
    }
}
