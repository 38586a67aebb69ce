import Foundation
import HomeReadyModel

/// Everything the API stores and reads, independent of the SQL back end.
///
/// Implementations hold no state of their own beyond a connection pool, so several server instances on one
/// PostgreSQL behave as one service.
public protocol InventoryRepository: Sendable {
    /// Checks the database answers.
    func ping() async throws

    // MARK: Organisation
    func createSite(name: String, timezone: String?) async throws -> SiteRecord
    func sites(after: String?, limit: Int) async throws -> [SiteRecord]
    func createCampaign(name: String, profileId: String, cutoverDate: String, freshnessHours: Int) async throws
        -> CampaignRecord
    func campaign(id: String) async throws -> CampaignRecord?
    /// Changes a campaign's judging settings (nil leaves one as it is); nil when there is no such campaign.
    func updateCampaign(id: String, profileGraceHours: Int?, browserReportsCount: Bool?) async throws -> CampaignRecord?
    func campaigns(after: String?, limit: Int) async throws -> [CampaignRecord]
    func createTeam(name: String, siteId: String?) async throws -> TeamRecord
    func teams(after: String?, limit: Int) async throws -> [TeamRecord]
    func createRole(name: String, kit: [String]) async throws -> RoleRecord
    func roles(after: String?, limit: Int) async throws -> [RoleRecord]

    // MARK: Agents
    func createAgent(_ agent: NewAgent) async throws -> AgentRecord
    func agent(id: String) async throws -> AgentRecord?
    func agent(employeeId: String) async throws -> AgentRecord?
    func agents(after: String?, limit: Int) async throws -> [AgentRecord]

    // MARK: Equipment
    func createItem(_ item: NewItem, actor: String) async throws -> EquipmentRecord
    func item(id: String) async throws -> EquipmentRecord?
    func items(agentId: String?, after: String?, limit: Int) async throws -> [EquipmentRecord]
    /// Applies a lifecycle event; a lost or faulty item gets a requested replacement for the same agent.
    func applyEvent(itemId: String, event: EquipmentEvent, actor: String, at: Date) async throws -> EquipmentRecord
    func audit(itemId: String) async throws -> [AuditRecord]
    /// Issues the kit of each agent's role as requested items (kinds the agent already holds are skipped).
    func issueKits(agentIds: [String], actor: String, at: Date) async throws -> [EquipmentRecord]
    /// Up to `limit` items shipped before `shippedBefore` and still not delivered, the longest overdue first
    /// (by shipment time, then id), after the item `after` (the last of the page before).
    func overdueItems(shippedBefore: Date, after: String?, limit: Int) async throws -> [EquipmentRecord]

    // MARK: Access
    /// Stores a token's SHA-256; returns the token id.
    func createToken(hash: String, role: Principal.Role, deviceId: String?, label: String?, at: Date) async throws
        -> String
    /// Finds the principal for a token hash (not revoked; a device token's device not revoked).
    func principal(tokenHash: String) async throws -> (principal: Principal, storedHash: String)?
    func createEnrollmentCode(hash: String, agentId: String, expiresAt: Date, at: Date) async throws
    /// Spends a code (once, before expiry) and creates the device and its token in one transaction.
    func enroll(codeHash: String, publicKey: String?, hostname: String?, tokenHash: String, at: Date) async throws
        -> DeviceRecord?
    func device(id: String) async throws -> DeviceRecord?

    // MARK: Reports
    /// Stores a report once by `report_id`; returns false when it was already stored. `report.verdict` is stored
    /// as the report's verdict: the server's own (`ReportIngestion` judges first), with the agent's claim and the
    /// reason in `judgement`.
    func ingest(
        _ report: ReportEnvelope, body: String, agentId: String, deviceId: String?, judgement: StoredJudgement?,
        at: Date
    ) async throws -> Bool
    func reports(agentId: String, after: String?, limit: Int) async throws -> [ReportSummary]
    func reportBody(reportId: String) async throws -> (agentId: String, body: String)?
    func checkStates(agentId: String) async throws -> [CheckStateRecord]

    // MARK: Judging
    /// The campaign, role and shipped item identities the server judges an agent's reports with.
    func judgingFacts(agentId: String) async throws -> JudgingFacts
    /// Records a profile version the first time it is seen; returns every stored version of the profile.
    func recordProfileVersion(profileId: String, version: Int, digest: String, yaml: String, at: Date) async throws
        -> [StoredProfileVersion]

    // MARK: Readiness
    func readinessInput(agentId: String) async throws -> ReadinessInput?
    /// Counts per readiness status grouped by `site`, `campaign`, `team` or `all`.
    func rollup(by scope: RollupScope, now: Date) async throws -> [RollupRow]
    /// Records today's roll-ups (idempotent per day).
    func snapshot(day: String, now: Date) async throws
    func history(scope: RollupScope, scopeId: String) async throws -> [HistoryRow]
    /// Agents of a campaign that are ready now.
    func readyAgentCount(campaignId: String, now: Date) async throws -> Int

    // MARK: Webhooks
    /// Registers a webhook for events, signed with `secret`.
    func createWebhook(url: String, events: [WebhookEvent], secret: String, at: Date) async throws -> WebhookRecord
    /// Up to `limit` of a webhook's deliveries, oldest first, after the delivery `after` (the last of the page
    /// before).
    func deliveries(webhookId: String, after: String?, limit: Int) async throws -> [DeliveryRecord]

    // MARK: CSV
    /// Creates or updates agents by employee id, all or nothing; `dryRun` only checks.
    func importRoster(_ rows: [RosterRow], dryRun: Bool) async throws -> ImportResult
    /// Readiness per agent with each check's last status as a column: the header, then the rows a page at a time.
    func exportReadinessCSV(now: Date, emit: (String) async throws -> Void) async throws
    /// Every equipment item: the header, then the rows a page at a time.
    func exportEquipmentCSV(emit: (String) async throws -> Void) async throws
}

extension InventoryRepository {
    /// The whole readiness export as one text (tests and small fleets; the API and `export` stream it).
    public func exportReadinessCSV(now: Date) async throws -> String {
        var text = ""
        try await exportReadinessCSV(now: now) { text += $0 }
        return text
    }

    /// The whole equipment export as one text.
    public func exportEquipmentCSV() async throws -> String {
        var text = ""
        try await exportEquipmentCSV { text += $0 }
        return text
    }
}

/// What a roll-up groups by.
public enum RollupScope: String, Codable, Sendable, CaseIterable {
    case site, campaign, team, all
}

/// A roster entry to create.
public struct NewAgent: Codable, Sendable {
    public var employeeId: String
    public var name: String
    public var contact: String?
    public var siteId: String?
    public var campaignId: String?
    public var teamId: String?
    public var roleId: String?
    /// The language the agent reads: `es` or `en`.
    public var language: String? = nil
}

/// An equipment item to create.
public struct NewItem: Codable, Sendable {
    public var kind: String
    public var model: String?
    public var serial: String?
    public var assetTag: String?
    public var agentId: String?
    /// The device's USB identity, `VVVV:PPPP` or `VVVV:PPPP:SERIAL` (hex), when IT records it.
    public var usbIdentity: String? = nil
}

extension InventoryRepository {
    /// Stores a whole report once by `report_id`, its verdict as given (storage tests and demo data: reports from
    /// agents go through `ReportIngestion`, which judges them); returns false when it was already stored.
    public func ingest(_ report: CheckReport, body: String, agentId: String, deviceId: String?, at: Date) async throws
        -> Bool
    {
        try await ingest(ReportEnvelope(report), body: body, agentId: agentId, deviceId: deviceId, judgement: nil, at: at)
    }

    /// Stores a report envelope once by `report_id`, its verdict as given; returns false when it was already stored.
    public func ingest(_ report: ReportEnvelope, body: String, agentId: String, deviceId: String?, at: Date)
        async throws -> Bool
    {
        try await ingest(report, body: body, agentId: agentId, deviceId: deviceId, judgement: nil, at: at)
    }
}
