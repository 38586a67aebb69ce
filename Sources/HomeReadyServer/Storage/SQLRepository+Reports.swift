import Foundation
import HomeReadyModel
import SQLKit

extension SQLRepository {
    public func ingest(_ report: CheckReport, body: String, agentId: String, deviceId: String?, at: Date) async throws
        -> Bool
    {
        do {
            return try await store.grouped { db in
                try await Self.store(report, body: body, agentId: agentId, deviceId: deviceId, at: at, on: db)
            }
        } catch let problem as Problem {
            throw problem
        } catch {
            throw Self.constraintProblem(error, field: "report_id") ?? error
        }
    }

    /// Stores one report and what it changes (the agent's last verdict, check states, a webhook) on `db`.
    static func store(
        _ report: CheckReport, body: String, agentId: String, deviceId: String?, at: Date, on db: any SQLDatabase
    ) async throws -> Bool {
        let reportId = report.reportID.uuidString.lowercased()
        let inserted = try await db.raw(
            """
            INSERT INTO reports (report_id, agent_id, device_id, started_at, finished_at, received_at, verdict,
                                 profile_id, profile_version, body)
            VALUES (\(bind: reportId), \(bind: agentId), \(bind: deviceId), \(millis: report.startedAt),
                    \(millis: report.finishedAt), \(millis: at), \(bind: report.verdict.rawValue),
                    \(bind: report.profile.id), \(literal: report.profile.version), \(bind: body))
            ON CONFLICT (report_id) DO NOTHING
            RETURNING report_id
            """
        ).all()
        guard !inserted.isEmpty else { return false }
        let seen = Clock.millis(report.finishedAt)
        // Only a failing report can make an agent newly not ready, so only then is the previous verdict read.
        if !report.verdict.passes, try await Self.wasPassing(agentId: agentId, before: seen, on: db) {
            let failed = report.findings.filter { $0.status == .fail || $0.status == .error }.map(\.id)
            try await Self.enqueue(
                .agentNotReady,
                data: NotReadyEvent(
                    agentId: agentId, employeeId: report.agent.employeeID, reportId: reportId,
                    verdict: report.verdict, failed: failed),
                at: at, on: db)
        }
        try await db.raw(
            """
            UPDATE agents SET last_report_at = \(literal: seen), last_verdict = \(bind: report.verdict.rawValue)
            WHERE id = \(bind: agentId) AND (last_report_at IS NULL OR last_report_at <= \(literal: seen))
            """
        ).run()
        // Latest status per check id in this report (a report may repeat an id; the last one counts).
        var latest: [String: FindingStatus] = [:]
        for finding in report.findings { latest[finding.id] = finding.status }
        guard !latest.isEmpty else { return true }
        var values: [SQLQueryString] = []
        for (checkId, status) in latest.sorted(by: { $0.key < $1.key }) {
            let failed: Date? = status == .fail ? report.finishedAt : nil
            let passed: Date? = status == .pass ? report.finishedAt : nil
            values.append(
                "(\(bind: agentId), \(bind: checkId), \(bind: status.rawValue), \(millis: failed), \(millis: passed), \(literal: seen))"
            )
        }
        var statement: SQLQueryString =
            "INSERT INTO check_states (agent_id, check_id, status, first_failed_at, last_passed_at, last_seen_at) VALUES "
        for (index, value) in values.enumerated() {
            if index > 0 { statement.appendLiteral(", ") }
            statement.appendInterpolation(value)
        }
        statement.appendLiteral(
            """

            ON CONFLICT (agent_id, check_id) DO UPDATE SET
                status = excluded.status,
                first_failed_at = CASE
                    WHEN excluded.status = 'fail' THEN
                        CASE WHEN check_states.status = 'fail' AND check_states.first_failed_at IS NOT NULL
                             THEN check_states.first_failed_at ELSE excluded.last_seen_at END
                    WHEN excluded.status = 'pass' THEN NULL
                    ELSE check_states.first_failed_at END,
                last_passed_at = CASE WHEN excluded.status = 'pass' THEN excluded.last_seen_at
                    ELSE check_states.last_passed_at END,
                last_seen_at = excluded.last_seen_at
            WHERE excluded.last_seen_at >= check_states.last_seen_at
            """)
        try await db.raw(statement).run()
        return true
    }

    /// Whether the agent's last verdict (if any) passed and is not newer than `seen`.
    static func wasPassing(agentId: String, before seen: Int64, on db: any SQLDatabase) async throws -> Bool {
        let previous = try await db.raw(
            "SELECT last_report_at, last_verdict FROM agents WHERE id = \(bind: agentId)"
        ).all().first
        let previousAt = try previous?.decode(column: "last_report_at", as: Int64?.self)
        let previousVerdict = try previous?.optionalString("last_verdict").flatMap(Verdict.init(rawValue:))
        return (previousAt.map { $0 <= seen } ?? true) && (previousVerdict?.passes ?? true)
    }

    public func reports(agentId: String, after: String?, limit: Int) async throws -> [ReportSummary] {
        try await store.withConnection { db in
            let cursor: SQLQueryString = after.map { "AND report_id > \(bind: $0)" } ?? ""
            return try await db.raw(
                """
                SELECT report_id, agent_id, started_at, finished_at, received_at, verdict, profile_id, profile_version
                FROM reports WHERE agent_id = \(bind: agentId) \(cursor) ORDER BY report_id LIMIT \(literal: limit)
                """
            ).all().map {
                ReportSummary(
                    reportId: try $0.string("report_id"), agentId: try $0.string("agent_id"),
                    startedAt: try $0.date("started_at"), finishedAt: try $0.date("finished_at"),
                    receivedAt: try $0.date("received_at"),
                    verdict: Verdict(rawValue: try $0.string("verdict")) ?? .incomplete,
                    profileId: try $0.string("profile_id"), profileVersion: try $0.int("profile_version"))
            }
        }
    }

    public func reportBody(reportId: String) async throws -> (agentId: String, body: String)? {
        try await store.withConnection { db in
            guard
                let row = try await db.raw(
                    "SELECT agent_id, body FROM reports WHERE report_id = \(bind: reportId.lowercased())"
                ).all().first
            else { return nil }
            return (try row.string("agent_id"), try row.string("body"))
        }
    }

    public func checkStates(agentId: String) async throws -> [CheckStateRecord] {
        try await store.withConnection { db in
            try await db.raw(
                """
                SELECT check_id, status, first_failed_at, last_passed_at, last_seen_at FROM check_states
                WHERE agent_id = \(bind: agentId) ORDER BY check_id
                """
            ).all().map {
                CheckStateRecord(
                    checkId: try $0.string("check_id"),
                    status: FindingStatus(rawValue: try $0.string("status")) ?? .error,
                    firstFailedAt: try $0.optionalDate("first_failed_at"),
                    lastPassedAt: try $0.optionalDate("last_passed_at"), lastSeenAt: try $0.date("last_seen_at"))
            }
        }
    }
}

/// The data of an `agent.not_ready` webhook.
struct NotReadyEvent: Encodable, Sendable {
    var agentId: String
    var employeeId: String
    var reportId: String
    var verdict: Verdict
    var failed: [String]
}
