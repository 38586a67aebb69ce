import Foundation
import HomeReadyModel
import HomeReadyTestSupport
import SQLKit

@testable import HomeReadyServer

/// One HTTP exchange made with curl against a live server.
struct CurlReply: Sendable {
    let status: Int
    let body: String
    let headers: [String: String]

    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
    func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// curl against a live server: method, optional bearer token, JSON body, extra headers.
func curl(
    _ method: String, _ url: String, token: String? = nil, json: Any? = nil, raw: String? = nil,
    headers: [String: String] = [:]
) throws -> CurlReply {
    var argv = ["curl", "-s", "-X", method, "-D", "-", "--max-time", "30"]
    if let token { argv += ["-H", "Authorization: Bearer \(token)"] }
    for (name, value) in headers { argv += ["-H", "\(name): \(value)"] }
    var input: Data?
    if let json {
        input = try JSONSerialization.data(withJSONObject: json)
    } else if let raw {
        input = Data(raw.utf8)
    }
    if input != nil { argv += ["-H", "Content-Type: application/json", "--data-binary", "@-"] }
    argv.append(url)
    let out = try Subprocess.run(argv, input: input, timeout: 40)
    guard out.status == 0 else { throw TestFailure("curl \(method) \(url) failed: \(out.stderr)") }
    // Headers first (possibly several blocks for 100-continue), then the body.
    var text = out.stdout
    var headers: [String: String] = [:]
    var status = 0
    while text.hasPrefix("HTTP/") {
        guard let end = text.range(of: "\r\n\r\n") else { break }
        let block = text[..<end.lowerBound].split(separator: "\r\n")
        status = Int(block.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
        headers = [:]
        for line in block.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        text = String(text[end.upperBound...])
    }
    return CurlReply(status: status, body: text, headers: headers)
}

/// A roster for self-test tests: a campaign on `profile`, a role, agents E1001 (Ana López) and E1002.
struct SelfTestRoster: Sendable {
    let campaignId: String
    let ana: String
    let bruno: String

    /// A campaign on `profile` whose browser reports count (`browserReportsCount`), a role whose kit is a USB
    /// headset, and two agents (Bruno reads English, as the roster says).
    static func make(_ h: Harness, profile: String = "inbound-voice", browserReportsCount: Bool = true) async throws
        -> SelfTestRoster
    {
        let campaign = try await h.repository.createCampaign(
            name: "Soporte", profileId: profile, cutoverDate: "2026-12-01", freshnessHours: 72)
        _ = try await h.repository.updateCampaign(
            id: campaign.id, profileGraceHours: nil, browserReportsCount: browserReportsCount)
        let role = try await h.repository.createRole(name: "agente", kit: ["usb_headset"])
        let ana = try await h.repository.createAgent(
            NewAgent(employeeId: "E1001", name: "Ana López", campaignId: campaign.id, roleId: role.id))
        let bruno = try await h.repository.createAgent(
            NewAgent(employeeId: "E1002", name: "Bruno Díaz", campaignId: campaign.id, roleId: role.id, language: "en"))
        return SelfTestRoster(campaignId: campaign.id, ana: ana.id, bruno: bruno.id)
    }
}

/// A browser report as the page sends it (its agent and verdict are the page's placeholders).
func browserReport(
    id: UUID = UUID(), transport: RelayTransport? = .udp, microphone: MicrophoneStatus = .ok,
    speaker: SpeakerStatus = .heard, employeeId: String = "self-test"
) -> CheckReport {
    let now = Date()
    var attempts = [RelayAttempt(transport: .udp, connected: transport == .udp, seconds: 0.4)]
    if transport == .tcp { attempts.append(RelayAttempt(transport: .tcp, connected: true, seconds: 0.5)) }
    return CheckReport(
        reportID: id, agent: AgentIdentity(employeeID: employeeId, hostname: "browser"),
        profile: ProfileReference(id: "self-test", version: 1), startedAt: now.addingTimeInterval(-25),
        finishedAt: now, verdict: .incomplete,
        network: NetworkResult(
            downloadMbps: 48.2, uploadMbps: 9.7, latencyIdleMs: LatencySummary(min: 9, p50: 11, p90: 14),
            latencyLoadedDownMs: LatencySummary(min: 12, p50: 40, p90: 60), jitterMs: 1.2, lossPercent: 0),
        equipment: [EquipmentResult(kind: "usb_headset", present: true, detail: "Jabra Evolve2 40 (0b0e:24f1)")],
        source: .browser,
        browser: BrowserResult(
            userAgent: "Mozilla/5.0", browser: "Chrome 126", os: "Windows", cpuCores: 8, memoryGB: 8, language: "es-MX",
            relay: RelayCallResult(
                transport: transport, rttMs: 3.1, jitterMs: 1.2, lossPercent: 0, packetsSent: 1000, packetsReceived: 1000,
                packetsLost: 0, callSeconds: 10, attempts: attempts),
            microphone: MicrophoneResult(status: microphone, rmsDBFS: microphone == .ok ? -30 : nil),
            speaker: SpeakerResult(status: speaker, answerSeconds: speaker == .notConfirmed ? nil : 2),
            devices: [BrowserDevice(kind: "audioinput", label: "Jabra Evolve2 40 (0b0e:24f1)", usb: true, headset: true)],
            testSeconds: 24))
}

/// The text of a report as JSON.
func reportJSON(_ report: CheckReport) throws -> String {
    String(decoding: try ReportCoding.encoder().encode(report), as: UTF8.self)
}

extension Harness {
    /// Every text value of every row of `table`, joined (to show a secret is not stored).
    func allText(of table: String) async throws -> String {
        try await store.withConnection { db in
            let rows = try await db.raw("SELECT * FROM \(ident: table)").all()
            var out = ""
            for row in rows {
                for column in row.allColumns {
                    if let text = try? row.decode(column: column, as: String?.self) { out += text + "\n" }
                }
            }
            return out
        }
    }
}
