import Foundation
import HomeReadyModel
import HomeReadySigning
import Hummingbird
import HTTPTypes
import Logging

/// Report ingestion and history.
///
/// The agent a report names is cached by employee id for `lookupCacheSeconds` (its id never changes; its site or
/// campaign may show the old value in a live dashboard event for that long).
struct ReportRoutes {
    let repository: any InventoryRepository
    let configuration: ServerConfiguration
    let metrics: ServerMetrics
    private let ingestion: ReportIngestion
    private let agents: ExpiringCache<String, AgentRecord>

    init(
        repository: any InventoryRepository, configuration: ServerConfiguration, metrics: ServerMetrics,
        ingestion: ReportIngestion
    ) {
        self.repository = repository
        self.configuration = configuration
        self.metrics = metrics
        self.ingestion = ingestion
        agents = ExpiringCache(ttl: configuration.lookupCacheTTL)
    }

    /// The answer to a POST: `{"report_id": …, "duplicate": …, "verdict": …, "reason": …}` (`duplicate` true when
    /// this report id was already stored and nothing changed; `verdict` the server's, `reason` why the report
    /// cannot count, when it cannot). Written by hand: a few fixed fields on the busiest route.
    static func ingested(_ outcome: ReportIngestion.Outcome) -> Response {
        var json = "{\"report_id\":\"\(outcome.reportID.uuidString.lowercased())\",\"duplicate\":\(outcome.duplicate)"
        json += ",\"verdict\":\"\(outcome.verdict.rawValue)\""
        if let reason = outcome.reason { json += ",\"reason\":" + JSONText.quoted(reason) }
        json += "}"
        return Response(
            status: outcome.duplicate ? .ok : .created, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: json)))
    }

    func add(to router: RouterGroup<ServerRequestContext>) {
        router.post("reports") { request, context in try await receiveReport(request, context: context) }
        router.get("agents/:id/reports") { request, context in
            let id = try context.parameters.require("id")
            try authorizeAgent(id, context)
            let (after, n) = try request.pagination
            return makePage(try await repository.reports(agentId: id, after: after, limit: n), limit: n, id: \.reportId)
        }
        router.get("reports/:id") { request, context in
            let id = try context.parameters.require("id")
            guard let found = try await repository.reportBody(reportId: id) else { throw Problem.notFound("report", id) }
            try authorizeAgent(found.agentId, context)
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: found.body)))
        }
        router.get("agents/:id/checks") { request, context in
            let id = try context.parameters.require("id")
            try authorizeAgent(id, context)
            return ListResponse(items: try await repository.checkStates(agentId: id))
        }
    }

    /// `POST /api/v1/reports`: reads the envelope, finds the agent it names (a device may only send its own
    /// agent's), and hands it to the one ingestion service.
    func receiveReport(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let principal = try context.require(.device, .admin)
        let buffer = try await request.bodyBytes(limit: configuration.maxReportBytes)
        let bytes = Array(buffer.readableBytesView)
        // The fields the server reads are checked; the body is kept as sent (and signed).
        let report: ReportEnvelope
        var findingsAt: Range<Int>?
        do { report = try ReportEnvelope.read(json: bytes, findingsAt: &findingsAt) } catch {
            throw Problem.reading(error)
        }
        guard report.schemaVersion <= CheckReport.currentSchemaVersion else {
            throw Problem.invalid("schema_version", "schema_version \(report.schemaVersion) is newer than this server reads (\(CheckReport.currentSchemaVersion)); upgrade the server")
        }
        // Cached when found; an unknown employee id is never cached (a new agent works at once).
        let agent = try await agents.value(for: report.employeeID) {
            guard let found = try await repository.agent(employeeId: report.employeeID) else {
                throw Problem.invalid("agent.employee_id", "no agent has employee id \"\(report.employeeID)\"")
            }
            return found
        }
        if principal.role == .device, principal.agentId != agent.id {
            throw Problem(.forbidden, "Forbidden", detail: "this device is enrolled for another agent", field: "agent.employee_id")
        }
        let outcome = try await ingestion.ingest(
            bytes: bytes, envelope: report, findingsAt: findingsAt, principal: principal, agent: agent, headers: request.headers,
            logger: context.logger)
        metrics.reportIngested(duplicate: outcome.duplicate)
        context.logger.debug("report.ingested", metadata: ["report.id": "\(report.reportID)", "report.duplicate": "\(outcome.duplicate)"])
        return Self.ingested(outcome)
    }
}
