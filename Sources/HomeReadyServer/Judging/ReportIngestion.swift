import Foundation
import HomeReadyJudging
import HomeReadyModel
import HomeReadySigning
import HTTPTypes
import Hummingbird
import Logging

/// The one path every report takes into the inventory, as one service: verify who sent it, judge it on the server
/// against the profile the agent's campaign is assigned, store it (with the device's signature, the server's
/// verdict and the agent's claim) together with verifying the equipment it proves present, in one transaction,
/// then announce it. A failure leaves neither a stored report with unverified equipment nor verified equipment
/// without its report.
///
/// The agent's verdict is never trusted: readiness, roll-ups, alerts, webhooks, exports and the dashboard read
/// the verdict stored here, the server's own.
struct ReportIngestion: Sendable {
    let repository: any ServerRepository
    let configuration: ServerConfiguration
    let events: ServerEventBus?
    let profiles: AssignedProfiles
    private let verification: ReportVerification
    private let facts: ExpiringCache<String, JudgingFacts>

    init(repository: any ServerRepository, configuration: ServerConfiguration, events: ServerEventBus?) {
        self.repository = repository
        self.configuration = configuration
        self.events = events
        profiles = AssignedProfiles(repository: repository, configuration: configuration)
        verification = ReportVerification(repository: repository, configuration: configuration)
        facts = ExpiringCache(ttl: configuration.lookupCacheTTL)
    }

    /// The header carrying the device's signature.
    private static let signatureField = HTTPField.Name(ReportSignature.signatureHeader)

    /// What became of one report.
    struct Outcome: Sendable {
        var reportID: UUID
        var duplicate: Bool
        /// The server's verdict and, when the report cannot count, why.
        var verdict: Verdict
        var reason: String?
        /// The server's findings (for a page that shows them).
        var findings: [Finding] = []
    }

    /// Judges, stores and announces one report sent by `principal` for `agent`. Throws a problem for a report
    /// that must not be stored (bad signature, revoked device, a report id taken over from another device).
    /// `findingsAt` is where the agent's findings lie in `bytes` (`ReportEnvelope.read(json:findingsAt:)`, which
    /// checked them): the judge decodes the report without them.
    func ingest(
        bytes: [UInt8], envelope: ReportEnvelope, findingsAt: Range<Int>?, principal: Principal, agent: AgentRecord,
        headers: HTTPFields, logger: Logger
    ) async throws -> Outcome {
        let now = Date()
        let data = Data(bytes)
        let report: CheckReport
        let figures = findingsAt.map { ReportCoding.withoutClaimedFindings(bytes, at: $0) } ?? bytes
        // A figure of the wrong kind is named by its path (`network.download_mbps`), as the envelope's fields are.
        do { report = try ReportCoding.judging.decode(CheckReport.self, from: figures) } catch {
            throw Problem.decoding(error)
        }
        // Only the verdict and each finding's state are stored: the sentences are rendered when a page reads them.
        let judged = try await judge(report, agent: agent, now: now, rendersEnglish: false)
        var stored = envelope
        stored.verdict = judged.verdict
        stored.findings = judged.findings.map {
            ReportEnvelope.FindingState(id: $0.id, section: $0.section, status: $0.status)
        }
        let judgement = StoredJudgement(
            claimedVerdict: envelope.verdict, reason: judged.reason, source: report.source ?? .cli,
            sourceCounts: judged.sourceCounts)
        let body = String(decoding: data, as: UTF8.self)
        let inserted: Bool
        if let deviceId = principal.deviceId {
            try await verification.verify(
                report: envelope, body: data, principal: principal, agentId: agent.id, headers: headers, now: now)
            // Stores the report once by report_id, with its signature, and verifies the equipment it proves present,
            // all in one transaction.
            let outcome = try await repository.ingest(
                stored, body: body, agentId: agent.id, deviceId: deviceId,
                signature: Self.signatureField.flatMap { headers[$0] },
                presentKinds: judged.provenKinds, judgement: judgement, at: now)
            switch outcome {
            case .stored(let verified):
                inserted = true
                if !verified.isEmpty {
                    logger.info("equipment.verified", metadata: ["items": "\(verified.map(\.id))"])
                }
            case .deviceRevoked:
                try await verification.refuseRevoked(deviceId: deviceId)
            case .duplicate:
                inserted = false
                // Already stored: the same device re-sending is an idempotent retry; another device is a replay.
                let existing = try await repository.reportDevice(reportId: envelope.reportID.uuidString)
                if existing.deviceId != deviceId {
                    throw Problem(
                        .conflict, "Replayed report",
                        detail: "report \(envelope.reportID.uuidString.lowercased()) is already stored from another device; a report cannot be sent again by a different device",
                        field: "report_id")
                }
            }
        } else {
            // An admin upload: no device, no signature, no equipment proven.
            inserted = try await repository.ingest(
                stored, body: body, agentId: agent.id, deviceId: nil, judgement: judgement, at: now)
        }
        if inserted { await events?.reportIngested(stored, agent: agent) }
        logger.debug(
            "report.judged",
            metadata: [
                "report.id": "\(envelope.reportID)", "report.claimed": "\(envelope.verdict.rawValue)",
                "report.verdict": "\(judged.verdict.rawValue)",
            ])
        return Outcome(reportID: envelope.reportID, duplicate: !inserted, verdict: judged.verdict, reason: judged.reason)
    }

    /// Judges and stores a report the browser self-test page posted for `agent` (no device: the page's personal
    /// link named the agent). The page does not choose a profile: the report is taken as made against the
    /// campaign's current one. Posting the same report id again stores nothing.
    func ingestBrowserReport(_ sent: CheckReport, agent: AgentRecord, logger: Logger) async throws -> Outcome {
        let now = Date()
        var report = sent
        report.source = .browser
        if let campaign = try await facts.value(for: agent.id, load: { try await repository.judgingFacts(agentId: agent.id) }).campaign,
            let served = try await profiles.served(campaign.profileId, now: now)
        {
            report.profile = ProfileReference(id: served.current.id, version: served.current.version)
        }
        let judged = try await judge(report, agent: agent, now: now)
        report.findings = judged.findings
        report.verdict = judged.verdict
        // The server's own text of the report: nobody signed it, so it needs no sorted keys.
        let body = try CompactJSONEncoder().encodeToString(report)
        var envelope = ReportEnvelope(report)
        envelope.verdict = judged.verdict
        let inserted = try await repository.ingest(
            envelope, body: body, agentId: agent.id, deviceId: nil,
            judgement: StoredJudgement(
                claimedVerdict: sent.verdict, reason: judged.reason, source: .browser, sourceCounts: judged.sourceCounts),
            at: now)
        if inserted { await events?.reportIngested(envelope, agent: agent) }
        logger.debug(
            "report.judged", metadata: ["report.id": "\(report.reportID)", "report.verdict": "\(judged.verdict.rawValue)"])
        return Outcome(
            reportID: report.reportID, duplicate: !inserted, verdict: judged.verdict, reason: judged.reason,
            findings: judged.findings)
    }

    /// The server's judgement of a report.
    struct Judged: Sendable {
        var verdict: Verdict
        var findings: [Finding]
        /// Why the report cannot count toward readiness, in plain words; nil when it can.
        var reason: String?
        /// Equipment kinds the report proves present (only from a report that counts).
        var provenKinds: Set<String>
        /// False for a browser report in a campaign that still requires the full check.
        var sourceCounts = true
    }

    /// Judges `report` against the profile `agent`'s campaign is assigned (the version the report was made
    /// against when that is the previous one within the campaign's grace period).
    /// `rendersEnglish` false leaves the findings' `message` and `remediation` empty (see
    /// `Finding.withoutEnglishText`).
    func judge(_ report: CheckReport, agent: AgentRecord, now: Date, rendersEnglish: Bool = true) async throws -> Judged {
        let known = try await facts.value(for: agent.id) { try await repository.judgingFacts(agentId: agent.id) }
        guard let campaign = known.campaign else {
            return Judged(
                verdict: .incomplete, findings: [],
                reason: "agent \(agent.employeeId) has no campaign, so no profile is assigned: IT sets the campaign",
                provenKinds: [])
        }
        guard let served = try await profiles.served(campaign.profileId, now: now) else {
            return Judged(
                verdict: .incomplete, findings: [],
                reason: "profile \(campaign.profileId) of campaign \(campaign.name) is not on the server: IT adds it (--profiles DIR)",
                provenKinds: [])
        }
        let (version, versionProblem) = ReportAcceptance.version(
            for: report, assigned: served.assigned(graceHours: campaign.profileGraceHours), now: now)
        let profile = served.profile(version: version)
        var shipped = ShippedEquipment()
        for (kind, identities) in known.shippedIdentities {
            if let kind = EquipmentKind(rawValue: kind) { shipped.identities[kind] = identities }
        }
        let context = JudgingContext(role: known.roleName, shipped: shipped)
        let judgement =
            rendersEnglish
            ? ReportJudge.judge(report, profile: profile, context: context)
            : Finding.withoutEnglishText { ReportJudge.judge(report, profile: profile, context: context) }
        var gaps = [versionProblem, ReportAcceptance.freshnessProblem(report, freshnessHours: campaign.freshnessHours, now: now)]
            .compactMap { $0 }
        gaps += ProfileCoverage.gaps(
            report, profile: profile, role: known.roleName, acceptsBrowser: campaign.browserReportsCount,
            campaign: campaign.name)
        let verdict = ProfileCoverage.verdict(judgement.verdict, gaps: gaps)
        return Judged(
            verdict: verdict, findings: judgement.findings, reason: gaps.isEmpty ? nil : gaps.joined(separator: "; "),
            provenKinds: gaps.isEmpty ? Self.provenKinds(report, findings: judgement.findings) : [],
            sourceCounts: report.source != .browser || campaign.browserReportsCount)
    }

    /// Equipment kinds a counting report proves present: each kind whose requirement finding passes, and each
    /// kind seen that no requirement judged; a USB headset is also a headset.
    static func provenKinds(_ report: CheckReport, findings: [Finding]) -> Set<String> {
        var kinds = Set<String>()
        let judged = Dictionary(
            findings.filter { $0.section == .equipment }.map { (String($0.id.dropFirst("equipment.".count)), $0.status) },
            uniquingKeysWith: { first, _ in first })
        for result in report.equipment ?? [] where result.present {
            if let status = judged[result.kind], status != .pass { continue }
            kinds.insert(result.kind)
        }
        if kinds.contains("usb_headset") { kinds.insert("headset") }
        return kinds
    }
}
