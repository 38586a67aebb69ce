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

    /// Rows per statement: each statement's rows travel as one JSON parameter (`JSONRows`).
    static let rowsPerStatement = 10_000

    /// Writes the agents, then their items and the items' audit trails, a few statements per transaction. The
    /// items' and the audit's rows are built (on the other cores) while the agents are written.
    static func insert(
        agents: [AgentRow], equipment: EquipmentPlan, createdAt: Date, ids: SequentialIDs, on store: SQLStore
    ) async throws {
        async let itemRows = Self.rows(of: equipment.items)
        async let auditRows = Self.rows(of: equipment.audit, ids: ids)
        let agentRows = agents.map { row in
            let agent = row.agent
            return JSONText.row(
                .text(row.id), .text(agent.employeeId), .text(agent.name), .text(agent.contact), .text(agent.siteId),
                .text(agent.campaignId), .text(agent.teamId), .text(agent.roleId), .text(agent.language),
                millis(createdAt), .text(row.equipmentStatus.rawValue))
        }
        try await insert(agentRows, on: store) { source in
            """
            INSERT INTO agents (id, employee_id, name, contact, site_id, campaign_id, team_id, role_id, language,
                                created_at, equipment_status)
            SELECT entry.value ->> 0, entry.value ->> 1, entry.value ->> 2, entry.value ->> 3, entry.value ->> 4,
                   entry.value ->> 5, entry.value ->> 6, entry.value ->> 7, entry.value ->> 8,
                   CAST(entry.value ->> 9 AS BIGINT), entry.value ->> 10
            FROM \(source)
            """
        }
        try await insert(await itemRows, on: store) { source in
            """
            INSERT INTO equipment_items (id, kind, model, serial, agent_id, state, carrier, tracking_number,
                                         shipped_at, delivered_at, replaces_id, updated_at)
            SELECT entry.value ->> 0, entry.value ->> 1, entry.value ->> 2, entry.value ->> 3, entry.value ->> 4,
                   entry.value ->> 5, entry.value ->> 6, entry.value ->> 7, CAST(entry.value ->> 8 AS BIGINT),
                   CAST(entry.value ->> 9 AS BIGINT), entry.value ->> 10, CAST(entry.value ->> 11 AS BIGINT)
            FROM \(source)
            """
        }
        try await insert(await auditRows, on: store) { source in
            """
            INSERT INTO equipment_audit (id, item_id, at, actor, from_state, to_state, note)
            SELECT entry.value ->> 0, entry.value ->> 1, CAST(entry.value ->> 2 AS BIGINT), 'demo-data',
                   entry.value ->> 3, entry.value ->> 4, entry.value ->> 5
            FROM \(source)
            """
        }
        // The funnel's counts, as `recordAudit` keeps them.
        let reached = Dictionary(grouping: equipment.audit, by: \.to).mapValues(\.count)
        try await store.transaction(in: .writeLane) { db in
            for (state, items) in reached.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                try await SQLRepository.countReached(state.rawValue, items: items, on: db)
            }
        }
    }

    /// A time as a row's cell: milliseconds since 1970, or null.
    static func millis(_ date: Date?) -> JSONText.Cell { .integer(date.map(Clock.millis)) }

    /// The items' rows for `insert`.
    static func rows(of items: [ItemRow]) -> [String] {
        items.map { item in
            let life = item.lifecycle
            return JSONText.row(
                .text(item.id), .text(item.kind), .text(item.model), .text(item.serial), .text(item.agentId),
                .text(life.state.rawValue), .text(life.carrier), .text(life.trackingNumber), millis(life.shippedAt),
                millis(life.deliveredAt), .text(item.replacesId), millis(item.updatedAt))
        }
    }

    /// The audit trail's rows for `insert`, with ids from `ids`.
    static func rows(of audit: [AuditRow], ids: SequentialIDs) -> [String] {
        var ids = ids
        return audit.map { line in
            JSONText.row(
                .text(ids.next()), .text(line.itemId), millis(line.at), .text(line.from?.rawValue),
                .text(line.to.rawValue), .text(line.note))
        }
    }

    /// Runs `statement` for `rows` (JSON row texts, in order), `rowsPerStatement` rows to a statement and four
    /// statements to a transaction on the write lane.
    static func insert(
        _ rows: [String], on store: SQLStore, statement: @escaping @Sendable (SQLQueryString) -> SQLQueryString
    ) async throws {
        for transaction in rows.chunked(by: rowsPerStatement * 4) {
            try await store.transaction(in: .writeLane) { db in
                for chunk in Array(transaction).chunked(by: rowsPerStatement) {
                    try await db.raw(statement(JSONRows.source(Array(chunk), on: db))).run()
                }
            }
        }
    }

    /// Reports per transaction. A day's reports touch rows of most agents (their verdicts, check states and
    /// reports-by-agent index) and every commit writes each page it changed to the WAL, so a larger transaction
    /// writes such a page once for many reports.
    static let reportsPerTransaction = 20_000

    /// Encodes reports for the write lane, in slices on up to `concurrency` tasks, in their order.
    static func encode(_ reports: [(CheckReport, String)], in order: [Int], concurrency: Int) async throws
        -> [ReportWrite]
    {
        let slices = order.chunked(by: max(1, (order.count + concurrency - 1) / concurrency))
        return try await withThrowingTaskGroup(of: (Int, [ReportWrite]).self) { group in
            for (index, slice) in slices.enumerated() {
                group.addTask {
                    // Written in one pass, keys in declaration order: nobody signs demo reports.
                    let encoder = CompactJSONEncoder()
                    return (index, try slice.map { position in
                        let (report, agentId) = reports[position]
                        return ReportWrite(
                            report: ReportEnvelope(report), body: try encoder.encodeToString(report), agentId: agentId,
                            deviceId: nil, signature: nil, presentKinds: [], judgement: nil, at: report.finishedAt)
                    })
                }
            }
            var parts = [[ReportWrite]](repeating: [], count: slices.count)
            for try await (index, part) in group { parts[index] = part }
            return parts.flatMap { $0 }
        }
    }

    /// Stores reports through the ingest lane's own set-wise write (`SQLRepository.write`), in transactions of
    /// `reportsPerTransaction`: the same rows, check states and verdicts as reports arriving one by one. Returns
    /// how many were stored.
    func write(_ writes: [ReportWrite], on repository: SQLRepository) async throws -> Int {
        var stored = 0
        for chunk in writes.chunked(by: Self.reportsPerTransaction) {
            let outcomes = try await repository.store.transaction(in: .writeLane) { db in
                try await SQLRepository.write(Array(chunk), on: db)
            }
            stored += outcomes.filter(\.inserted).count
        }
        return stored
    }
}
