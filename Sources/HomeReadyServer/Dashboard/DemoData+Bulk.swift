import Foundation
import HomeReadyModel
import SQLKit

/// The demo fleet's rows, planned in memory and written as multi-row statements: an item walks its lifecycle in
/// `EquipmentLifecycle` (the same rules as the API's), so only its final row and its audit trail reach the
/// database, and each agent's equipment status is known before the agent's row is written.
extension DemoData {
    /// Identifiers for the demo's rows in the layout of a UUID version 7 (RFC 9562): a millisecond time, then a
    /// counter, so each table's primary key grows at its end instead of at random places in the B-tree (random keys
    /// made a 20,000-agent fleet's inserts over 20 times slower than a 2,000-agent one's), and the same seed gives
    /// the same ids.
    struct SequentialIDs: Sendable {
        var millis: UInt64
        var counter: UInt64 = 0

        mutating func next() -> String { Self.uuid(millis: millis, counter: &counter).uuidString.lowercased() }

        /// A version-7 UUID with `millis` as its time and `counter` (incremented) in its random bits.
        static func uuid(millis: UInt64, counter: inout UInt64) -> UUID {
            counter += 1
            let c = counter
            func byte(_ value: UInt64, _ shift: UInt64) -> UInt8 { UInt8(truncatingIfNeeded: value >> shift) }
            return UUID(uuid: (
                byte(millis, 40), byte(millis, 32), byte(millis, 24), byte(millis, 16), byte(millis, 8), byte(millis, 0),
                0x70 | (byte(c, 60) & 0x0F), byte(c, 52), 0x80 | (byte(c, 46) & 0x3F), byte(c, 38),
                byte(c, 32), byte(c, 24), byte(c, 16), byte(c, 8), byte(c, 0), 0))
        }
    }

    /// An agent's row with the status of its kit.
    struct AgentRow: Sendable {
        var id: String
        var agent: NewAgent
        var equipmentStatus: EquipmentReadiness
    }

    /// An item's final row.
    struct ItemRow: Sendable {
        var id: String
        var kind: String
        var model: String
        var serial: String?
        var agentId: String
        var replacesId: String?
        var lifecycle: EquipmentLifecycle
        var updatedAt: Date
    }

    /// One line of an item's audit trail.
    struct AuditRow: Sendable {
        var itemId: String
        var at: Date
        var from: EquipmentState?
        var to: EquipmentState
        var note: String?
    }

    /// The equipment planned for the fleet.
    struct EquipmentPlan: Sendable {
        var items: [ItemRow] = []
        var audit: [AuditRow] = []
    }

    /// Walks one issued item through `steps` (event, day offset from the request), as `makeItem` did through the
    /// API: a faulty or lost item gets a requested replacement.
    static func planItem(
        agentId: String, kind: String, model: String, serial: String, requestedAt: Date,
        steps: [(EquipmentEvent, Double)], now: Date, ids: inout SequentialIDs, into plan: inout EquipmentPlan
    ) {
        let day = 86_400.0
        let id = ids.next()
        var item = ItemRow(
            id: id, kind: kind, model: model, serial: serial, agentId: agentId, replacesId: nil,
            lifecycle: EquipmentLifecycle(), updatedAt: requestedAt)
        plan.audit.append(AuditRow(itemId: id, at: requestedAt, from: nil, to: .requested, note: "kit issued"))
        // The item's row goes before its replacement's: a row that names an item not inserted yet makes SQLite
        // look for orphans (a scan of the items, `replaces_id` has no index) after every row of the statement.
        let slot = plan.items.count
        plan.items.append(item)
        defer { plan.items[slot] = item }
        var previous = requestedAt
        for (event, offset) in steps {
            // Each step strictly after the one before, so the timeline reads in order.
            var at = min(requestedAt.addingTimeInterval(max(0.5, offset) * day), now.addingTimeInterval(-3600))
            if at <= previous { at = previous.addingTimeInterval(600) }
            previous = at
            guard let actions = try? item.lifecycle.apply(event, at: at) else { continue }
            item.updatedAt = at
            for action in actions {
                switch action {
                case .audit(let from, let to):
                    plan.audit.append(AuditRow(itemId: id, at: at, from: from, to: to, note: event.note))
                case .requestReplacement:
                    let replacement = ids.next()
                    plan.items.append(
                        ItemRow(
                            id: replacement, kind: kind, model: model, serial: nil, agentId: agentId, replacesId: id,
                            lifecycle: EquipmentLifecycle(), updatedAt: at))
                    plan.audit.append(AuditRow(itemId: replacement, at: at, from: nil, to: .requested, note: "replaces \(id)"))
                case .notifyFaulty, .notifyLost:
                    break  // a fresh demo database has no webhooks
                }
            }
        }
    }

    /// The kit status of an agent from the items planned for it (`refreshEquipmentStatus`'s rule).
    static func equipmentStatus(kit: [String], items: [ItemRow]) -> EquipmentReadiness {
        EquipmentReadiness.of(
            requiredKinds: kit.sorted(),
            items: items.filter { ![.returned, .lost, .faulty].contains($0.lifecycle.state) }
                .map { (kind: $0.kind, state: $0.lifecycle.state) })
    }

    /// Rows per multi-row statement: well under SQLite's 32,766 and PostgreSQL's 65,535 parameters.
    static let rowsPerStatement = 500

    /// Writes the agents, then their items and the items' audit trails, in transactions of a few statements.
    static func insert(
        agents: [AgentRow], equipment: EquipmentPlan, createdAt: Date, ids: SequentialIDs, on store: SQLStore
    ) async throws {
        for chunk in agents.chunked(by: rowsPerStatement * 4) {
            try await store.transaction(in: .writeLane) { db in
                for rows in Array(chunk).chunked(by: rowsPerStatement) {
                    let values: [SQLQueryString] = rows.map { row in
                        let agent = row.agent
                        return """
                            (\(bind: row.id), \(bind: agent.employeeId), \(bind: agent.name), \(bind: agent.contact),
                             \(bind: agent.siteId), \(bind: agent.campaignId), \(bind: agent.teamId), \(bind: agent.roleId),
                             \(bind: agent.language), \(millis: createdAt), \(bind: row.equipmentStatus.rawValue))
                            """
                    }
                    try await db.raw(
                        """
                        INSERT INTO agents (id, employee_id, name, contact, site_id, campaign_id, team_id, role_id,
                                            language, created_at, equipment_status)
                        VALUES \(values.joined(separator: ", "))
                        """
                    ).run()
                }
            }
        }
        for chunk in equipment.items.chunked(by: rowsPerStatement * 4) {
            try await store.transaction(in: .writeLane) { db in
                for rows in Array(chunk).chunked(by: rowsPerStatement) {
                    let values: [SQLQueryString] = rows.map { item in
                        let life = item.lifecycle
                        return """
                            (\(bind: item.id), \(bind: item.kind), \(bind: item.model), \(bind: item.serial),
                             \(bind: item.agentId), \(bind: life.state.rawValue), \(bind: life.carrier),
                             \(bind: life.trackingNumber), \(millis: life.shippedAt), \(millis: life.deliveredAt),
                             \(bind: item.replacesId), \(millis: item.updatedAt))
                            """
                    }
                    try await db.raw(
                        """
                        INSERT INTO equipment_items (id, kind, model, serial, agent_id, state, carrier, tracking_number,
                                                     shipped_at, delivered_at, replaces_id, updated_at)
                        VALUES \(values.joined(separator: ", "))
                        """
                    ).run()
                }
            }
        }
        var ids = ids
        let auditIds = equipment.audit.map { _ in ids.next() }
        for chunk in Array(equipment.audit.indices).chunked(by: rowsPerStatement * 8) {
            try await store.transaction(in: .writeLane) { db in
                for rows in Array(chunk).chunked(by: rowsPerStatement * 2) {
                    let values: [SQLQueryString] = rows.map { index in
                        let line = equipment.audit[index]
                        return """
                        (\(bind: auditIds[index]), \(bind: line.itemId), \(millis: line.at), 'demo-data',
                         \(bind: line.from?.rawValue), \(bind: line.to.rawValue), \(bind: line.note))
                        """
                    }
                    try await db.raw(
                        """
                        INSERT INTO equipment_audit (id, item_id, at, actor, from_state, to_state, note)
                        VALUES \(values.joined(separator: ", "))
                        """
                    ).run()
                }
            }
        }
        // The funnel's counts, as `recordAudit` keeps them.
        let reached = Dictionary(grouping: equipment.audit, by: \.to).mapValues(\.count)
        try await store.transaction(in: .writeLane) { db in
            for (state, items) in reached.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                try await SQLRepository.countReached(state.rawValue, items: items, on: db)
            }
        }
    }

    /// Stores a day's reports in transactions of `rowsPerStatement`, each through the ingest lane's own set-wise
    /// write (`SQLRepository.write`): the same rows, check states and verdicts as reports arriving one by one.
    /// Encoding a chunk overlaps with writing the one before.
    func insert(reports: [(CheckReport, String)], on repository: SQLRepository) async throws -> Int {
        let chunks = reports.chunked(by: Self.rowsPerStatement).map { Array($0) }
        return try await forEach(chunks) { chunk in
            // Keys in declaration order: sorting them is a tenth of the encoding, and nobody signs demo reports.
            let encoder = ReportCoding.encoder()
            encoder.outputFormatting = [.withoutEscapingSlashes]
            let writes = try chunk.map { pair in
                ReportWrite(
                    report: ReportEnvelope(pair.0), body: String(decoding: try encoder.encode(pair.0), as: UTF8.self),
                    agentId: pair.1, deviceId: nil, signature: nil, presentKinds: [], judgement: nil,
                    at: pair.0.finishedAt)
            }
            let outcomes = try await repository.store.transaction(in: .writeLane) { db in
                try await SQLRepository.write(writes, on: db)
            }
            return outcomes.filter(\.inserted).count
        }
    }
}
