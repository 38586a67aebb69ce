import Foundation
import HomeReadyModel
import SQLKit

/// What a readiness statement names besides the status: the agent and the report its readiness rests on.
struct StatementBasis: Sendable, Equatable {
    var employeeId: String
    var campaignId: String?
    /// The agent's latest counting report (`agents.last_report_at` and `last_report_source`); nil before any.
    var reportId: String?
    /// When that report's check finished.
    var reportAt: Date?
}

/// `agent.readiness_changed`: a report moved an agent across `ready` (ready → anything else, or back).
struct ReadinessChangedEvent: Encodable, Sendable {
    var agentId: String
    var employeeId: String
    var campaignId: String?
    var previousStatus: ReadinessStatus
    var status: ReadinessStatus
    var ready: Bool
    /// The report that changed it.
    var reportId: String
}

extension SQLRepository {
    /// The purpose under which the readiness statement key is kept in `signing_keys`.
    static let readinessKeyPurpose = "readiness"

    /// The server's readiness signing key: read from `signing_keys`, or made and stored by the first instance that
    /// needs it (`ON CONFLICT DO NOTHING`, then read back, so racing instances all end up with the one stored key).
    func readinessSigningKey(now: Date) async throws -> ReadinessSigningKey {
        if let key = try await storedReadinessKey() { return key }
        let candidate = ReadinessSigningKey(createdAt: now)
        try await writing(field: nil) { db in
            try await db.raw(
                """
                INSERT INTO signing_keys (purpose, key_id, algorithm, private_key, public_key, created_at)
                VALUES (\(bind: Self.readinessKeyPurpose), \(bind: candidate.keyId), \(bind: ReadinessSigningKey.algorithm),
                        \(bind: candidate.privateKey.rawRepresentation.base64EncodedString()),
                        \(bind: candidate.publicKey.rawRepresentation.base64EncodedString()), \(millis: now))
                ON CONFLICT (purpose) DO NOTHING
                """
            ).run()
        }
        guard let key = try await storedReadinessKey() else {
            throw ServerError.storage("the readiness signing key could not be stored in signing_keys")
        }
        if key.keyId == candidate.keyId {
            logger.info("readiness_key.created", metadata: ["key.id": "\(key.keyId)"])
        }
        return key
    }

    private func storedReadinessKey() async throws -> ReadinessSigningKey? {
        try await store.withConnection { db in
            guard
                let row = try await db.raw(
                    "SELECT private_key, created_at FROM signing_keys WHERE purpose = \(bind: Self.readinessKeyPurpose)"
                ).all().first
            else { return nil }
            guard let raw = Data(base64Encoded: try row.string("private_key")) else {
                throw ServerError.storage("signing_keys holds a readiness key that is not base64")
            }
            return try ReadinessSigningKey(
                rawPrivateKey: raw, createdAt: Clock.date(try row.decode(column: "created_at", as: Int64.self)))
        }
    }

    /// The agent's employee id, campaign and the report its readiness rests on; nil for an unknown agent.
    func statementBasis(agentId: String) async throws -> StatementBasis? {
        try await store.withConnection { db in
            guard
                let agent = try await db.raw(
                    """
                    SELECT employee_id, campaign_id, last_report_at, last_report_source FROM agents
                    WHERE id = \(bind: agentId)
                    """
                ).all().first
            else { return nil }
            var basis = StatementBasis(
                employeeId: try agent.string("employee_id"), campaignId: try agent.optionalString("campaign_id"))
            guard let at = try agent.optionalInt64("last_report_at") else { return basis }
            let source = try agent.optionalString("last_report_source") ?? ReportSource.cli.rawValue
            let report = try await db.raw(
                """
                SELECT report_id FROM reports
                WHERE agent_id = \(bind: agentId) AND finished_at = \(literal: at) AND source = \(bind: source)
                ORDER BY received_at DESC, report_id LIMIT 1
                """
            ).all().first
            basis.reportId = try report?.string("report_id")
            basis.reportAt = Clock.date(at)
            return basis
        }
    }

    /// Each agent's readiness status (`statusExpression`, the rules planners count) with its employee id and
    /// campaign, read inside the caller's transaction; nil when no webhook listens for `agent.readiness_changed`
    /// (then ingestion spends nothing on it).
    static func readinessForChanges(of agentIds: Set<String>, now: Date, on db: any SQLDatabase) async throws
        -> [String: (status: ReadinessStatus, employeeId: String, campaignId: String?)]?
    {
        let hooks = try await db.raw("SELECT events FROM webhooks").all()
        let event = Substring(WebhookEvent.agentReadinessChanged.rawValue)
        guard try hooks.contains(where: { try $0.string("events").split(separator: ",").contains(event) }) else {
            return nil
        }
        return try await readinessStatuses(of: agentIds, now: now, on: db)
    }

    /// Each agent's readiness status by the rules planners count, with its employee id and campaign.
    static func readinessStatuses(of agentIds: Set<String>, now: Date, on db: any SQLDatabase) async throws
        -> [String: (status: ReadinessStatus, employeeId: String, campaignId: String?)]
    {
        guard !agentIds.isEmpty else { return [:] }
        var statuses: [String: (status: ReadinessStatus, employeeId: String, campaignId: String?)] = [:]
        for chunk in agentIds.sorted().chunked(by: 500) {
            let rows = try await db.raw(
                """
                SELECT a.id, a.employee_id, a.campaign_id, \(statusExpression(now: now)) AS status
                FROM agents a LEFT JOIN campaigns c ON c.id = a.campaign_id
                WHERE a.id IN (\(binds: Array(chunk)))
                """
            ).all()
            for row in rows {
                guard let status = ReadinessStatus(rawValue: try row.string("status")) else { continue }
                statuses[try row.string("id")] = (
                    status, try row.string("employee_id"), try row.optionalString("campaign_id")
                )
            }
        }
        return statuses
    }

    /// Queues `agent.readiness_changed` for each agent the round's reports moved across `ready`.
    static func enqueueReadinessChanges(
        _ writes: [ReportWrite], before: [String: (status: ReadinessStatus, employeeId: String, campaignId: String?)],
        now: Date, on db: any SQLDatabase
    ) async throws {
        let after = try await readinessStatuses(of: Set(writes.map(\.agentId)), now: now, on: db)
        for write in writes {
            guard let old = before[write.agentId], let new = after[write.agentId],
                (old.status == .ready) != (new.status == .ready)
            else { continue }
            try await enqueue(
                .agentReadinessChanged,
                data: ReadinessChangedEvent(
                    agentId: write.agentId, employeeId: new.employeeId, campaignId: new.campaignId,
                    previousStatus: old.status, status: new.status, ready: new.status == .ready,
                    reportId: write.reportId),
                at: write.at, on: db)
        }
    }
}
