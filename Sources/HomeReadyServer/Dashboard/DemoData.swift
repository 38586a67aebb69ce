import Foundation
import HomeReadyDashboard
import HomeReadyModel
import HomeReadyScoring
import Logging
import SQLKit

/// Fills an empty inventory with a realistic, reproducible fleet for demonstrations: sites, campaigns with cutover
/// dates and forecasts, teams, roles and kits, equipment at every lifecycle stage (overdue and faulty included),
/// several days of reports with plausible network and MOS values, some regressions, and a daily readiness
/// snapshot per day so the burn-up has history. The same seed and `now` give the same fleet.
public struct DemoData: Sendable {
    /// Agents to create.
    public var agents: Int
    public var seed: UInt64
    /// Days of report history (the last one is today).
    public var days: Int
    /// Tasks encoding the next day's reports while the write lane stores this day's. One fewer than the cores by
    /// default (at least one): the lane's thread keeps a core to itself, where a third busy thread on two cores
    /// left it two thirds of one (measured: 100,000 agents' reports took 75 s instead of about 50 s).
    public var concurrency: Int

    /// Creates a generator.
    public init(
        agents: Int = 500, seed: UInt64 = 1, days: Int = 10,
        concurrency: Int = ProcessInfo.processInfo.activeProcessorCount - 1
    ) {
        self.agents = agents
        self.seed = seed
        self.days = max(1, days)
        self.concurrency = max(1, concurrency)
    }

    /// What was created.
    public struct Summary: Sendable, Equatable {
        public var agents = 0
        public var sites = 0
        public var campaigns = 0
        public var teams = 0
        public var items = 0
        public var reports = 0
    }

    /// The result of a run.
    public enum Outcome: Sendable, Equatable {
        case created(Summary)
        /// The database already holds agents; nothing was written.
        case refused(existingAgents: Int)
    }

    /// How an agent's checks go over the days.
    enum Behaviour: CaseIterable {
        case good, warning, postureFailing, slowLink, regressesLink, regressesPosture, silent
    }

    struct Plan: Sendable {
        var agentId: String
        var employeeId: String
        var campaignProfile: String
        var behaviour: Behaviour
        /// First day (0-based) the agent runs a check.
        var firstDay: Int
        var downBase: Double
        var upBase: Double
        var latencyBase: Double
        var jitterBase: Double
    }

    /// Fills `repository` unless it already has agents.
    public func run(on repository: SQLRepository, now: Date = Date(), logger: Logger) async throws -> Outcome {
        let existing = try await repository.store.withConnection { db in
            try await db.raw("SELECT COUNT(*) AS n FROM agents").all().first?.int("n") ?? 0
        }
        guard existing == 0 else { return .refused(existingAgents: existing) }
        // How long each phase took, at info level: what Scripts/bench/scale reads.
        let clock = ContinuousClock()
        var phaseStarted = clock.now
        func phase(_ name: String) {
            let elapsed = clock.now - phaseStarted
            logger.info("demo.phase", metadata: ["demo.phase": "\(name)", "demo.seconds": "\(elapsed)"])
            phaseStarted = clock.now
        }
        var rng = SplitMix64(seed: seed)
        var summary = Summary()
        let day = 86_400.0
        let today = Calendar(identifier: .gregorian).startOfDayUTC(now)
        let start = today.addingTimeInterval(-Double(days - 1) * day)

        // Organisation.
        let siteNames = DemoFleet.sites
        var sites: [String] = []
        for (index, name) in siteNames.enumerated() {
            let zone = ["America/Chicago", "Europe/Warsaw", "Europe/Lisbon", "Asia/Manila"][index % 4]
            sites.append(try await repository.createSite(name: name, timezone: zone).id)
        }
        summary.sites = sites.count
        let campaignSpecs: [(String, String, Int, CapacityForecast)] = [
            ("Billing", "inbound-voice", 35, CapacityForecast(callsPerInterval: 220, ahtSeconds: 360, shrinkage: 0.3)),
            ("Retail Care", "inbound-voice", 21, CapacityForecast(callsPerInterval: 480, ahtSeconds: 240, shrinkage: 0.3)),
            ("Tech Support", "chat-email", 14,
             CapacityForecast(callsPerInterval: 200, ahtSeconds: 420, serviceLevel: 0.9, shrinkage: 0.35)),
        ]
        var campaigns: [(id: String, profile: String)] = []
        for (name, profile, inDays, forecast) in campaignSpecs {
            let cutover = SQLDashboard.dayString(today.addingTimeInterval(Double(inDays) * day))
            let record = try await repository.createCampaign(
                name: name, profileId: profile, cutoverDate: cutover, freshnessHours: 72)
            try await repository.setForecast(campaignId: record.id, forecast: forecast)
            campaigns.append((record.id, profile))
        }
        summary.campaigns = campaigns.count
        var teams: [[String]] = []
        for (index, spec) in campaignSpecs.enumerated() {
            var ids: [String] = []
            for side in ["North", "South", "East"] {
                ids.append(try await repository.createTeam(name: "\(spec.0) \(side)", siteId: sites[(index + ids.count) % sites.count]).id)
            }
            teams.append(ids)
        }
        summary.teams = teams.count * 3
        let voiceRole = try await repository.createRole(name: "Voice agent", kit: ["laptop", "headset", "wired-adapter"])
        let chatRole = try await repository.createRole(name: "Chat agent", kit: ["laptop", "headset"])

        // Agents.
        phase("organisation")
        var plans: [Plan] = []
        var ids = SequentialIDs(millis: UInt64(max(0, Clock.millis(now))))
        var agentRows: [AgentRow] = []
        agentRows.reserveCapacity(agents)
        for index in 0..<agents {
            let campaignIndex = index % campaigns.count
            let first = DemoFleet.firstNames[rng.below(DemoFleet.firstNames.count)]
            let last = DemoFleet.lastNames[rng.below(DemoFleet.lastNames.count)]
            let employeeId = "E" + String(index + 1, zeroPaddedTo: 5)
            let team = teams[campaignIndex][rng.below(3)]
            let site = sites[rng.below(sites.count)]
            let role = campaigns[campaignIndex].profile == "chat-email" ? chatRole.id : voiceRole.id
            let agent = AgentRow(
                id: ids.next(),
                agent: NewAgent(
                    employeeId: employeeId, name: "\(first) \(last)",
                    contact: "\(first.lowercased().folding(options: .diacriticInsensitive, locale: nil)).\(employeeId.lowercased())@example.com",
                    siteId: site, campaignId: campaigns[campaignIndex].id, teamId: team, roleId: role),
                equipmentStatus: .complete)
            agentRows.append(agent)
            let roll = rng.unit()
            let behaviour: Behaviour =
                roll < 0.52 ? .good : roll < 0.64 ? .warning : roll < 0.75 ? .postureFailing
                : roll < 0.81 ? .slowLink : roll < 0.86 ? .regressesLink : roll < 0.91 ? .regressesPosture : .silent
            // Earlier days see fewer agents checked: the burn-up climbs.
            let firstDay = min(days - 1, Int(Double(days) * rng.unit() * rng.unit() * 1.4))
            plans.append(
                Plan(
                    agentId: agent.id, employeeId: employeeId, campaignProfile: campaigns[campaignIndex].profile,
                    behaviour: behaviour, firstDay: firstDay, downBase: 40 + rng.unit() * 260,
                    upBase: 8 + rng.unit() * 40, latencyBase: 8 + rng.unit() * 30, jitterBase: 1 + rng.unit() * 6))
        }
        summary.agents = plans.count

        // Equipment: kit items at every stage, walked through their lifecycle in memory.
        var equipment = EquipmentPlan()
        let kits = [voiceRole.id: voiceRole.kit, chatRole.id: chatRole.kit]
        for (index, plan) in plans.enumerated() {
            let kinds = plan.campaignProfile == "chat-email" ? ["laptop", "headset"] : ["laptop", "headset", "wired-adapter"]
            // Most agents have their whole kit verified; the others have one item somewhere on the way.
            let lagging = rng.unit() < 0.22 ? rng.below(kinds.count) : -1
            let firstItem = equipment.items.count
            for (kindIndex, kind) in kinds.enumerated() {
                let stage = kindIndex == lagging ? rng.unit() * 0.32 : 0.5
                let model = ["laptop": "ThinkPad T14", "headset": "Jabra Evolve2 40", "wired-adapter": "USB-C 2.5GbE"][kind]!
                let serial = kind.prefix(2).uppercased() + "-" + String(rng.below(1_000_000), zeroPaddedTo: 6)
                let carrier = DemoFleet.carriers[rng.below(DemoFleet.carriers.count)]
                let tracking = "1Z" + String(rng.below(1_000_000_000), zeroPaddedTo: 9)
                let jitter = rng.unit()
                let requestedAt = start.addingTimeInterval(-12 * day + jitter * 3 * day)
                Self.planItem(
                    agentId: plan.agentId, kind: kind, model: model, serial: serial, requestedAt: requestedAt,
                    steps: Self.steps(stage: stage, carrier: carrier, tracking: tracking, jitter: jitter,
                                      requestedAt: requestedAt, now: now),
                    now: now, ids: &ids, into: &equipment)
            }
            let row = agentRows[index]
            agentRows[index].equipmentStatus = Self.equipmentStatus(
                kit: row.agent.roleId.flatMap { kits[$0] } ?? [], items: Array(equipment.items[firstItem...]))
        }
        phase("plan")
        // Every row first, then each index sorted once (`withSecondaryIndexesDeferred`).
        let (fleet, reportsRNG) = (plans, rng)
        let reports = try await repository.store.withSecondaryIndexesDeferred(on: Self.tablesFilled) {
            try await Self.insert(agents: agentRows, equipment: equipment, createdAt: now, ids: ids, on: repository.store)
            phase("agents and equipment")

            // Reports, day by day, with a snapshot after each day. The next day's reports are drawn and encoded
            // while this day's are written.
            var stored = 0
            var current = try await prepareDay(0, start: start, now: now, plans: fleet, rng: reportsRNG)
            for dayIndex in 0..<days {
                let dayStart = start.addingTimeInterval(Double(dayIndex) * day)
                let rngAfter = current.rng
                async let next = dayIndex + 1 < days
                    ? prepareDay(dayIndex + 1, start: start, now: now, plans: fleet, rng: rngAfter) : nil
                let (writing, count) = (clock.now, current.writes.count)
                stored += try await write(current.writes, on: repository)
                let snapshotting = clock.now
                let snapshotAt = dayIndex == days - 1 ? now : dayStart.addingTimeInterval(day - 1)
                try await repository.snapshot(day: SQLDashboard.dayString(dayStart), now: snapshotAt)
                let waiting = clock.now
                if let following = try await next { current = following }
                // Where each day's time went: the lane writing, the snapshot, then waiting for the next day's reports.
                logger.debug(
                    "demo.day",
                    metadata: [
                        "demo.day": "\(dayIndex + 1)/\(days)", "demo.reports": "\(count)",
                        "demo.write": "\(snapshotting - writing)", "demo.snapshot": "\(waiting - snapshotting)",
                        "demo.wait": "\(clock.now - waiting)",
                    ])
            }
            phase("reports and snapshots")
            return stored
        }
        phase("indexes")
        summary.items = equipment.items.count
        summary.reports = reports
        return .created(summary)
    }

    /// The tables the fleet fills in bulk.
    static let tablesFilled = ["agents", "equipment_items", "equipment_audit", "reports", "check_states"]

    /// A day's reports, ready for the write lane, and the random generator after drawing them.
    struct PreparedDay: Sendable {
        var writes: [ReportWrite]
        var rng: SplitMix64
    }

    /// Draws day `dayIndex`'s reports and encodes them (in slices, on every core).
    func prepareDay(_ dayIndex: Int, start: Date, now: Date, plans: [Plan], rng: SplitMix64) async throws -> PreparedDay {
        var rng = rng
        let dayStart = start.addingTimeInterval(Double(dayIndex) * 86_400)
        var batch: [(CheckReport, String)] = []
        batch.reserveCapacity(plans.count)
        for plan in plans where plan.behaviour != .silent && dayIndex >= plan.firstDay {
            // Most agents check every day or two; everyone checks on their first day and the last two days.
            let checks = dayIndex == plan.firstDay || dayIndex >= days - 2 || rng.unit() < 0.55
            guard checks else { continue }
            // Draw every value whatever the time of day, so the sequence (and the fleet) depends on the seed only.
            let (hour, late, early) = (rng.unit(), rng.unit(), rng.unit())
            var at = dayStart.addingTimeInterval(8 * 3600 + hour * 9 * 3600)
            if at > now { at = now.addingTimeInterval(-60 - late * 600) }
            if at < dayStart { at = dayStart.addingTimeInterval(early * 60) }
            let report = Self.report(for: plan, dayIndex: dayIndex, days: days, at: at, rng: &rng)
            batch.append((report, plan.agentId))
        }
        // In time order, like the reports' time-ordered ids (one report per agent a day: no agent's order changes).
        // The positions are sorted, not the reports: moving a report moves about a kilobyte.
        let order = batch.indices.sorted { (batch[$0].0.finishedAt, $0) < (batch[$1].0.finishedAt, $1) }
        return PreparedDay(writes: try await Self.encode(batch, in: order, concurrency: concurrency), rng: rng)
    }

    /// The lifecycle steps of an item, as (event, days after the request), for a stage picked by `stage` (0..<1):
    /// requested, allocated, shipped overdue, shipped on time, delivered, faulty (after verification), lost,
    /// verified (0.32 and up).
    static func steps(stage: Double, carrier: String, tracking: String, jitter: Double, requestedAt: Date, now: Date)
        -> [(EquipmentEvent, Double)]
    {
        typealias EquipmentEvent = HomeReadyModel.EquipmentEvent
        let ship = EquipmentEvent(.ship, carrier: carrier, trackingNumber: tracking)
        switch stage {
        case ..<0.04: return []
        case ..<0.08: return [(EquipmentEvent(.allocate), 1)]
        case ..<0.15:
            return [(EquipmentEvent(.allocate), 1), (ship, Double(days(from: requestedAt, to: now)) - 1 - jitter * 2)]
        case ..<0.20:
            return [(EquipmentEvent(.allocate), 1), (ship, 2)]
        case ..<0.28:
            return [(EquipmentEvent(.allocate), 1), (ship, 2), (EquipmentEvent(.deliver), 4 + jitter * 2)]
        case ..<0.31:
            return [
                (EquipmentEvent(.allocate), 1), (ship, 2), (EquipmentEvent(.deliver), 4),
                (EquipmentEvent(.verify, note: "verified by the agent's check"), 5),
                (EquipmentEvent(.reportFaulty, note: ["crackling audio on the left ear", "does not power on", "USB port loose"][Int(jitter * 3) % 3]), 6 + jitter * 4),
            ]
        case ..<0.32:
            return [(EquipmentEvent(.allocate), 1), (ship, 2), (EquipmentEvent(.reportLost, note: "carrier reports lost"), 9)]
        default:
            return [
                (EquipmentEvent(.allocate), 1), (ship, 2), (EquipmentEvent(.deliver), 4 + jitter * 2),
                (EquipmentEvent(.verify, note: "verified by the agent's check"), 5 + jitter * 3),
            ]
        }
    }

    /// A non-negative figure with exactly `places` decimals ("3.0", "4.25"), as `String(format: "%.1f")` writes
    /// it but without Foundation's formatter, which took a fifth of drawing a demo report.
    static func decimal(_ value: Double, places: Int) -> String {
        var scale = 1
        for _ in 0..<places { scale *= 10 }
        let scaled = Int((max(0, value) * Double(scale)).rounded())
        return "\(scaled / scale)." + String(scaled % scale, zeroPaddedTo: places)
    }

    static func days(from a: Date, to b: Date) -> Int { max(0, Int(b.timeIntervalSince(a) / 86_400)) }

    /// One plausible report for `plan` on day `dayIndex`.
    static func report(for plan: Plan, dayIndex: Int, days: Int, at: Date, rng: inout SplitMix64) -> CheckReport {
        let lastDays = dayIndex >= days - 2
        var down = plan.downBase * (0.85 + rng.unit() * 0.25)
        var up = plan.upBase * (0.85 + rng.unit() * 0.25)
        var idle = plan.latencyBase * (0.9 + rng.unit() * 0.3)
        var jitter = plan.jitterBase * (0.8 + rng.unit() * 0.5)
        var loss = rng.unit() * 0.3
        switch plan.behaviour {
        case .slowLink:
            down = 4 + rng.unit() * 5
            up = 0.8 + rng.unit()
            jitter = 25 + rng.unit() * 20
            loss = 1.5 + rng.unit() * 2
        case .regressesLink where lastDays:
            down = 3 + rng.unit() * 4
            jitter = 35 + rng.unit() * 25
            idle += 60
            loss = 2 + rng.unit() * 3
        case .warning:
            jitter = 16 + rng.unit() * 8
        default: break
        }
        let loaded = idle + 15 + jitter * 2 + rng.unit() * 30
        // A simplified E-model: latency, jitter and loss lower R; MOS from R.
        let delay = idle / 2 + jitter * 2 + 10
        var r = 93.2 - (delay > 177 ? 0.024 * delay + 0.11 * (delay - 177.3) : 0.024 * delay) - 2.5 * loss * 4
        r = min(93.2, max(0, r))
        let mos = 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6
        var findings: [Finding] = []
        func network(_ id: String, _ pass: Bool, _ warn: Bool = false, _ value: Double, _ limit: Double, _ unit: String, _ text: String, _ fix: String) {
            findings.append(
                Finding(
                    id: id, section: id.hasPrefix("voice") ? .voice : .network, severity: .critical,
                    status: pass ? (warn ? .warn : .pass) : .fail, measured: .number((value * 10).rounded() / 10),
                    limit: .number(limit), unit: unit, message: text, remediation: pass ? nil : fix))
        }
        network("network.download", down >= 10, false, down, 10, "Mbit/s", "download \(Int(down)) Mbit/s",
                "Move closer to the router or use the wired adapter; ask the ISP for a faster plan.")
        network("network.upload", up >= 2, false, up, 2, "Mbit/s", "upload \(decimal(up, places: 1)) Mbit/s",
                "Stop uploads and cloud backups during shifts, or upgrade the plan.")
        network("network.jitter", jitter < 30, jitter >= 15, jitter, 30, "ms", "jitter \(Int(jitter)) ms",
                "Use the wired adapter instead of Wi-Fi and keep others off the link during calls.")
        network("network.loss", loss < 1, false, loss, 1, "%", "packet loss \(decimal(loss, places: 1)) %",
                "Check the cable and router; call the ISP if loss persists.")
        network("voice.mos", mos >= 3.6, mos < 4.0, mos, 3.6, "MOS", "estimated MOS \(decimal(mos, places: 2))",
                "Improve latency and jitter: wired connection, no competing traffic.")
        let posture: [(String, String, String)] = [
            ("posture.disk-encryption", "Disk encryption", "Turn on full-disk encryption (LUKS/BitLocker) and restart."),
            ("posture.os-updates", "OS updates", "Install pending security updates and restart."),
            ("posture.edr-running", "Endpoint protection running", "Start the endpoint protection service or call IT."),
            ("posture.screen-lock", "Screen lock within 5 minutes", "Set the screen lock to 5 minutes or less."),
            ("posture.firewall", "Firewall enabled", "Turn the host firewall on."),
        ]
        let failing = Int(plan.downBase * 7) % posture.count
        var postureResults: [PostureResult] = []
        for (index, check) in posture.enumerated() {
            let fails = (plan.behaviour == .postureFailing && index == failing)
                || (plan.behaviour == .regressesPosture && lastDays && index == failing)
            let warns = plan.behaviour == .warning && index == (failing + 1) % posture.count
            let status: FindingStatus = fails ? .fail : warns ? .warn : .pass
            findings.append(
                Finding(
                    id: check.0, section: .posture, severity: warns ? .warning : .critical, status: status,
                    message: fails ? "\(check.1): not met" : "\(check.1): ok", remediation: status == .pass ? nil : check.2))
            postureResults.append(
                PostureResult(id: check.0, title: check.1, status: status, severity: warns ? .warning : .critical,
                              remediation: status == .pass ? nil : check.2))
        }
        let verdict: Verdict =
            findings.contains { $0.status == .fail && $0.severity == .critical } ? .notReady
            : findings.contains { $0.status == .warn || $0.status == .fail } ? .readyWithWarnings : .ready
        // Time-ordered (version 7): the reports' primary key grows at its end.
        var counter = rng.next() >> 16
        let reportID = SequentialIDs.uuid(millis: UInt64(max(0, Clock.millis(at))), counter: &counter)
        return CheckReport(
            reportID: reportID,
            agent: AgentIdentity(employeeID: plan.employeeId, hostname: "lt-\(plan.employeeId.lowercased())", user: "agent"),
            profile: ProfileReference(id: plan.campaignProfile, version: 1), startedAt: at.addingTimeInterval(-45),
            finishedAt: at, verdict: verdict, findings: findings,
            network: NetworkResult(
                downloadMbps: (down * 10).rounded() / 10, uploadMbps: (up * 10).rounded() / 10,
                latencyIdleMs: LatencySummary(min: idle * 0.8, p50: idle, p90: idle * 1.3),
                latencyLoadedDownMs: LatencySummary(min: loaded * 0.8, p50: loaded, p90: loaded * 1.4),
                latencyLoadedUpMs: LatencySummary(min: loaded * 0.7, p50: loaded * 0.9, p90: loaded * 1.3),
                jitterMs: (jitter * 10).rounded() / 10, lossPercent: (loss * 100).rounded() / 100),
            voice: VoiceResult(codec: "G.711", rFactor: (r * 10).rounded() / 10, mos: (mos * 100).rounded() / 100),
            posture: postureResults, tool: ToolInfo(version: HomeReadyVersion.current, platform: "linux"))
    }
}

extension Calendar {
    /// Midnight UTC of `date`'s day.
    func startOfDayUTC(_ date: Date) -> Date {
        var calendar = self
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.startOfDay(for: date)
    }
}
