import Foundation
import HomeReadyModel
import SQLKit

extension SQLRepository: DeviceRepository {
    public func revokeDevice(id: String, reason: String?, at: Date) async throws -> DeviceRecord? {
        let found = try await writing(field: nil) { db -> Bool in
            let rows = try await db.raw(
                """
                UPDATE devices SET revoked_at = COALESCE(revoked_at, \(millis: at)), revoked_reason = \(bind: reason)
                WHERE id = \(bind: id) RETURNING id
                """
            ).all()
            guard !rows.isEmpty else { return false }
            try await db.raw(
                "UPDATE tokens SET revoked_at = \(millis: at) WHERE device_id = \(bind: id) AND revoked_at IS NULL"
            ).run()
            return true
        }
        return found ? try await device(id: id) : nil
    }

    public func reportDevice(reportId: String) async throws -> (stored: Bool, deviceId: String?) {
        try await store.withConnection { db in
            guard let row = try await db.raw(
                "SELECT device_id FROM reports WHERE report_id = \(bind: reportId.lowercased())"
            ).all().first else { return (false, nil) }
            return (true, try row.optionalString("device_id"))
        }
    }

    public func ingest(
        _ report: ReportEnvelope, body: String, agentId: String, deviceId: String, signature: String?,
        presentKinds: Set<String>, judgement: StoredJudgement?, at: Date
    ) async throws -> IngestOutcome {
        try await ingest(
            ReportWrite(
                report: report, body: body, agentId: agentId, deviceId: deviceId, signature: signature,
                presentKinds: presentKinds, judgement: judgement, at: at))
    }
}
