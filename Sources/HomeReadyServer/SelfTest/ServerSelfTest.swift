import Foundation
import HomeReadyDashboard
import HomeReadyJudging
import HomeReadyModel
import HomeReadyProfiles
import HomeReadySelfTest
import Logging

/// The self-test page's backend over the inventory database: links in `self_test_links`, and browser reports
/// judged and stored through the server's one report ingestion.
struct ServerSelfTestBackend: SelfTestBackend {
    let repository: SQLRepository
    let configuration: ServerConfiguration
    let metrics: ServerMetrics?
    let events: ServerEventBus?
    /// One ingestion for every browser report, so its profile and judging-facts caches are shared.
    private let ingestion: ReportIngestion

    init(repository: SQLRepository, configuration: ServerConfiguration, metrics: ServerMetrics?, events: ServerEventBus?) {
        self.repository = repository
        self.configuration = configuration
        self.metrics = metrics
        self.events = events
        ingestion = ReportIngestion(repository: repository, configuration: configuration, events: events)
    }

    func createSelfTestLink(_ link: SelfTestLink, tokenHash: String) async throws {
        try await repository.createSelfTestLink(link, tokenHash: tokenHash)
    }
    func selfTestLink(tokenHash: String) async throws -> SelfTestLink? { try await repository.selfTestLink(tokenHash: tokenHash) }
    func selfTestLink(id: String) async throws -> SelfTestLink? { try await repository.selfTestLink(id: id) }
    func selfTestLinks(agentId: String) async throws -> [SelfTestLink] { try await repository.selfTestLinks(agentId: agentId) }
    func revokeSelfTestLink(id: String, at: Date) async throws -> SelfTestLink? {
        try await repository.revokeSelfTestLink(id: id, at: at)
    }
    func claimSelfTestUse(linkId: String, at: Date) async throws -> Bool {
        try await repository.claimSelfTestUse(linkId: linkId, at: at)
    }
    func releaseSelfTestUse(linkId: String) async throws { try await repository.releaseSelfTestUse(linkId: linkId) }
    func selfTestAgent(id: String) async throws -> SelfTestAgent? { try await repository.selfTestAgent(id: id) }
    func selfTestMessages(agentId: String, link: String, at: Date) async throws -> [SelfTestMessage] {
        try await repository.pendingMessages(agentId: agentId, fetchedBy: "self-test:\(link)", at: at)
    }
    func storedReport(reportId: UUID) async throws -> (agentId: String, body: String)? {
        try await repository.reportBody(reportId: reportId.uuidString)
    }

    /// Judges and stores a browser report through the server's one ingestion path (`ReportIngestion`), against
    /// the agent's campaign profile like every other report.
    func submitBrowserReport(_ report: CheckReport, agent: SelfTestAgent, at: Date) async throws -> SelfTestSubmission {
        guard let record = try await repository.agent(id: agent.id) else {
            throw Problem.notFound("agent", agent.id)
        }
        let outcome = try await ingestion.ingestBrowserReport(report, agent: record, logger: Logger(label: "homeready.selftest"))
        metrics?.reportIngested(duplicate: outcome.duplicate)
        return SelfTestSubmission(
            reportId: outcome.reportID, duplicate: outcome.duplicate, verdict: outcome.verdict,
            findings: outcome.findings, reason: outcome.reason)
    }
}

extension ServerConfiguration {
    /// The self-test page's settings from the server's.
    var selfTest: SelfTestConfiguration {
        var settings = SelfTestConfiguration(
            turnServers: turnServers, turnTLSServers: turnTLSServers, turnSecret: turnSecret,
            maxReportBytes: min(maxReportBytes, 256 << 10))
        if let seconds = selfTestCallSeconds { settings.callSeconds = seconds }
        return settings
    }
}

extension SQLRepository {
    /// Makes a self-test link for the agent with `employeeId` and returns it with its URL (the only place the
    /// token appears); throws `ServerError.unknownEmployee` for an unknown id. For `homeready-server self-test-link`.
    public func makeSelfTestLink(
        employeeId: String, lifetime: TimeInterval, maxUses: Int, baseURL: String, createdBy: String
    ) async throws -> (link: SelfTestLink, url: String) {
        guard let agent = try await agent(employeeId: employeeId) else { throw ServerError.unknownEmployee(employeeId) }
        let backend = ServerSelfTestBackend(repository: self, configuration: ServerConfiguration(), metrics: nil, events: nil)
        return try await SelfTestLinks.create(
            agentId: agent.id, lifetime: lifetime, maxUses: maxUses, createdBy: createdBy, baseURL: baseURL,
            backend: backend)
    }
}

/// The dashboard's "Create a self-test link" button: a link with the default lifetime and uses.
struct DashboardSelfTestLinkMaker: DashboardSelfTestLinks {
    let repository: SQLRepository
    let backend: ServerSelfTestBackend

    func createSelfTestLink(agentId: String, createdBy: String, baseURL: String) async throws
        -> (url: String, expiresAt: Date)?
    {
        guard try await repository.agent(id: agentId) != nil else { return nil }
        let (link, url) = try await SelfTestLinks.create(
            agentId: agentId, createdBy: createdBy, baseURL: baseURL, backend: backend)
        return (url, link.expiresAt)
    }
}
