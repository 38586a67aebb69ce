import Foundation
import HomeReadyModel
import HomeReadyTestSupport
import Logging
import Testing

@testable import HomeReadyVoicePath

extension SIPPeerSuites {
/// The SIP mirror driven by SIPp (a client we did not write), the inventory server's `serve --sip-port` found
/// through `/speed/info`, and the SBC check against Kamailio over UDP, TCP and TLS.
@Suite struct SIPPeerTests {
    static let logger = Logger(label: "sip-peers")

    /// `homeready-speedtest-server` on 127.0.0.1 with the SIP mirror on a free port.
    static func startSpeedTestServer() throws -> (BackgroundProcess, sipPort: Int, httpPort: Int) {
        let binary = TestEnvironment.productsDirectory.appendingPathComponent("homeready-speedtest-server").path
        let sipPort = try FreePort.tcp()
        let httpPort = try FreePort.tcp()
        let echoPort = try FreePort.tcp()
        let process = try Subprocess.start([
            binary, "--host", "127.0.0.1", "--port", String(httpPort), "--echo-port", String(echoPort), "--sip-port",
            String(sipPort),
        ])
        do {
            try FreePort.waitForListener(port: sipPort, udp: true, timeout: 10)
            try FreePort.waitForListener(port: sipPort, timeout: 10)
        } catch {
            process.stop()
            throw TestSupportError("\(error): \(process.log)")
        }
        return (process, sipPort, httpPort)
    }

    /// A SIPp scenario: INVITE with SDP → expects 488 with a base64 message/sip body → ACK; then OPTIONS → 200.
    static let scenario = """
        <?xml version="1.0" encoding="ISO-8859-1" ?>
        <scenario name="HomeReady SIP mirror">
          <send retrans="500">
            <![CDATA[

              INVITE sip:mirror@[remote_ip]:[remote_port] SIP/2.0
              Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport
              From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
              To: <sip:mirror@[remote_ip]:[remote_port]>
              Call-ID: [call_id]
              CSeq: 1 INVITE
              Contact: <sip:sipp@[local_ip]:[local_port]>
              Max-Forwards: 70
              Content-Type: application/sdp
              Content-Length: [len]

              v=0
              o=sipp 1 1 IN IP[local_ip_type] [local_ip]
              s=-
              c=IN IP[media_ip_type] [media_ip]
              t=0 0
              m=audio [media_port] RTP/AVP 0
              a=rtpmap:0 PCMU/8000

            ]]>
          </send>
          <recv response="488">
            <action>
              <ereg regexp="message/sip" search_in="hdr" header="Content-Type:" check_it="true" assign_to="type"/>
              <ereg regexp="base64" search_in="hdr" header="Content-Transfer-Encoding:" check_it="true" assign_to="encoding"/>
              <ereg regexp="127.0.0.1:[0-9]+" search_in="hdr" header="X-HomeReady-Source:" check_it="true" assign_to="source"/>
              <log message="mirror answered [$type] [$encoding] from [$source]"/>
            </action>
          </recv>
          <send>
            <![CDATA[

              ACK sip:mirror@[remote_ip]:[remote_port] SIP/2.0
              [last_Via:]
              From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
              [last_To:]
              Call-ID: [call_id]
              CSeq: 1 ACK
              Max-Forwards: 70
              Content-Length: 0

            ]]>
          </send>
          <send retrans="500">
            <![CDATA[

              OPTIONS sip:mirror@[remote_ip]:[remote_port] SIP/2.0
              Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
              From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag01[call_number]
              To: <sip:mirror@[remote_ip]:[remote_port]>
              Call-ID: [call_id]
              CSeq: 2 OPTIONS
              Max-Forwards: 70
              Content-Length: 0

            ]]>
          </send>
          <recv response="200"/>
        </scenario>
        """

    @Test("SIPp's INVITE gets a 488 with the mirror body, its ACK nothing, its OPTIONS a 200, over UDP and TCP", arguments: ["u1", "t1"])
    func sippDrivesMirror(transport: String) async throws {
        try TestEnvironment.require([.sipp])
        let directory = try TemporaryDirectory(prefix: "hr-sipp")
        defer { directory.remove() }
        let file = try directory.write("mirror.xml", Self.scenario)
        let output = try await withPeer({ try Self.startSpeedTestServer() }, stop: { $0.0.stop() }) { server in
            let sipPort = server.sipPort
            return try await offPool {
                try Subprocess.run(
                    [
                        "sipp", "127.0.0.1:\(sipPort)", "-sf", file.path, "-m", "1", "-t", transport, "-i", "127.0.0.1",
                        "-p", "0", "-nostdin", "-timeout", "10", "-timeout_error", "-trace_logs", "-log_file",
                        "\(directory.path)/sipp.log",
                    ], timeout: 30)
            }
        }
        #expect(output.status == 0, "sipp exited \(output.status): \(output.stdout.suffix(800)) \(output.stderr)")
        let log = (try? String(contentsOfFile: "\(directory.path)/sipp.log", encoding: .utf8)) ?? ""
        #expect(log.contains("mirror answered message/sip base64 from 127.0.0.1:"), "sipp log: \(log)")
    }

    @Test("homeready-server serve --sip-port: /speed/info announces the mirror and the agent finds no ALG on loopback")
    func inventoryServerMirror() async throws {
        let directory = try TemporaryDirectory(prefix: "hr-sip-server")
        defer { directory.remove() }
        let sipPort = try FreePort.tcp()
        let outcome = try await withPeer(
            {
                let server = try HomeReadyServerProcess(directory: directory.url, extraArguments: ["--sip-port", String(sipPort)])
                try server.start()
                try FreePort.waitForListener(port: sipPort, udp: true, timeout: 10)
                return server
            }, stop: { $0.stop() }
        ) { server in
            var options = VoicePathCheckOptions(timeoutSeconds: 3)
            options.serverURL = URL(string: server.url)
            return await VoicePathSection.run(
                profile: Profile(id: "p", title: "P", version: 1), options: options, progress: { _ in }, logger: Self.logger)
        }
        let alg = try #require(outcome.voicePath?.sipALG)
        #expect(alg.mirror == "127.0.0.1:\(sipPort)")
        #expect(alg.udp?.state == .notDetected)
        #expect(alg.tcp?.state == .notDetected)
    }

    @Test("a server without --sip-port announces no mirror: the SIP ALG check is left out")
    func noMirrorAnnounced() async throws {
        let directory = try TemporaryDirectory(prefix: "hr-sip-server")
        defer { directory.remove() }
        let outcome = try await withPeer(
            {
                let server = try HomeReadyServerProcess(directory: directory.url)
                try server.start()
                return server
            }, stop: { $0.stop() }
        ) { server in
            var options = VoicePathCheckOptions(timeoutSeconds: 2)
            options.serverURL = URL(string: server.url)
            return await VoicePathSection.run(
                profile: Profile(id: "p", title: "P", version: 1), options: options, progress: { _ in }, logger: Self.logger)
        }
        #expect(outcome.voicePath?.sipALG == nil)
    }
}
}

extension SIPPeerSuites {
/// The SBC check against Kamailio on loopback, with coturn as the STUN server.
@Suite struct SBCKamailioTests {
    static let logger = Logger(label: "sbc-kamailio")

    /// coturn answering STUN only, on UDP 127.0.0.1.
    static func startSTUN(in directory: TemporaryDirectory) throws -> (BackgroundProcess, Int) {
        let port = try FreePort.tcp()
        let process = try Subprocess.start([
            "turnserver", "-L", "127.0.0.1", "--listening-port", String(port), "--stun-only", "--no-tls", "--no-dtls",
            "--no-cli", "--simple-log", "--log-file", "stdout", "-b", "\(directory.path)/turndb", "--pidfile",
            "\(directory.path)/turnserver.pid",
        ])
        try FreePort.waitForListener(port: port, udp: true, timeout: 10)
        return (process, port)
    }

    static func profile(_ sbcs: [SBCEndpoint], stunPort: Int?) -> Profile {
        var profile = Profile(id: "p", title: "P", version: 1)
        profile.voice = VoicePathSettings(sbc: sbcs)
        if let stunPort { profile.stunServers = [STUNServer(host: "127.0.0.1", port: stunPort)] }
        return profile
    }

    @Test("Kamailio answers OPTIONS over UDP, TCP and TLS: reachable, 200, the received/rport it saw matches STUN")
    func kamailioReachable() async throws {
        try TestEnvironment.require(KamailioPeer.unavailableReason(tls: true))
        try TestEnvironment.require([.turnserver])
        let directory = try TemporaryDirectory(prefix: "hr-sbc-stun")
        defer { directory.remove() }
        try await withPeer({ try KamailioPeer.start(tls: true) }, stop: { $0.stop() }) { kamailio in
        try await withPeer({ try Self.startSTUN(in: directory) }, stop: { $0.0.stop() }) { stun in
        let stunPort = stun.1
        let sbcs = [
            SBCEndpoint(host: "127.0.0.1", port: kamailio.port, transport: .udp),
            SBCEndpoint(host: "127.0.0.1", port: kamailio.port, transport: .tcp),
            SBCEndpoint(host: "127.0.0.1", port: kamailio.tlsPort, transport: .tls, required: false),
        ]
        let options = VoicePathCheckOptions(timeoutSeconds: 3, insecureTLS: true)
        let outcome = await VoicePathSection.run(
            profile: Self.profile(sbcs, stunPort: stunPort), options: options, progress: { _ in }, logger: Self.logger)
        let results = try #require(outcome.voicePath?.sbc)
        #expect(results.count == 3)
        for result in results {
            #expect(result.state == .reachable, "\(result.transport): \(result) — kamailio: \(kamailio.log.suffix(600))")
            #expect(result.statusCode == 200)
            #expect(result.received == "127.0.0.1")
            #expect(result.rport != nil)
            #expect((result.rttMs ?? 1e9) < 1000)
            #expect(result.stunMapped?.hasPrefix("127.0.0.1:") == true)
            #expect(result.matchesSTUN == true, "\(result)")
        }
        #expect(results[0].stunMapped == "127.0.0.1:\(results[0].rport ?? 0)", "UDP: STUN from the SIP socket's port")
        }
        }
    }

    @Test("an SBC that is down, a name that does not resolve, and an untrusted certificate are told apart")
    func kamailioFailures() async throws {
        try TestEnvironment.require(KamailioPeer.unavailableReason(tls: true))
        try await withPeer({ try KamailioPeer.start(tls: true) }, stop: { $0.stop() }) { kamailio in
        let closed = try FreePort.tcp()
        let sbcs = [
            SBCEndpoint(host: "127.0.0.1", port: closed, transport: .udp),
            SBCEndpoint(host: "127.0.0.1", port: closed, transport: .tcp),
            SBCEndpoint(host: "sbc.homeready.invalid", port: 5060, transport: .udp, required: false),
            SBCEndpoint(host: "127.0.0.1", port: kamailio.tlsPort, transport: .tls),
        ]
        let outcome = await VoicePathSection.run(
            profile: Self.profile(sbcs, stunPort: nil), options: VoicePathCheckOptions(timeoutSeconds: 1.5),
            progress: { _ in }, logger: Self.logger)
        let results = try #require(outcome.voicePath?.sbc)
        #expect(results.map(\.state) == [.refused, .refused, .dnsFailure, .tlsFailure])
        #expect(results.allSatisfy { $0.matchesSTUN == nil })
        }
    }
}
}
