import Foundation
import HomeReadyModel
import SQLKit

extension SQLRepository {
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
                SELECT check_id, status, first_failed_at, last_passed_at, last_seen_at FROM current_check_states
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
