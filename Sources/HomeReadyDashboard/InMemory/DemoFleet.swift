import Foundation
import HomeReadyModel
import HomeReadyScoring

/// A realistic, reproducible fleet for demonstrations and tests: sites, campaigns with cutover dates and
/// forecasts, teams, agents with report history, posture failures, equipment timelines and alerts.
public struct DemoFleet: Sendable {
    public var agents: [DemoAgent]
    public var campaigns: [DemoCampaign]
    public var alerts: [DashboardAlert]
    /// Ready agents per campaign on each of the days before `now`.
    public var readyHistory: [String: [DailyCount]]

    /// Sample values the demo generators draw from.
    public static let sites = ["Austin", "Kraków", "Lisbon", "Manila"]
    /// Sample values the demo generators draw from.
    public static let firstNames = [
        "Ana", "Ben", "Chloé", "Dmitri", "Emma", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Kiri", "Lena", "Marco",
        "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tala", "Umar", "Vera", "Wen", "Yusuf", "Zofia",
    ]
    /// Sample values the demo generators draw from.
    public static let lastNames = [
        "Almeida", "Becker", "Cruz", "Dubois", "Eriksen", "Fernandes", "García", "Haddad", "Ivanova", "Jensen",
        "Kowalski", "Lopes", "Morales", "Nakamura", "Okafor", "Pereira", "Reyes", "Santos", "Tanaka", "Wójcik",
    ]
    /// Posture checks (their ids, as reports name them) with a profile author's remediation in both languages.
    static let postureChecks: [(String, LocalizedText)] = [
        ("posture.disk_encryption", .init(translations: [
            "en": "Turn on full-disk encryption (BitLocker/LUKS) and restart.",
            "es": "Activa el cifrado de disco completo (BitLocker/LUKS) y reinicia.",
        ])),
        ("posture.os_updates", .init(translations: [
            "en": "Install pending security updates and restart.",
            "es": "Instala las actualizaciones de seguridad pendientes y reinicia.",
        ])),
        ("posture.endpoint_protection", .init(translations: [
            "en": "Start the endpoint protection service or call IT.",
            "es": "Inicia el servicio de protección del equipo o llama a TI.",
        ])),
        ("posture.screen_lock", .init(translations: [
            "en": "Set the screen lock to 5 minutes or less.",
            "es": "Configura el bloqueo de pantalla a 5 minutos o menos.",
        ])),
        ("posture.firewall", .init(translations: [
            "en": "Turn the host firewall on.", "es": "Activa el firewall del equipo.",
        ])),
    ]
    static let kit = [("Laptop", "LT"), ("USB headset", "HS"), ("Wired adapter", "WA")]
    /// Sample values the demo generators draw from.
    public static let carriers = ["DHL", "UPS", "FedEx", "CTT"]

    /// Generates `agents` agents from `seed` (same seed, same fleet) relative to `now`.
    public static func generate(agents count: Int, seed: UInt64, now: Date = Date()) -> DemoFleet {
        var rng = SplitMix64(seed: seed)
        let day = 86_400.0
        let today = Calendar.utc.startOfDay(for: now)
        let campaigns = [
            DemoCampaign(
                name: "Billing", cutover: today.addingTimeInterval(35 * day),
                forecast: CapacityForecast(callsPerInterval: 220, ahtSeconds: 360, shrinkage: 0.3)),
            DemoCampaign(
                name: "Retail Care", cutover: today.addingTimeInterval(21 * day),
                forecast: CapacityForecast(callsPerInterval: 480, ahtSeconds: 240, shrinkage: 0.3)),
            DemoCampaign(
                name: "Tech Support", cutover: today.addingTimeInterval(14 * day),
                forecast: CapacityForecast(callsPerInterval: 200, ahtSeconds: 420, serviceLevel: 0.9, shrinkage: 0.35)),
        ]
        var agents: [DemoAgent] = []
        var alerts: [DashboardAlert] = []
        for index in 0..<count {
            let id = String(format: "A%04d", index + 1)
            let name = "\(firstNames[rng.below(firstNames.count)]) \(lastNames[rng.below(lastNames.count)])"
            let campaign = campaigns[index % campaigns.count].name
            let site = sites[rng.below(sites.count)]
            let team = "\(campaign) \(["North", "South", "East"][rng.below(3)])"
            let roll = rng.unit()
            let readiness: ReadinessStatus =
                roll < 0.56 ? .ready : roll < 0.71 ? .atRisk : roll < 0.9 ? .notReady : .unknown
            // Report history.
            var history: [ReportPoint] = []
            if readiness != .unknown {
                let reports = 6 + rng.below(9)
                var t = now.addingTimeInterval(-Double(reports) * 2.5 * day)
                for r in 0..<reports {
                    t = t.addingTimeInterval(day * (1.5 + rng.unit() * 2))
                    let bad = (readiness == .notReady && r >= reports - 3) || (readiness == .atRisk && rng.unit() < 0.3)
                    let down = bad ? 4 + rng.unit() * 14 : 60 + rng.unit() * 240
                    let up = bad ? 0.5 + rng.unit() * 3 : 8 + rng.unit() * 35
                    let idle = bad ? 40 + rng.unit() * 60 : 8 + rng.unit() * 25
                    let jitter = bad ? 18 + rng.unit() * 40 : 0.5 + rng.unit() * 6
                    let mos = bad ? 2.6 + rng.unit() * 0.9 : 4.0 + rng.unit() * 0.4
                    history.append(
                        ReportPoint(
                            at: min(t, now.addingTimeInterval(-Double(rng.below(3600)))), downloadMbps: down,
                            uploadMbps: up, latencyIdleMs: idle, latencyLoadedMs: idle + (bad ? 120 : 15) + rng.unit() * 40,
                            jitterMs: jitter, mos: mos, passed: !bad))
                }
                history.sort { $0.at < $1.at }
            }
            // Posture.
            var posture: [PostureFailure] = []
            if readiness == .notReady || readiness == .atRisk {
                let n = readiness == .notReady ? 1 + rng.below(2) : rng.below(2)
                for _ in 0..<n {
                    let check = postureChecks[rng.below(postureChecks.count)]
                    if posture.contains(where: { $0.check == check.0 }) { continue }
                    posture.append(
                        PostureFailure(
                            check: check.0, failingSince: now.addingTimeInterval(-Double(1 + rng.below(10)) * day),
                            remediation: check.1))
                }
            }
            // Equipment.
            var equipment: [EquipmentTimelineEntry] = []
            for (kind, prefix) in kit {
                let serial = "\(prefix)-\(String(format: "%06d", rng.below(1_000_000)))"
                let target = readiness == .ready ? 5 : 1 + rng.below(5)
                let path: [EquipmentState] = [.requested, .allocated, .shipped, .delivered, .accepted, .verified]
                var t = now.addingTimeInterval(-Double(20 + rng.below(10)) * day)
                for stage in path.prefix(target + 1) {
                    var note = ""
                    if stage == .shipped {
                        note = "\(carriers[rng.below(carriers.count)]) \(String(format: "%010d", rng.below(1_000_000_000)))"
                    }
                    equipment.append(EquipmentTimelineEntry(at: t, item: kind, serial: serial, stage: stage, note: note))
                    t = t.addingTimeInterval(day * (0.5 + rng.unit() * (stage == .shipped ? 3 : 2)))
                }
                if readiness == .notReady && rng.unit() < 0.12 {
                    equipment.append(
                        EquipmentTimelineEntry(at: t, item: kind, serial: serial, stage: .faulty, note: "No enciende / does not power on"))
                }
            }
            var reasons: [LocalizedText] = []
            switch readiness {
            case .ready: break
            case .unknown: reasons = [LocalizedText("dashboard.reason.report_missing")]
            case .atRisk: reasons = [LocalizedText("dashboard.reason.verdict_warnings")]
            case .notReady:
                if let last = history.last, !last.passed { reasons.append(LocalizedText("dashboard.reason.link_fails")) }
                reasons += posture.map { LocalizedText("dashboard.reason.posture_failing", ["check": .text($0.check)]) }
                if reasons.isEmpty { reasons = [LocalizedText("dashboard.reason.equipment_unverified_any")] }
            }
            let summary = AgentSummary(
                id: id, employeeID: String(format: "E%06d", 100_000 + index * 7), name: name, site: site,
                campaign: campaign, team: team, readiness: readiness, lastCheck: history.last?.at)
            agents.append(
                DemoAgent(summary: summary, reasons: reasons, history: history, postureFailures: posture, equipment: equipment))
            if readiness == .notReady, let last = history.last, rng.unit() < 0.35 {
                alerts.append(
                    DashboardAlert(
                        id: "AL-\(id)", agentID: id, agentName: name, kind: .linkRegressed,
                        detail: LocalizedText(
                            "dashboard.detail.link_failed",
                            ["download": .number(last.downloadMbps.rounded(), unit: "Mbit/s"),
                             "jitter": .number(last.jitterMs.rounded(), unit: "ms")]),
                        raisedAt: last.at))
            } else if let failure = posture.first, rng.unit() < 0.3 {
                alerts.append(
                    DashboardAlert(
                        id: "AP-\(id)", agentID: id, agentName: name, kind: .postureNewlyFailing,
                        detail: LocalizedText("dashboard.detail.posture_failing", ["check": .text(failure.check)]),
                        raisedAt: failure.failingSince))
            }
        }
        // Burn-up history: ready agents growing toward today's figure over 30 days.
        var readyHistory: [String: [DailyCount]] = [:]
        for c in campaigns {
            let readyNow = agents.filter { $0.summary.campaign == c.name && $0.summary.readiness == .ready }.count
            readyHistory[c.name] = (1...30).reversed().map { back in
                let share = 1 - Double(back) / 38
                return DailyCount(
                    day: today.addingTimeInterval(-Double(back) * day), ready: Int(Double(readyNow) * share * share))
            }
        }
        return DemoFleet(agents: agents, campaigns: campaigns, alerts: alerts, readyHistory: readyHistory)
    }
}
