import Foundation
import HomeReadyJudging
import HomeReadyLocalization
import HomeReadyModel
import Testing

@Suite("RelayPathJudge: TURN relays and NAT type")
struct RelayPathJudgeTests {
    static let profile = Profile(id: "p", title: "P", version: 1)

    func judge(turn: [TURNResult]? = nil, nat: NATTypeResult? = nil, profile: Profile = Self.profile) -> Judgement {
        let report = CheckReport(
            agent: AgentIdentity(employeeID: "E1", hostname: "laptop"), profile: ProfileReference(id: "p", version: 1),
            startedAt: Date(timeIntervalSince1970: 0), finishedAt: Date(timeIntervalSince1970: 30), verdict: .incomplete,
            voicePath: VoicePathResult(turn: turn, natType: nat))
        return ReportJudge.judge(report, profile: profile)
    }

    func finding(_ id: String, _ judgement: Judgement) -> Finding? { judgement.findings.first { $0.id == id } }

    static func relay(_ transport: TURNTransport, _ state: TURNResult.State, rtt: Double? = 24, loss: Double? = 0)
        -> TURNResult
    {
        TURNResult(
            host: "turn.example.com", port: transport.defaultPort, transport: transport, state: state,
            relayedAddress: state == .allocated ? "198.51.100.7:49200" : nil, relayRTTMs: state == .allocated ? rtt : nil,
            lossPercent: state == .allocated ? loss : nil, probesSent: state == .allocated ? 50 : nil,
            error: state == .allocated ? nil : "no answer within 3 s")
    }

    @Test("every relay working passes, naming UDP and its round trip; no degraded finding")
    func allWorking() {
        let judgement = judge(turn: [Self.relay(.udp, .allocated), Self.relay(.tcp, .allocated), Self.relay(.tls, .allocated)])
        let turn = finding("voice_path.turn", judgement)
        #expect(turn?.status == .pass)
        #expect(turn?.message.contains("UDP") == true)
        #expect(turn?.message.contains("24 ms") == true, "\(turn?.message ?? "")")
        #expect(finding("voice_path.turn.udp", judgement) == nil)
        #expect(finding("voice_path.turn.quality", judgement) == nil)
    }

    @Test("UDP failing with TCP working warns: calls only work through the TCP relay (degraded), fix names UDP 3478")
    func udpBlocked() {
        let judgement = judge(turn: [Self.relay(.udp, .noAnswer), Self.relay(.tcp, .allocated), Self.relay(.tls, .allocated)])
        #expect(finding("voice_path.turn", judgement)?.status == .pass)
        let degraded = finding("voice_path.turn.udp", judgement)
        #expect(degraded?.status == .warn)
        #expect(degraded?.severity == .warning)
        #expect(degraded?.message.hasPrefix("Calls only work through the TCP relay (degraded)") == true)
        #expect(degraded?.message.contains("over TCP") == true, "\(degraded?.message ?? "")")
        #expect(degraded?.remediation?.contains("UDP 3478") == true)
        #expect(judgement.verdict == .readyWithWarnings)
        let spanish = Localizer(.es).render(degraded!.messageText!)
        #expect(spanish.hasPrefix("Las llamadas solo funcionan por el relevo TCP"), "\(spanish)")
    }

    @Test("only TLS working: the degraded finding names TLS")
    func onlyTLS() {
        let judgement = judge(turn: [Self.relay(.udp, .noAnswer), Self.relay(.tcp, .noAnswer), Self.relay(.tls, .allocated)])
        #expect(finding("voice_path.turn.udp", judgement)?.message.contains("over TLS") == true)
    }

    @Test("every relay failing fails critically: calls cannot fall back when UDP media is blocked")
    func allFailing() {
        let judgement = judge(turn: [Self.relay(.udp, .noAnswer), Self.relay(.tcp, .noAnswer)])
        let turn = finding("voice_path.turn", judgement)
        #expect(turn?.status == .fail)
        #expect(turn?.severity == .critical)
        #expect(turn?.message.contains("turn.example.com:3478 (UDP), turn.example.com:3478 (TCP)") == true)
        #expect(turn?.remediation?.contains("ask IT or your internet provider") == true)
        #expect(judgement.verdict == .notReady)
    }

    @Test("refused credentials fail with the date-and-time fix; an allocation that relays nothing does not count")
    func authFailedAndSilentRelay() {
        let auth = judge(turn: [Self.relay(.udp, .authFailed), Self.relay(.tcp, .allocated, rtt: nil, loss: 100)])
        #expect(finding("voice_path.turn", auth)?.status == .fail)
        #expect(finding("voice_path.turn", auth)?.remediation?.contains("date and time") == true)
    }

    @Test("a slow or lossy relay warns against the profile's idle latency and loss limits (150 ms, 1 % when unset)")
    func quality() {
        let slow = judge(turn: [Self.relay(.udp, .allocated, rtt: 180)])
        #expect(finding("voice_path.turn.quality", slow)?.status == .warn)
        #expect(finding("voice_path.turn.quality", slow)?.unit == "ms")
        var strict = Self.profile
        strict.network.maxLatencyIdleMs = Threshold(100)
        #expect(finding("voice_path.turn.quality", judge(turn: [Self.relay(.udp, .allocated, rtt: 120)], profile: strict))?.status == .warn)
        let lossy = judge(turn: [Self.relay(.udp, .allocated, loss: 4)])
        #expect(finding("voice_path.turn.quality", lossy)?.message.contains("4") == true)
        #expect(finding("voice_path.turn.quality", judge(turn: [Self.relay(.udp, .allocated, rtt: 40, loss: 0)])) == nil)
    }

    @Test("no credentials: skipped with the enrollment fix, the verdict untouched")
    func noCredentials() {
        let judgement = judge(turn: [Self.relay(.udp, .noCredentials)])
        #expect(finding("voice_path.turn", judgement)?.status == .skipped)
        #expect(finding("voice_path.turn", judgement)?.remediation?.contains("homeready enroll") == true)
    }

    @Test("NAT: open and cone pass, symmetric warns that calls depend on the relay and says not to use a second router, unknown is skipped")
    func natTypes() {
        #expect(finding("voice_path.nat_type", judge(nat: NATTypeResult(type: .open)))?.status == .pass)
        #expect(finding("voice_path.nat_type", judge(nat: NATTypeResult(type: .cone)))?.status == .pass)
        let symmetric = judge(
            turn: [Self.relay(.udp, .allocated)],
            nat: NATTypeResult(type: .symmetric, mappings: ["203.0.113.9:40000", "203.0.113.9:40002"]))
        let nat = finding("voice_path.nat_type", symmetric)
        #expect(nat?.status == .warn)
        #expect(nat?.message.contains("depend on the company call relay") == true)
        #expect(nat?.remediation?.contains("second router") == true)
        let spanish = Localizer(.es).render(nat!.remediationText!)
        #expect(spanish.contains("segundo router"), "\(spanish)")
        let noRelay = judge(turn: [Self.relay(.udp, .noAnswer)], nat: NATTypeResult(type: .symmetric))
        #expect(finding("voice_path.nat_type", noRelay)?.message.contains("cannot be reached") == true)
        #expect(finding("voice_path.nat_type", judge(nat: NATTypeResult(type: .unknown)))?.status == .skipped)
    }
}
