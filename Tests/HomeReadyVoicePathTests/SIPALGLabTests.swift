import Foundation
import HomeReadyModel
import HomeReadyTestSupport
import Logging
import Testing

@testable import HomeReadyVoicePath

extension SIPPeerSuites {
/// SIP ALG detection proven against Linux's own SIP ALG (`nf_nat_sip` through an nftables `ct helper` "sip" at
/// priority 0 in a NAT router namespace), the same router without the helper, and a mirror that is down.
@Suite(.serialized) struct SIPALGLabTests {
    static let logger = Logger(label: "sip-alg-lab")

    static func check(_ host: String, port: Int, timeout: Double = 3) async -> SIPALGResult? {
        let options = VoicePathCheckOptions(sipMirrorHost: host, sipMirrorPort: port, timeoutSeconds: timeout)
        return await VoicePathSection.run(
            profile: Profile(id: "p", title: "P", version: 1), options: options, progress: { _ in }, logger: logger
        ).voicePath?.sipALG
    }

    @Test("Linux's SIP ALG in the router is detected over UDP and TCP, with Via, Contact and sdp.c among the fields")
    func helperDetected() async throws {
        try TestEnvironment.require(SIPALGLab.unavailableReason)
        try await withPeer({ try SIPALGLab(sipHelper: true) }, stop: { $0.destroy() }) { lab in
            let mirror = try await offPool { try lab.startMirror() }
            defer { withExtendedLifetime(mirror) {} }
            let result = try #require(await Self.check(lab.serverAddress, port: lab.sipPort))
            let udp = try #require(result.udp)
            #expect(udp.state == .detected, "UDP: \(udp)")
            for field in ["Via", "From", "Contact", "sdp.o", "sdp.c"] {
                #expect(udp.rewrittenFields.contains(field), "UDP rewritten fields \(udp.rewrittenFields) lack \(field)")
            }
            let tcp = try #require(result.tcp)
            #expect(tcp.state == .detected, "TCP: \(tcp)")
            for field in ["Via", "Contact"] {
                #expect(tcp.rewrittenFields.contains(field), "TCP rewritten fields \(tcp.rewrittenFields) lack \(field)")
            }
        }
    }

    @Test("the same router without the helper rewrites nothing; with the mirror stopped the check says no_answer")
    func noHelperThenMirrorDown() async throws {
        try TestEnvironment.require(SIPALGLab.unavailableReason)
        try await withPeer({ try SIPALGLab(sipHelper: false) }, stop: { $0.destroy() }) { lab in
            let mirror = try await offPool { try lab.startMirror() }
            let result = try #require(await Self.check(lab.serverAddress, port: lab.sipPort))
            #expect(result.udp?.state == .notDetected, "UDP: \(String(describing: result.udp))")
            #expect(result.udp?.rewrittenFields == [])
            #expect(result.tcp?.state == .notDetected, "TCP: \(String(describing: result.tcp))")
            _ = try await offPool { mirror.stop() }
            let down = try #require(await Self.check(lab.serverAddress, port: lab.sipPort, timeout: 1.5))
            #expect(down.udp?.state == .noAnswer)
            #expect(down.tcp?.state == .noAnswer)
        }
    }

    @Test("homeready check finds the mirror through /speed/info and reports the ALG as a finding with its fix")
    func cliThroughSpeedInfo() async throws {
        try TestEnvironment.require(SIPALGLab.unavailableReason)
        try await withPeer({ try SIPALGLab(sipHelper: true) }, stop: { $0.destroy() }) { lab in
            let mirror = try await offPool { try lab.startMirror() }
            defer { withExtendedLifetime(mirror) {} }
            let home = try TemporaryDirectory(prefix: "hr-sipalg-agent")
            defer { home.remove() }
            let agent = HomeReadyAgentProcess(home: home.url)
            let server = "http://\(lab.serverAddress):\(lab.httpPort)"
            let output = try await offPool {
                try agent.run([
                    "check", "--only", "voice-path", "--server", server, "--json", "--profile", "linux-baseline",
                    "--no-upload",
                ])
            }
            let report = try #require(
                try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any], "stderr: \(output.stderr)")
            let alg = try #require((report["voice_path"] as? [String: Any])?["sip_alg"] as? [String: Any])
            #expect(alg["mirror"] as? String == "\(lab.serverAddress):\(lab.sipPort)")
            #expect((alg["udp"] as? [String: Any])?["state"] as? String == "detected")
            let findings = report["findings"] as? [[String: Any]] ?? []
            let udp = try #require(findings.first { $0["id"] as? String == "voice.sip_alg.udp" })
            #expect(udp["status"] as? String == "fail")
            #expect((udp["remediation"] as? String)?.contains("SIP ALG") == true)
        }
    }
}
}
