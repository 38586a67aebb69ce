import Foundation
import HomeReadyModel
import SQLKit

extension SQLRepository {
    static let itemColumns: SQLQueryString = """
        id, kind, model, serial, asset_tag, agent_id, state, carrier, tracking_number, shipped_at, delivered_at,
        replaces_id, updated_at, usb_identity
        """

    static func item(_ row: any SQLRow) throws -> EquipmentRecord {
        EquipmentRecord(
            id: try row.string("id"), kind: try row.string("kind"), model: try row.optionalString("model"),
            serial: try row.optionalString("serial"), assetTag: try row.optionalString("asset_tag"),
            agentId: try row.optionalString("agent_id"),
            state: EquipmentState(rawValue: try row.string("state")) ?? .requested,
            carrier: try row.optionalString("carrier"), trackingNumber: try row.optionalString("tracking_number"),
            shippedAt: try row.optionalDate("shipped_at"), deliveredAt: try row.optionalDate("delivered_at"),
            replacesId: try row.optionalString("replaces_id"), updatedAt: try row.date("updated_at"),
            usbIdentity: try row.optionalString("usb_identity"))
    }

    /// Appends an entry to an item's audit log and counts the item in the funnel of the state it reached
    /// (`equipment_funnel`, migration 18): the one way an audit entry is written, so the counts stay true.
    static func recordAudit(
        itemId: String, at millis: Int64, actor: String, from: EquipmentState?, to: EquipmentState, note: String?,
        on db: any SQLDatabase
    ) async throws {
        try await db.raw(
            """
            INSERT INTO equipment_audit (id, item_id, at, actor, from_state, to_state, note)
            VALUES (\(bind: newID()), \(bind: itemId), \(literal: millis), \(bind: actor), \(bind: from?.rawValue),
                    \(bind: to.rawValue), \(bind: note))
            """
        ).run()
        try await countReached(to.rawValue, items: 1, on: db)
    }

    /// Adds `items` to the funnel count of `state`.
    static func countReached(_ state: String, items: Int, on db: any SQLDatabase) async throws {
        try await db.raw(
            """
            INSERT INTO equipment_funnel (state, items) VALUES (\(bind: state), \(literal: items))
            ON CONFLICT (state) DO UPDATE SET items = equipment_funnel.items + excluded.items
            """
        ).run()
    }

    static func insertItem(
        _ item: NewItem, replaces: String?, actor: String, at: Date, note: String?, on db: any SQLDatabase
    ) async throws -> EquipmentRecord {
        let id = newID()
        try await db.raw(
            """
            INSERT INTO equipment_items (id, kind, model, serial, asset_tag, agent_id, state, replaces_id, updated_at,
                                         usb_identity)
            VALUES (\(bind: id), \(bind: item.kind), \(bind: item.model), \(bind: item.serial), \(bind: item.assetTag),
                    \(bind: item.agentId), 'requested', \(bind: replaces), \(millis: at), \(bind: item.usbIdentity))
            """
        ).run()
        try await recordAudit(itemId: id, at: Clock.millis(at), actor: actor, from: nil, to: .requested, note: note, on: db)
        if let agentId = item.agentId { try await refreshEquipmentStatus(agentId: agentId, on: db) }
        return EquipmentRecord(
            id: id, kind: item.kind, model: item.model, serial: item.serial, assetTag: item.assetTag,
            agentId: item.agentId, state: .requested, replacesId: replaces, updatedAt: Clock.date(Clock.millis(at)),
            usbIdentity: item.usbIdentity)
    }

    public func createItem(_ item: NewItem, actor: String) async throws -> EquipmentRecord {
        try await writing(field: "asset_tag") { db in
            try await Self.insertItem(item, replaces: nil, actor: actor, at: Date(), note: nil, on: db)
        }
    }

    public func item(id: String) async throws -> EquipmentRecord? {
        try await store.withConnection { db in
            try await db.raw("SELECT \(Self.itemColumns) FROM equipment_items WHERE id = \(bind: id)").all().first
                .map(Self.item)
        }
    }

    public func items(agentId: String?, after: String?, limit: Int) async throws -> [EquipmentRecord] {
        try await store.withConnection { db in
            let filter: SQLQueryString = agentId.map { "agent_id = \(bind: $0)" } ?? "1 = 1"
            return try await db.raw(
                "SELECT \(Self.itemColumns) FROM equipment_items WHERE \(filter) \(Self.page(after, limit))"
            ).all().map(Self.item)
        }
    }

    public func applyEvent(itemId: String, event: EquipmentEvent, actor: String, at: Date) async throws
        -> EquipmentRecord
    {
        try await writing(field: nil) { db in
            try await Self.applyEvent(itemId: itemId, event: event, actor: actor, at: at, on: db)
        }
    }

    /// Applies a lifecycle event inside the caller's transaction (the item's row locked on PostgreSQL), with its
    /// audit entry, replacement request and webhook as the lifecycle asks.
    static func applyEvent(itemId: String, event: EquipmentEvent, actor: String, at: Date, on db: any SQLDatabase)
        async throws -> EquipmentRecord
    {
        let lock: SQLQueryString = db.dialect.name == "postgresql" ? " FOR UPDATE" : ""
        guard
            let row = try await db.raw(
                "SELECT \(Self.itemColumns) FROM equipment_items WHERE id = \(bind: itemId)\(lock)"
            ).all().first
        else { throw StorageError.notFound("equipment item", id: itemId) }
        var record = try Self.item(row)
        var lifecycle = record.lifecycle
        let actions: [EquipmentLifecycle.Action]
        do throws(InventoryError) {
            actions = try lifecycle.apply(event, at: at)
        } catch {
            throw StorageError.impossibleTransition(error)
        }
        try await db.raw(
            """
            UPDATE equipment_items SET state = \(bind: lifecycle.state.rawValue), carrier = \(bind: lifecycle.carrier),
                tracking_number = \(bind: lifecycle.trackingNumber), shipped_at = \(millis: lifecycle.shippedAt),
                delivered_at = \(millis: lifecycle.deliveredAt), updated_at = \(millis: at),
                usb_identity = \(bind: event.usbIdentity ?? record.usbIdentity)
            WHERE id = \(bind: itemId) AND state = \(bind: record.state.rawValue)
            """
        ).run()
        for action in actions {
            switch action {
            case .audit(let from, let to):
                try await Self.recordAudit(
                    itemId: itemId, at: Clock.millis(at), actor: actor, from: from, to: to, note: event.note, on: db)
            case .requestReplacement:
                let replacement = NewItem(kind: record.kind, model: record.model, agentId: record.agentId)
                _ = try await Self.insertItem(
                    replacement, replaces: itemId, actor: actor, at: at, note: "replaces \(itemId)", on: db)
            case .notifyFaulty:
                try await Self.enqueue(.equipmentFaulty, data: Self.item(row), at: at, on: db)
            case .notifyLost:
                try await Self.enqueue(.equipmentLost, data: Self.item(row), at: at, on: db)
            }
        }
        if let agentId = record.agentId { try await Self.refreshEquipmentStatus(agentId: agentId, on: db) }
        record.state = lifecycle.state
        record.carrier = lifecycle.carrier
        record.trackingNumber = lifecycle.trackingNumber
        record.shippedAt = lifecycle.shippedAt
        record.deliveredAt = lifecycle.deliveredAt
        record.updatedAt = Clock.date(Clock.millis(at))
        record.usbIdentity = event.usbIdentity ?? record.usbIdentity
        return record
    }

    public func audit(itemId: String) async throws -> [AuditRecord] {
        try await store.withConnection { db in
            try await db.raw(
                """
                SELECT id, item_id, at, actor, from_state, to_state, note FROM equipment_audit
                WHERE item_id = \(bind: itemId) ORDER BY at, id
                """
            ).all().map {
                AuditRecord(
                    id: try $0.string("id"), itemId: try $0.string("item_id"), at: try $0.date("at"),
                    actor: try $0.string("actor"),
                    fromState: try $0.optionalString("from_state").flatMap(EquipmentState.init(rawValue:)),
                    toState: EquipmentState(rawValue: try $0.string("to_state")) ?? .requested,
                    note: try $0.optionalString("note"))
            }
        }
    }

    public func issueKits(agentIds: [String], actor: String, at: Date) async throws -> [EquipmentRecord] {
        try await writing(field: "agent_ids") { db in
            var created: [EquipmentRecord] = []
            for agentId in agentIds {
                guard try await !db.raw("SELECT id FROM agents WHERE id = \(bind: agentId)").all().isEmpty else {
                    throw StorageError.badReference(field: "agent_ids", "no agent with id \"\(agentId)\"; nothing was issued")
                }
                let (kinds, items) = try await Self.kitAndItems(agentId: agentId, on: db)
                let held = Set(items.map(\.kind))
                for kind in kinds where !held.contains(kind) {
                    created.append(
                        try await Self.insertItem(
                            NewItem(kind: kind, agentId: agentId), replaces: nil, actor: actor, at: at, note: "kit",
                            on: db))
                }
            }
            return created
        }
    }

    /// A page of the overdue items: a range of the index `equipment_state` (state, shipment time) from the
    /// cursor's shipment time on, so a page costs the same in any fleet. An `after` that names no item is refused.
    public func overdueItems(shippedBefore: Date, after: String?, limit: Int) async throws -> [EquipmentRecord] {
        try await store.withConnection { db in
            let from = try await Self.keysetAfter(
                after, table: "equipment_items", key: "shipped_at", what: "item", on: db)
            return try await db.raw(
                """
                SELECT \(Self.itemColumns) FROM equipment_items
                WHERE state = 'shipped' AND shipped_at < \(millis: shippedBefore)\(from)
                ORDER BY shipped_at, id LIMIT \(literal: limit)
                """
            ).all().map(Self.item)
        }
    }
}
