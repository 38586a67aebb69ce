import Foundation
import HomeReadyJudging
import HomeReadyLocalization
import HomeReadyModel
import Testing

/// The SIP ALG and SBC findings, through the one judge of a report.
@Suite struct SIPPathJudgeTests {
    static func judge(_ path: VoicePathResult, sbcs: [SBCEndpoint] = []) -> Judgement {
        var report = CheckReport(
            agent: AgentIdentity(employeeID: "E1", hostname: "h"), profile: ProfileReference(id: "p", version: 1),
            startedAt: Date(timeIntervalSince1970: 0), finishedAt: Date(timeIntervalSince1970: 1), verdict: .ready)
        report.voicePath = path
        var profile = Profile(id: "p", title: "P", version: 1)
        profile.voice = VoicePathSettings(sbc: sbcs)
        return ReportJudge.judge(report, profile: profile)
    }

    static let detected = SIPALGResult(
        mirror: "hr.example:5060", udp: SIPALGProbe(state: .detected, rewrittenFields: ["Via", "Contact", "sdp.c"]),
        tcp: SIPALGProbe(state: .notDetected))

    @Test("an ALG on UDP fails critically when an SBC uses UDP: not ready, with how to turn it off in Spanish")
    func algCriticalForUDPSoftphone() throws {
        let judgement = Self.judge(
            VoicePathResult(sipALG: Self.detected), sbcs: [SBCEndpoint(host: "sbc.example", transport: .udp)])
        let udp = try #require(judgement.findings.first { $0.id == "voice.sip_alg.udp" })
        #expect(udp.status == .fail)
        #expect(udp.severity == .critical)
        #expect(udp.message.contains("Via, Contact, sdp.c"))
        #expect(udp.remediation?.contains("SIP ALG") == true)
        #expect(udp.remediation?.contains("Telmex") == true)
        let spanish = Localizer(.es).render(try #require(udp.remediationText))
        #expect(spanish.contains("desactívalo"))
        #expect(spanish.contains("llama a tu proveedor"))
        let tcp = try #require(judgement.findings.first { $0.id == "voice.sip_alg.tcp" })
        #expect(tcp.status == .pass)
        #expect(judgement.verdict == .notReady)
    }

    @Test("an ALG warns only when no SBC signals over that transport (TLS hides SIP from it)")
    func algWarningForTLSSoftphone() throws {
        let judgement = Self.judge(
            VoicePathResult(sipALG: Self.detected), sbcs: [SBCEndpoint(host: "sbc.example", transport: .tls)])
        let udp = try #require(judgement.findings.first { $0.id == "voice.sip_alg.udp" })
        #expect(udp.status == .fail)
        #expect(udp.severity == .warning)
        #expect(judgement.verdict == .readyWithWarnings)
    }

    @Test("no answer from the mirror warns that the check could not tell")
    func algNoAnswer() throws {
        let result = SIPALGResult(mirror: "hr.example:5060", udp: SIPALGProbe(state: .noAnswer), tcp: nil)
        let judgement = Self.judge(VoicePathResult(sipALG: result))
        let udp = try #require(judgement.findings.first { $0.id == "voice.sip_alg.udp" })
        #expect(udp.status == .warn)
        #expect(udp.message.contains("hr.example:5060"))
        #expect(judgement.findings.count == 1)
    }

    @Test("a required SBC that does not answer fails critically, an optional one warns, each with what to do")
    func sbcUnreachable() throws {
        let results = [
            SBCResult(host: "sbc1.example", port: 5060, transport: .udp, required: true, state: .noAnswer),
            SBCResult(host: "sbc2.example", port: 5061, transport: .tls, required: false, state: .tlsFailure),
            SBCResult(host: "sbc3.example", port: 5060, transport: .tcp, required: false, state: .dnsFailure),
        ]
        let judgement = Self.judge(VoicePathResult(sbc: results))
        let first = try #require(judgement.findings.first { $0.id == "voice.sbc.sbc1.example:5060/udp" })
        #expect(first.status == .fail && first.severity == .critical)
        #expect(first.remediation?.contains("sbc1.example:5060 (UDP)") == true)
        let second = try #require(judgement.findings.first { $0.id == "voice.sbc.sbc2.example:5061/tls" })
        #expect(second.severity == .warning)
        #expect(second.remediation?.contains("date and time") == true)
        let third = try #require(judgement.findings.first { $0.id == "voice.sbc.sbc3.example:5060/tcp" })
        #expect(third.message.contains("could not be found"))
        #expect(judgement.verdict == .notReady)
    }

    @Test("a reachable SBC passes with its round trip; a received/rport other than STUN's mapping warns")
    func sbcReachableAndMismatch() throws {
        let matching = SBCResult(
            host: "sbc.example", port: 5060, transport: .udp, state: .reachable, rttMs: 42.5, statusCode: 200,
            received: "203.0.113.5", rport: 40000, stunMapped: "203.0.113.5:40000", matchesSTUN: true)
        var other = matching
        other.port = 5070
        other.received = "198.51.100.9"
        other.matchesSTUN = false
        let judgement = Self.judge(VoicePathResult(sbc: [matching, other]))
        let pass = try #require(judgement.findings.first { $0.id == "voice.sbc.sbc.example:5060/udp" })
        #expect(pass.status == .pass)
        #expect(pass.message.contains("42 ms"))
        #expect(!judgement.findings.contains { $0.id == "voice.sbc.sbc.example:5060/udp.nat" })
        let mismatch = try #require(judgement.findings.first { $0.id == "voice.sbc.sbc.example:5070/udp.nat" })
        #expect(mismatch.status == .warn)
        #expect(mismatch.message.contains("198.51.100.9:40000"))
        #expect(mismatch.message.contains("203.0.113.5:40000"))
        #expect(judgement.verdict == .readyWithWarnings)
    }

    @Test("every SIP finding and fix renders in Spanish without leftover placeholders")
    func spanishTexts() {
        let results = [
            SBCResult(host: "a", port: 1, transport: .udp, state: .noAnswer),
            SBCResult(host: "b", port: 1, transport: .udp, state: .refused),
            SBCResult(host: "c", port: 1, transport: .tls, state: .tlsFailure),
            SBCResult(host: "d", port: 1, transport: .tcp, state: .dnsFailure),
            SBCResult(
                host: "e", port: 1, transport: .udp, state: .reachable, rttMs: 3, statusCode: 200, received: "1.2.3.4",
                rport: 5, stunMapped: "1.2.3.5:5", matchesSTUN: false),
        ]
        let alg = SIPALGResult(mirror: "m:1", udp: SIPALGProbe(state: .detected, rewrittenFields: ["Via"]), tcp: SIPALGProbe(state: .noAnswer))
        let judgement = Self.judge(VoicePathResult(sipALG: alg, sbc: results))
        let spanish = Localizer(.es)
        for finding in judgement.findings {
            for text in [finding.messageText, finding.remediationText].compactMap({ $0 }) {
                let rendered = spanish.render(text)
                #expect(!rendered.contains("{") && !rendered.isEmpty, "\(finding.id): \(rendered)")
                #expect(rendered != Localizer.english.render(text), "\(finding.id) is not translated")
            }
        }
    }
}
