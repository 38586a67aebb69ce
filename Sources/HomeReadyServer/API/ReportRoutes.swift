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
    /// Where stored reports are announced to the dashboards (nil where no dashboard is mounted).
    let events: ServerEventBus?
    private let verification: ReportVerification
    private let agents: ExpiringCache<String, AgentRecord>

    init(
        repository: any InventoryRepository, configuration: ServerConfiguration, metrics: ServerMetrics,
        events: ServerEventBus?
    ) {
        self.repository = repository
        self.configuration = configuration
        self.metrics = metrics
        self.events = events
        verification = ReportVerification(repository: repository, configuration: configuration)
        agents = ExpiringCache(ttl: configuration.lookupCacheTTL)
    }

    /// The answer to a POST: `{"report_id": …, "duplicate": …}` (`duplicate` true when this report id was already
    /// stored and nothing changed). Written by hand: it is two fixed fields (a lowercase UUID and a flag) on the
    /// busiest route.
    static func ingested(reportId: UUID, duplicate: Bool) -> Response {
        Response(
            status: duplicate ? .ok : .created, headers: [.contentType: "application/json"],
            body: .init(
                byteBuffer: ByteBuffer(
                    string: "{\"report_id\":\"\(reportId.uuidString.lowercased())\",\"duplicate\":\(duplicate)}")))
    }

    func add(to router: RouterGroup<ServerRequestContext>) {
        router.post("reports") { request, context in
            let principal = try context.require(.device, .admin)
            let buffer = try await request.bodyBytes(limit: configuration.maxReportBytes)
            let bytes = Array(buffer.readableBytesView)
            let data = Data(bytes)
            // The fields the server reads are checked; the body is kept as sent (and signed).
            let report: ReportEnvelope
            do { report = try ReportEnvelope.read(json: bytes) } catch {
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
            let now = Date()
            let body = String(decoding: data, as: UTF8.self)
            let inserted: Bool
            if let devices = repository as? any DeviceRepository, let deviceId = principal.deviceId {
                try await verification.verify(
                    report: report, body: data, principal: principal, agentId: agent.id, headers: request.headers, now: now)
                // Stores the report once by report_id, its signature in the same transaction.
                let outcome = try await devices.ingest(
                    report, body: body, agentId: agent.id, deviceId: deviceId,
                    signature: request.headers[HTTPField.Name(ReportSignature.signatureHeader)!],
                    presentKinds: ReportVerification.presentEquipment(report), at: now)
                switch outcome {
                case .stored(let equipment):
                    inserted = true
                    let verified = try await devices.verifyEquipment(
                        equipment, actor: "device:\(deviceId)",
                        note: "seen by report \(report.reportID.uuidString.lowercased())", at: now)
                    if !verified.isEmpty {
                        context.logger.info("equipment.verified", metadata: ["items": "\(verified.map(\.id))"])
                    }
                case .deviceRevoked:
                    try await verification.refuseRevoked(deviceId: deviceId)
                case .duplicate:
                    inserted = false
                    // Already stored: the same device re-sending is an idempotent retry; another device is a replay.
                    let existing = try await devices.reportDevice(reportId: report.reportID.uuidString)
                    if existing.deviceId != deviceId {
                        throw Problem(
                            .conflict, "Replayed report",
                            detail: "report \(report.reportID.uuidString.lowercased()) is already stored from another device; a report cannot be sent again by a different device",
                            field: "report_id")
                    }
                }
            } else {
                inserted = try await repository.ingest(
                    report, body: body, agentId: agent.id, deviceId: principal.deviceId, at: now)
            }
            if inserted { await events?.reportIngested(report, agent: agent) }
            metrics.reportIngested(duplicate: !inserted)
            context.logger.debug("report.ingested", metadata: ["report.id": "\(report.reportID)", "report.duplicate": "\(!inserted)"])
            return Self.ingested(reportId: report.reportID, duplicate: !inserted)
        }
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
}
