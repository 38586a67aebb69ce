import Foundation
import HomeReadyModel
import Testing

@Suite("Check report JSON contract")
struct CheckReportTests {
    static func sample() -> CheckReport {
        CheckReport(
            reportID: UUID(uuidString: "6F1C1E1A-7C7B-4C55-9C38-1D0B5B1E2A11")!,
            agent: AgentIdentity(employeeID: "E1001", hostname: "agent-laptop", user: "maria"),
            profile: ProfileReference(id: "inbound-voice", version: 1),
            startedAt: Date(timeIntervalSince1970: 1_795_000_000),
            finishedAt: Date(timeIntervalSince1970: 1_795_000_030),
            verdict: .readyWithWarnings,
            findings: [
                Finding(id: "network.download", section: .network, severity: .critical, status: .pass,
                        measured: .number(48.2), limit: .number(10), unit: "Mbit/s", message: "Download 48.2 Mbit/s"),
                Finding(id: "equipment.wired_link", section: .equipment, severity: .warning, status: .fail,
                        measured: .flag(false), message: "No wired link", remediation: "Use the cable."),
            ],
            network: NetworkResult(
                downloadMbps: 48.2, uploadMbps: 9.7, latencyIdleMs: LatencySummary(min: 11, p50: 13.5, p90: 17),
                latencyLoadedDownMs: LatencySummary(min: 20, p50: 60, p90: 90), jitterMs: 1.8, lossPercent: 0,
                udpProbes: UDPProbeCounts(sent: 250, lost: 0), dnsMs: 12, tlsHandshakeMs: 30),
            voice: VoiceResult(codec: "g711", rFactor: 92.1, mos: 4.39, mosLoaded: 4.2, maxConcurrentCalls: 90),
            vpn: [VPNResult(name: "corp", host: "127.0.0.1", port: 443, transport: .tls, state: .reachable, connectMs: 1.2,
                            tls: TLSInspection(protocolVersion: "TLSv1.3", verified: true, daysToExpiry: 200))],
            posture: [PostureResult(id: "firewall", title: "Firewall on", status: .pass, severity: .critical, evidence: "nft: policy drop")],
            equipment: [EquipmentResult(kind: "usb_headset", present: true, detail: "Jabra Evolve2 40")])
    }

    @Test func roundTripsThroughJSON() throws {
        let report = Self.sample()
        let data = try ReportCoding.encoder().encode(report)
        let decoded = try ReportCoding.decoder().decode(CheckReport.self, from: data)
        #expect(decoded == report)
    }

    @Test func theJudgingDecoderLeavesOnlyTheClaimedFindingsUnread() throws {
        var report = Self.sample()
        report.observations = [report.findings[1]]
        report.source = .cli
        let data = try ReportCoding.encoder().encode(report)
        let judged = try ReportCoding.judgingDecoder().decode(CheckReport.self, from: data)
        #expect(judged.findings.isEmpty)
        report.findings = []
        #expect(judged == report)
        // A report without `findings` is refused by the full decoder (on the server, by `ReportEnvelope.read`).
        var object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        object.removeValue(forKey: "findings")
        let missing = try JSONSerialization.data(withJSONObject: object)
        #expect(throws: DecodingError.self) { try ReportCoding.decoder().decode(CheckReport.self, from: missing) }
    }

    @Test func usesTheDocumentedSnakeCaseKeysAndUTCTimes() throws {
        let data = try ReportCoding.encoder().encode(Self.sample())
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["schema_version"] as? Int == 1)
        #expect(object["report_id"] as? String == "6F1C1E1A-7C7B-4C55-9C38-1D0B5B1E2A11")
        #expect((object["started_at"] as? String)?.hasSuffix("Z") == true)
        let agent = try #require(object["agent"] as? [String: Any])
        #expect(agent["employee_id"] as? String == "E1001")
        let network = try #require(object["network"] as? [String: Any])
        #expect(network["download_mbps"] as? Double == 48.2)
        let idle = try #require(network["latency_idle_ms"] as? [String: Any])
        #expect(idle["p90"] as? Double == 17)
        #expect((network["udp_probes"] as? [String: Any])?["sent"] as? Int == 250)
        let voice = try #require(object["voice"] as? [String: Any])
        #expect(voice["r_factor"] as? Double == 92.1)
        #expect(voice["max_concurrent_calls"] as? Int == 90)
        let vpn = try #require((object["vpn"] as? [[String: Any]])?.first)
        #expect(vpn["connect_ms"] as? Double == 1.2)
        let findings = try #require(object["findings"] as? [[String: Any]])
        #expect(findings[1]["status"] as? String == "fail")
        #expect(findings[1]["measured"] as? Bool == false)
        #expect(object["verdict"] as? String == "ready_with_warnings")
    }

    @Test func sectionsNotRunAreAbsentNotZero() throws {
        var report = Self.sample()
        report.network = nil
        report.voice = nil
        report.vpn = nil
        let object = try #require(
            try JSONSerialization.jsonObject(with: ReportCoding.encoder().encode(report)) as? [String: Any])
        #expect(object["network"] == nil)
        #expect(object["voice"] == nil)
        #expect(object["vpn"] == nil)
        #expect(object["posture"] != nil)
    }

    @Test func decodesFractionalSecondsAndRejectsBadTimes() throws {
        var json = String(decoding: try ReportCoding.encoder().encode(Self.sample()), as: UTF8.self)
        json = json.replacingOccurrences(of: "\"started_at\":\"", with: "\"started_at\":\"x")
        #expect(throws: DecodingError.self) { try ReportCoding.decoder().decode(CheckReport.self, from: Data(json.utf8)) }
        #expect(ReportCoding.parseISO8601("2026-11-24T16:00:00.250Z") != nil)
    }

    @Test(arguments: [
        ([FindingStatus.pass], [Severity.critical], Verdict.ready),
        ([.pass, .fail], [.critical, .warning], .readyWithWarnings),
        ([.fail, .pass], [.critical, .warning], .notReady),
        ([.error, .pass], [.critical, .critical], .incomplete),
        ([.error, .fail], [.critical, .critical], .notReady),
        ([.notApplicable, .skipped], [.critical, .critical], .ready),
    ])
    func verdictFollowsFindings(statuses: [FindingStatus], severities: [Severity], expected: Verdict) {
        let findings = zip(statuses, severities).enumerated().map { index, pair in
            Finding(id: "f\(index)", section: .general, severity: pair.1, status: pair.0, message: "")
        }
        #expect(Verdict.decide(from: findings) == expected)
    }

    @Test func exitCodesMatchTheCLIContract() {
        #expect(Verdict.ready.exitCode == 0)
        #expect(Verdict.readyWithWarnings.exitCode == 0)
        #expect(Verdict.notReady.exitCode == 1)
        #expect(Verdict.incomplete.exitCode == 3)
    }

    /// The hand-written reader of `YYYY-MM-DDTHH:MM:SSZ` gives the time Foundation's parser gives, and leaves every
    /// other form (and every impossible date) to it.
    @Test func readsUTCTimesAsFoundationDoes() throws {
        var generator = SystemRandomNumberGenerator()
        var samples = ["1970-01-01T00:00:00Z", "2000-02-29T23:59:59Z", "2026-11-24T16:00:00Z", "2100-02-28T12:00:00Z",
                       "9999-12-31T23:59:59Z", "2024-12-31T00:00:00Z"]
        let style = Date.ISO8601FormatStyle()
        for _ in 0..<2_000 {
            samples.append(style.format(Date(timeIntervalSince1970: Double(Int64.random(in: 0...253_402_300_799, using: &generator)))))
        }
        for text in samples {
            let expected = try Date(text, strategy: .iso8601)
            #expect(ReportCoding.parseISO8601(text) == expected, "\(text)")
        }
        for text in ["2026-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-11-24T24:00:00Z", "2026-11-24T16:00:60Z",
                     "2026-11-24 16:00:00Z", "2026-11-24T16:00:00+01:00", "2026-11-24T16:00:00.250Z", "1969-12-31T23:59:59Z",
                     "2026-1a-24T16:00:00Z", "+026-11-24T16:00:00Z"] {
            #expect(ReportCoding.parseISO8601(text) == (try? Date(text, strategy: .iso8601)) ?? (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text)), "\(text)")
        }
    }

    /// The hand-written writer gives the text of Foundation's `.iso8601` encoding strategy (fractions dropped; dates
    /// before 1970 are Foundation's own), and reads back through `parseISO8601`.
    @Test func writesUTCTimesAsFoundationDoes() throws {
        var generator = SystemRandomNumberGenerator()
        var dates = [0, 1, -1, 0.999, -0.25, 951_868_799, 1_795_536_000.75, 4_107_542_400, 253_402_300_799, -62_135_596_799]
            .map(Date.init(timeIntervalSince1970:))
        for _ in 0..<2_000 {
            dates.append(Date(timeIntervalSince1970: Double.random(in: 0...253_402_300_799, using: &generator)))
        }
        let foundation = JSONEncoder()
        foundation.dateEncodingStrategy = .iso8601
        let ours = JSONEncoder()
        ours.dateEncodingStrategy = ReportCoding.dateEncoding
        for date in dates {
            let expected = String(decoding: try foundation.encode([date]), as: UTF8.self)
            #expect(String(decoding: try ours.encode([date]), as: UTF8.self) == expected, "\(date.timeIntervalSince1970)")
            if date.timeIntervalSince1970 >= 0 {
                let text = ReportCoding.formatISO8601(date)
                #expect(ReportCoding.parseISO8601(text) == Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)))
            }
        }
    }
}
