import Foundation
import HomeReadyModel
import SQLKit

/// What an import has done so far: counts and every bad row.
struct ImportTally {
    var created = 0
    var updated = 0
    var errors: [CSV.RowError] = []

    mutating func count(created isNew: Bool) {
        if isNew { created += 1 } else { updated += 1 }
    }
}

extension SQLRepository: ShipmentImporting {
    /// Runs an import (shared by the roster and shipments) in one transaction and keeps it only when no row was
    /// bad and it is not a dry run; a dry run performs every write and rolls it back, so it checks exactly what
    /// the real import would do.
    func importing(dryRun: Bool, _ body: (any SQLDatabase, inout ImportTally) async throws -> Void) async throws
        -> ImportResult
    {
        struct Rollback: Error { let result: ImportResult }
        do {
            return try await writing(field: nil) { db in
                var tally = ImportTally()
                try await body(db, &tally)
                guard tally.errors.isEmpty else {
                    let errors = tally.errors.sorted { ($0.line, $0.column ?? "") < ($1.line, $1.column ?? "") }
                    throw Rollback(result: ImportResult(dryRun: dryRun, created: 0, updated: 0, errors: errors))
                }
                let result = ImportResult(dryRun: dryRun, created: tally.created, updated: tally.updated, errors: [])
                if dryRun { throw Rollback(result: result) }
                return result
            }
        } catch let rollback as Rollback {
            return rollback.result
        }
    }

    public func importShipments(_ rows: [ShipmentRow], dryRun: Bool, actor: String) async throws -> ImportResult {
        let now = Date()
        return try await importing(dryRun: dryRun) { db, tally in
            for row in rows {
                func refuse(_ column: String?, _ message: String) {
                    tally.errors.append(.init(line: row.line, column: column, message: message))
                }
                let before = tally.errors.count
                var agentId: String?
                if let employeeId = row.employeeId {
                    agentId = try await db.raw("SELECT id FROM agents WHERE employee_id = \(bind: employeeId)").all()
                        .first?.string("id")
                    if agentId == nil { refuse("employee_id", "no agent has employee id \"\(employeeId)\"") }
                }
                let found = try await db.raw(
                    "SELECT \(Self.itemColumns) FROM equipment_items WHERE asset_tag = \(bind: row.assetTag)"
                ).all().first.map(Self.item)
                var record: EquipmentRecord
                if let found {
                    if let agentId, let current = found.agentId, current != agentId {
                        refuse("employee_id", "asset tag \(row.assetTag) is issued to another agent; return it first")
                        continue
                    }
                    record = found
                } else {
                    guard let kind = row.kind else {
                        refuse("kind", "asset tag \(row.assetTag) is new; give its `kind` (e.g. laptop) to create it")
                        continue
                    }
                    guard tally.errors.count == before else { continue }
                    record = try await Self.insertItem(
                        NewItem(kind: kind, model: row.model, serial: row.serial, assetTag: row.assetTag, agentId: agentId),
                        replaces: nil, actor: actor, at: (row.shippedAt ?? row.deliveredAt ?? now).addingTimeInterval(-0.002),
                        note: "shipment import", on: db)
                }
                guard tally.errors.count == before else { continue }
                if found != nil {
                    try await db.raw(
                        """
                        UPDATE equipment_items SET model = COALESCE(\(bind: row.model), model),
                            serial = COALESCE(\(bind: row.serial), serial), agent_id = COALESCE(\(bind: agentId), agent_id)
                        WHERE id = \(bind: record.id)
                        """
                    ).run()
                }
                tally.count(created: found == nil)
                try await Self.advance(&record, to: row, actor: actor, now: now, on: db, refuse: refuse)
                if let owner = agentId ?? record.agentId { try await Self.refreshEquipmentStatus(agentId: owner, on: db) }
            }
        }
    }

    /// Moves an item forward to what the row says (shipped, or delivered) through the state machine, one audited
    /// transition at a time; an item already further along is left alone, one that cannot get there is refused.
    static func advance(
        _ record: inout EquipmentRecord, to row: ShipmentRow, actor: String, now: Date, on db: any SQLDatabase,
        refuse: (String?, String) -> Void
    ) async throws {
        let wantsDelivered = row.deliveredAt != nil
        let wantsShipped = wantsDelivered || row.shippedAt != nil || row.trackingNumber != nil || row.carrier != nil
        guard wantsShipped else { return }
        let column = wantsDelivered ? "delivered_at" : "shipped_at"
        var lifecycle = record.lifecycle
        let shipTime = row.shippedAt ?? row.deliveredAt ?? now
        // Audit entries are ordered by time: each one is at its event's time, but never before the item's last one.
        var lastAudit = try await db.raw(
            "SELECT MAX(at) AS at FROM equipment_audit WHERE item_id = \(bind: record.id)"
        ).all().first?.optionalInt64("at") ?? 0
        while true {
            let event: EquipmentEvent
            let at: Date
            switch lifecycle.state {
            case .requested:
                (event, at) = (EquipmentEvent(.allocate, note: row.note), shipTime)
            case .allocated:
                (event, at) = (
                    EquipmentEvent(.ship, carrier: row.carrier, trackingNumber: row.trackingNumber, note: row.note),
                    shipTime
                )
            case .shipped where wantsDelivered:
                (event, at) = (EquipmentEvent(.deliver, note: row.note), row.deliveredAt ?? now)
            case .shipped, .delivered, .accepted, .verified:
                return
            case .returned, .lost, .faulty:
                refuse(column, "asset tag \(row.assetTag) is \(lifecycle.state.rawValue); it cannot be shipped or delivered")
                return
            }
            let from = lifecycle.state
            do throws(InventoryError) {
                try lifecycle.apply(event, at: at)
            } catch {
                refuse(error.field == "state" ? column : error.field, error.description)
                return
            }
            lastAudit = max(Clock.millis(at), lastAudit + 1)
            try await db.raw(
                """
                UPDATE equipment_items SET state = \(bind: lifecycle.state.rawValue), carrier = \(bind: lifecycle.carrier),
                    tracking_number = \(bind: lifecycle.trackingNumber), shipped_at = \(millis: lifecycle.shippedAt),
                    delivered_at = \(millis: lifecycle.deliveredAt), updated_at = \(millis: now)
                WHERE id = \(bind: record.id)
                """
            ).run()
            try await Self.recordAudit(
                itemId: record.id, at: lastAudit, actor: actor, from: from, to: lifecycle.state,
                note: row.note ?? "shipment import", on: db)
            record.state = lifecycle.state
        }
    }
}
