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
        _ report: CheckReport, body: String, agentId: String, deviceId: String, signature: String?, at: Date
    ) async throws -> Bool {
        do {
            return try await store.grouped { db in
                let inserted = try await Self.store(report, body: body, agentId: agentId, deviceId: deviceId, at: at, on: db)
                if inserted, let signature {
                    try await db.raw(
                        """
                        INSERT INTO report_signatures (report_id, device_id, signature, received_at)
                        VALUES (\(bind: report.reportID.uuidString.lowercased()), \(bind: deviceId), \(bind: signature),
                                \(millis: at))
                        """
                    ).run()
                }
                return inserted
            }
        } catch let problem as Problem {
            throw problem
        } catch {
            throw Self.constraintProblem(error, field: "report_id") ?? error
        }
    }

    public func verifyEquipment(agentId: String, kinds: Set<String>, actor: String, note: String, at: Date) async throws
        -> [EquipmentRecord]
    {
        guard !kinds.isEmpty else { return [] }
        let candidates = try await store.withConnection { db in
            try await db.raw(
                """
                SELECT \(Self.itemColumns) FROM equipment_items
                WHERE agent_id = \(bind: agentId) AND state IN ('delivered', 'accepted')
                ORDER BY id
                """
            ).all().map(Self.item)
        }
        var moved: [EquipmentRecord] = []
        for item in candidates where kinds.contains(item.kind) {
            do {
                // Through the lifecycle, so the audit log records it with the device as actor.
                moved.append(try await applyEvent(itemId: item.id, event: EquipmentEvent(.verify, note: note), actor: actor, at: at))
            } catch let problem as Problem where problem.status == .conflict {
                continue  // Another instance moved it first.
            }
        }
        return moved
    }
}
