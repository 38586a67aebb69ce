import Foundation
import HomeReadyJudging
import HomeReadyLocalization
import HomeReadyModel
import Testing

@Suite("BrowserJudge")
struct BrowserJudgeTests {
    static let posture = PostureCheck(id: "disk-encryption", title: "Disk encryption", rules: [])

    func judge(_ browser: BrowserResult, posture: Bool = true) -> Judgement {
        let report = CheckReport(
            agent: AgentIdentity(employeeID: "E1", hostname: "browser"), profile: ProfileReference(id: "p", version: 1),
            startedAt: Date(timeIntervalSince1970: 0), finishedAt: Date(timeIntervalSince1970: 30), verdict: .incomplete,
            source: .browser, browser: browser)
        return ReportJudge.judge(report, profile: Profile(id: "p", title: "P", version: 1, posture: posture ? [Self.posture] : []))
    }

    func finding(_ id: String, _ judgement: Judgement) -> Finding? { judgement.findings.first { $0.id == id } }

    static let healthy = BrowserResult(
        relay: RelayCallResult(transport: .udp, rttMs: 20, jitterMs: 1, lossPercent: 0),
        microphone: MicrophoneResult(status: .ok, rmsDBFS: -30), speaker: SpeakerResult(status: .heard))

    @Test("a UDP call, a working microphone and a heard tone pass; posture is not applicable in a browser")
    func healthyBrowser() {
        let judgement = judge(Self.healthy)
        #expect(judgement.verdict == .ready)
        #expect(finding("voice.relay", judgement)?.status == .pass)
        #expect(finding("equipment.microphone", judgement)?.status == .pass)
        #expect(finding("equipment.speaker", judgement)?.status == .pass)
        let posture = finding("posture.browser", judgement)
        #expect(posture?.status == .notApplicable && posture?.severity == .info)
        #expect(finding("posture.browser", judge(Self.healthy, posture: false)) == nil)
    }

    @Test("DNS times, which a page cannot measure, are not applicable in a browser report and an error in the agent's")
    func dnsNotApplicableInABrowser() {
        let profile = Profile(
            id: "p", title: "P", version: 1,
            network: NetworkThresholds(minDownloadMbps: Threshold(10), maxDNSMs: Threshold(150)))
        var report = CheckReport(
            agent: AgentIdentity(employeeID: "E1", hostname: "browser"), profile: ProfileReference(id: "p", version: 1),
            startedAt: Date(timeIntervalSince1970: 0), finishedAt: Date(timeIntervalSince1970: 30), verdict: .incomplete,
            network: NetworkResult(downloadMbps: 50), source: .browser, browser: Self.healthy)
        let browser = ReportJudge.judge(report, profile: profile)
        let dns = finding("network.dns", browser)
        #expect(dns?.status == .notApplicable && dns?.severity == .info && dns?.remediation == nil)
        #expect(browser.verdict == .ready, "\(browser.findings.map { "\($0.id)=\($0.status)" })")
        report.source = .cli
        report.browser = nil
        #expect(finding("network.dns", ReportJudge.judge(report, profile: profile))?.status == .error)
    }

    @Test("a call only over TCP or TLS is degraded: a warning, ready with warnings")
    func tcpRelayDegraded() {
        for transport in [RelayTransport.tcp, .tls] {
            var browser = Self.healthy
            browser.relay?.transport = transport
            let judgement = judge(browser)
            let relay = finding("voice.relay", judgement)
            #expect(relay?.status == .warn && relay?.severity == .warning)
            #expect(relay?.message.contains("Calls only work through the TCP relay (degraded)") == true)
            #expect(relay?.remediation != nil)
            #expect(judgement.verdict == .readyWithWarnings)
        }
        var none = Self.healthy
        none.relay = RelayCallResult(attempts: [RelayAttempt(transport: .udp, connected: false, error: "timeout")])
        #expect(finding("voice.relay", judge(none))?.status == .fail)
        #expect(judge(none).verdict == .notReady)
        none.relay = nil
        #expect(finding("voice.relay", judge(none))?.status == .skipped)
    }

    @Test("microphone: silent fails, quiet and clipping warn, a refused permission is an error saying how to allow it")
    func microphone() {
        func status(_ microphone: MicrophoneStatus) -> (Finding?, Verdict) {
            var browser = Self.healthy
            browser.microphone = MicrophoneResult(status: microphone)
            let judgement = judge(browser)
            return (finding("equipment.microphone", judgement), judgement.verdict)
        }
        #expect(status(.silent).0?.status == .fail && status(.silent).1 == .notReady)
        #expect(status(.noDevice).1 == .notReady)
        #expect(status(.tooQuiet).0?.severity == .warning && status(.tooQuiet).1 == .readyWithWarnings)
        #expect(status(.clipping).1 == .readyWithWarnings)
        let denied = status(.permissionDenied)
        #expect(denied.0?.status == .error && denied.1 == .incomplete)
        #expect(denied.0?.remediation?.contains("Allow") == true)
        for microphone in MicrophoneStatus.allCases where microphone != .ok {
            #expect(status(microphone).0?.remediation != nil, "\(microphone) has a fix")
        }
    }

    @Test("speaker: not heard fails, no answer is 'speaker not confirmed'")
    func speaker() {
        var browser = Self.healthy
        browser.speaker = SpeakerResult(status: .notHeard)
        #expect(finding("equipment.speaker", judge(browser))?.status == .fail)
        browser.speaker = SpeakerResult(status: .notConfirmed)
        let judgement = judge(browser)
        #expect(finding("equipment.speaker", judgement)?.status == .warn)
        #expect(finding("equipment.speaker", judgement)?.message.contains("Speaker not confirmed") == true)
        #expect(judgement.verdict == .readyWithWarnings)
    }

    @Test("every browser finding says the page's own sentence, in Spanish and English, with a fix for each failure")
    func catalogTexts() throws {
        let microphones = MicrophoneStatus.allCases
        let speakers: [SpeakerStatus?] = [nil] + SpeakerStatus.allCases
        let relays: [RelayCallResult?] = [
            nil, RelayCallResult(transport: .udp), RelayCallResult(transport: .tcp),
            RelayCallResult(transport: nil, attempts: [RelayAttempt(transport: .udp, connected: false)]),
        ]
        var findings: [Finding] = []
        for index in 0..<max(microphones.count, speakers.count, relays.count) {
            let browser = BrowserResult(
                relay: relays[index % relays.count],
                microphone: MicrophoneResult(status: microphones[index % microphones.count], rmsDBFS: -30),
                speaker: speakers[index % speakers.count].map { SpeakerResult(status: $0) })
            findings += judge(browser).findings.filter { ["voice.relay", "equipment.microphone", "equipment.speaker", "posture.browser"].contains($0.id) }
        }
        #expect(findings.count >= 20)
        for finding in findings {
            let text = try #require(finding.messageText, "\(finding.id) \(finding.status)")
            for language in [Language.es, .en] {
                let sentence = Localizer(language).render(text)
                #expect(!sentence.hasPrefix("["), "\(finding.id) \(finding.status): no catalog text \(text.key ?? "")")
            }
            if finding.status == .fail || finding.status == .error {
                #expect(finding.remediationText != nil, "\(finding.id) \(finding.status) has no fix")
            }
        }
    }

    @Test("the browser section's keys are snake_case as documented")
    func browserKeys() throws {
        let data = try ReportCoding.encoder().encode(
            BrowserResult(
                userAgent: "UA", cpuCores: 4, memoryGB: 8,
                relay: RelayCallResult(transport: .tcp, rttMs: 1, packetsSent: 1, packetsReceived: 1, packetsLost: 0, callSeconds: 10),
                microphone: MicrophoneResult(status: .tooQuiet, rmsDBFS: -70, clippedRun: 0),
                speaker: SpeakerResult(status: .notConfirmed), testSeconds: 20))
        let text = String(decoding: data, as: UTF8.self)
        for key in ["user_agent", "cpu_cores", "memory_gb", "rtt_ms", "packets_sent", "packets_received", "packets_lost",
                    "call_seconds", "rms_dbfs", "clipped_run", "\"too_quiet\"", "\"not_confirmed\"", "test_seconds", "\"tcp\""] {
            #expect(text.contains(key), "\(key) in \(text)")
        }
        #expect(try ReportCoding.decoder().decode(BrowserResult.self, from: data).relay?.transport == .tcp)
    }
}
