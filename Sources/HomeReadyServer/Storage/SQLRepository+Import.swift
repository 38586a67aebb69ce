import Foundation
import HomeReadyModel
import PostgresNIO
import SQLKit

extension SQLRepository {
    /// Imports roster rows in one transaction: creates or updates by employee id, resolving site, campaign, team
    /// and role by name. Any bad row (an unknown name) means nothing is written; `dryRun` never writes.
    public func importRoster(_ rows: [RosterRow], dryRun: Bool) async throws -> ImportResult {
        try await importing(dryRun: dryRun) { db, tally in
            func names(_ table: String) async throws -> [String: String] {
                var map: [String: String] = [:]
                for row in try await db.raw("SELECT id, name FROM \(ident: table)").all() {
                    map[try row.string("name")] = try row.string("id")
                }
                return map
            }
            let sites = try await names("sites")
            let campaigns = try await names("campaigns")
            let teams = try await names("teams")
            let roles = try await names("roles")
            var existing: Set<String> = []
            for row in try await db.raw("SELECT employee_id FROM agents").all() {
                existing.insert(try row.string("employee_id"))
            }
            for row in rows {
                func resolve(_ value: String?, _ map: [String: String], _ column: String) -> String? {
                    guard let value else { return nil }
                    if let id = map[value] { return id }
                    tally.errors.append(.init(line: row.line, column: column, message: "no \(column) named \"\(value)\""))
                    return nil
                }
                let before = tally.errors.count
                let site = resolve(row.site, sites, "site")
                let campaign = resolve(row.campaign, campaigns, "campaign")
                let team = resolve(row.team, teams, "team")
                let role = resolve(row.role, roles, "role")
                guard tally.errors.count == before, tally.errors.isEmpty else { continue }
                let result = try await db.raw(
                    """
                    INSERT INTO agents (
                        id, employee_id, name, contact, site_id, campaign_id, team_id, role_id, language, created_at)
                    VALUES (\(bind: Self.newID()), \(bind: row.employeeId), \(bind: row.name), \(bind: row.contact),
                            \(bind: site), \(bind: campaign), \(bind: team), \(bind: role), \(bind: row.language),
                            \(millis: Date()))
                    ON CONFLICT (employee_id) DO UPDATE SET name = excluded.name, contact = excluded.contact,
                        language = excluded.language,
                        site_id = excluded.site_id, campaign_id = excluded.campaign_id, team_id = excluded.team_id,
                        role_id = excluded.role_id
                    RETURNING id
                    """
                ).all()
                guard let inserted = result.first else { continue }
                tally.count(created: !existing.contains(row.employeeId))
                try await Self.refreshEquipmentStatus(agentId: try inserted.string("id"), on: db)
                // The supervisor, coordinator and director for escalations (issue 20), when the row names them.
                try await Self.storeEscalationContacts(row, agentId: try inserted.string("id"), on: db)
            }
        }
    }

    /// Agents or items per page of an export: one page is read, turned into CSV and handed on before the next is
    /// read, so memory stays flat in the fleet's size and the first rows leave at once.
    static let exportPageSize = 2_000

    /// Readiness of every agent as CSV with each check's last status as a column, in pages of
    /// `exportPageSize` agents by employee id; `emit` receives the header, then each page's rows.
    ///
    /// Each page is one statement on a connection taken for that page only (`readinessPage`) and is judged with
    /// the planners' rules (`Readiness.evaluate`), so a slow reader holds no connection and the work per row does
    /// not grow with the fleet. The small tables (names, freshness windows, kits) are read once per export.
    public func exportReadinessCSV(now: Date, emit: (String) async throws -> Void) async throws {
        try await exportReadinessCSV(now: now, pageSize: Self.exportPageSize, emit: emit)
    }

    func exportReadinessCSV(now: Date, pageSize: Int, emit: (String) async throws -> Void) async throws {
        let checkIds = try await store.withConnection { db in try await Self.distinctCheckIds(on: db) }
        try await emit(
            CSV.line(
                ["employee_id", "name", "site", "campaign", "team", "status", "evidence", "reasons", "explanation"]
                    + checkIds))
        // The small tables once per export, not joined per agent: names, freshness windows and kits by id.
        let context = try await store.withConnection { db in try await ReadinessExportContext.read(on: db) }
        let store = self.store
        try await Self.readPagesAhead(
            pageEnd: { after in try await Self.readinessPageEnd(after: after, size: pageSize, in: store) },
            read: { after, through in try await Self.readinessPage(after: after, through: through, in: store) },
            isEmpty: \.isEmpty
        ) { page in
            try await emit(Self.readinessCSV(page, checkIds: checkIds, context: context, now: now))
        }
    }

    /// Reads an export's pages `exportReadsAhead` at a time, each on its own connection, while the page before
    /// them is written, and hands them to `emit` in order (skipping empty ones). A page's read is its statement,
    /// then the decoding of its rows: one read at a time left a core idle for part of every page. `pageEnd` gives
    /// the key of the last row of the page after a key (nil: the page runs to the end), from a short statement of
    /// its own, so the next read need not wait for this one's rows; `read` reads the rows after a key up to one.
    static func readPagesAhead<Page: Sendable>(
        pageEnd: (String?) async throws -> String?,
        read: @escaping @Sendable (_ after: String?, _ through: String?) async throws -> Page,
        isEmpty: (Page) -> Bool,
        emit: (Page) async throws -> Void
    ) async throws {
        try await withThrowingTaskGroup(of: (Int, Page).self) { reads in
            var after: String?
            var lastStarted = false
            var started = 0
            var emitted = 0
            var readPages: [Int: Page] = [:]
            while true {
                while !lastStarted, started - emitted < Self.exportReadsAhead {
                    let through = try await pageEnd(after)
                    let (index, from) = (started, after)
                    reads.addTask { (index, try await read(from, through)) }
                    started += 1
                    if let through { after = through } else { lastStarted = true }
                }
                guard emitted < started, let (index, page) = try await reads.next() else { return }
                readPages[index] = page
                while let page = readPages.removeValue(forKey: emitted) {
                    emitted += 1
                    // The last page is empty when the rows fill their pages exactly.
                    if !isEmpty(page) { try await emit(page) }
                }
            }
        }
    }

    /// Pages read at once during an export, beside the one being written.
    static let exportReadsAhead = 2

    /// The employee id of the `size`th agent after `after`: the last of the export's page that starts there, or
    /// nil when fewer are left (the page then runs to the end).
    static func readinessPageEnd(after: String?, size: Int, in store: SQLStore) async throws -> String? {
        let from: SQLQueryString = after.map { "WHERE employee_id > \(bind: $0)" } ?? ""
        return try await store.withConnection { db in
            try await db.raw(
                "SELECT employee_id FROM agents \(from) ORDER BY employee_id LIMIT 1 OFFSET \(literal: size - 1)"
            ).first()?.string("employee_id")
        }
    }

    /// Every check id in `check_states`, in order: a loose index scan (one seek on `check_states_check` per id,
    /// about twenty for a fleet of any size) instead of `SELECT DISTINCT`, which reads every agent's check states.
    static func distinctCheckIds(on db: any SQLDatabase) async throws -> [String] {
        try await db.raw(
            """
            WITH RECURSIVE ids (id) AS (
                SELECT MIN(check_id) FROM check_states
                UNION ALL
                SELECT (SELECT MIN(c.check_id) FROM check_states c WHERE c.check_id > ids.id) FROM ids
                WHERE ids.id IS NOT NULL)
            SELECT id FROM ids WHERE id IS NOT NULL ORDER BY id
            """
        ).all().map { try $0.string("id") }
    }

    /// An agent as the readiness export reads it, with its live items and its check states as the statement's
    /// `pairs` texts. They are split while the page is judged (`readinessCSV`), beside the next page's read
    /// rather than in it.
    struct ReadinessExportRow: Sendable {
        var id, employeeId, name: String
        var roleId, siteId, campaignId, teamId: String?
        var lastReportAt: Date?
        var lastVerdict: Verdict?
        var lastVerdictReason: String?
        var evidence: ReportSource?
        var items, states: String?
    }

    /// Reads the page of agents after employee id `after` up to `through` (to the end when nil), in one
    /// statement: each agent's items and check states come as one text each (`pairs`), from a subquery per agent
    /// that both back ends answer from the agent's own index entries (`equipment_agent`, the check states'
    /// primary key). A page of 2,000 agents decodes 2,000 rows instead of one per item (about 5,400) and per check
    /// state (about 20,000). Given the page's ids as a list instead (`agent_id IN (…)`), PostgreSQL read the whole
    /// check-state table per page (a parallel sequential scan, 46 ms a page at 100,000 agents).
    ///
    /// PostgreSQL's rows are decoded by position (`SQLStore.forEachPostgresRow`), SQLite's through SQLKit.
    static func readinessPage(after: String?, through: String?, in store: SQLStore) async throws
        -> [ReadinessExportRow]
    {
        var range: [SQLQueryString] = []
        if let after { range.append("a.employee_id > \(bind: after)") }
        if let through { range.append("a.employee_id <= \(bind: through)") }
        let from: SQLQueryString = range.isEmpty ? "" : "WHERE " + range.joined(separator: " AND ")
        let postgres = store.backend == .postgres
        let query: SQLQueryString = """
            SELECT a.id, a.employee_id, a.name, a.role_id, a.site_id, a.campaign_id, a.team_id, a.last_report_at,
                   a.last_verdict, a.last_verdict_reason, a.last_report_source,
                   (SELECT \(pairs("kind", "state", postgres: postgres)) FROM equipment_items
                    WHERE agent_id = a.id AND state NOT IN ('returned', 'lost', 'faulty')) AS items,
                   (SELECT \(pairs("check_id", "status", postgres: postgres)) FROM check_states
                    WHERE agent_id = a.id) AS states
            FROM agents a \(from) ORDER BY a.employee_id
            """
        var page: [ReadinessExportRow] = []
        let decodedByPosition = try await store.forEachPostgresRow(query) { row in
            let (id, employeeId, name, roleId, siteId, campaignId, teamId, lastReportAt, verdict, reason, source,
                 items, states) = try row.decode(
                    (String, String, String, String?, String?, String?, String?, Int64?, String?, String?, String?,
                     String?, String?).self)
            page.append(
                ReadinessExportRow(
                    id: id, employeeId: employeeId, name: name, roleId: roleId, siteId: siteId, campaignId: campaignId,
                    teamId: teamId, lastReportAt: lastReportAt.map(Clock.date),
                    lastVerdict: verdict.flatMap(Verdict.init(rawValue:)), lastVerdictReason: reason,
                    evidence: source.flatMap(ReportSource.init(rawValue:)), items: items, states: states))
        }
        guard !decodedByPosition else { return page }
        for row in try await store.withConnection({ db in try await db.raw(query).all() }) {
            page.append(
                ReadinessExportRow(
                    id: try row.string("id"), employeeId: try row.string("employee_id"), name: try row.string("name"),
                    roleId: try row.optionalString("role_id"), siteId: try row.optionalString("site_id"),
                    campaignId: try row.optionalString("campaign_id"), teamId: try row.optionalString("team_id"),
                    lastReportAt: try row.optionalDate("last_report_at"),
                    lastVerdict: try row.optionalString("last_verdict").flatMap(Verdict.init(rawValue:)),
                    lastVerdictReason: try row.optionalString("last_verdict_reason"),
                    evidence: try row.optionalString("last_report_source").flatMap(ReportSource.init(rawValue:)),
                    items: try row.optionalString("items"), states: try row.optionalString("states")))
        }
        return page
    }

    /// The CSV rows of `page`, each agent judged with the planners' rules (`Readiness.evaluate`).
    static func readinessCSV(_ page: [ReadinessExportRow], checkIds: [String], context: ReadinessExportContext, now: Date)
        -> String
    {
        var out = ""
        let columns = Dictionary(checkIds.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        var states = [String](repeating: "", count: checkIds.count)
        for agent in page {
            let items = agent.items.map {
                splitPairs($0).map { (kind: $0.key, state: EquipmentState(rawValue: $0.value) ?? .requested) }
            }
            let input = ReadinessInput(
                requiredKinds: agent.roleId.flatMap { context.kits[$0] } ?? [], items: items ?? [],
                lastReportAt: agent.lastReportAt, lastVerdict: agent.lastVerdict,
                lastVerdictReason: agent.lastVerdictReason,
                freshnessHours: agent.campaignId.flatMap { context.freshnessHours[$0] } ?? 72,
                evidence: agent.evidence)
            let (status, reasons) = Readiness.evaluate(input, now: now)
            // Each check's last status in its column; a check reported twice keeps its last pair.
            for index in states.indices { states[index] = "" }
            for pair in agent.states.map(splitPairs) ?? [] {
                if let index = columns[pair.key] { states[index] = pair.value }
            }
            CSV.append(
                [agent.employeeId, agent.name, context.names.site(agent.siteId),
                 context.names.campaign(agent.campaignId), context.names.team(agent.teamId), status.rawValue,
                 input.evidence?.rawValue ?? "", reasons.map(\.code).joined(separator: ";"),
                 reasons.map(\.message).joined(separator: "; ")] + states, to: &out)
        }
        return out
    }

    /// What the readiness export looks up by id instead of joining per agent: the names of sites, campaigns and
    /// teams, each campaign's freshness window and each role's kit.
    struct ReadinessExportContext: Sendable {
        var names: ScopeNames
        var freshnessHours: [String: Int]
        var kits: [String: [String]]

        static func read(on db: any SQLDatabase) async throws -> ReadinessExportContext {
            var freshness: [String: Int] = [:]
            for row in try await db.raw("SELECT id, freshness_hours FROM campaigns").all() {
                freshness[try row.string("id")] = Int(try row.decode(column: "freshness_hours", as: Int64.self))
            }
            var kits: [String: [String]] = [:]
            for row in try await db.raw("SELECT role_id, kind FROM role_kit ORDER BY role_id, kind").all() {
                kits[try row.string("role_id"), default: []].append(try row.string("kind"))
            }
            return ReadinessExportContext(names: try await ScopeNames.read(on: db), freshnessHours: freshness, kits: kits)
        }
    }

    /// An aggregate joining a group's `key` and `value` columns into one text, pairs apart by the unit separator
    /// (U+001F) and key from value by the record separator (U+001E): characters no check id, status or kind holds.
    static func pairs(_ key: String, _ value: String, postgres: Bool) -> SQLQueryString {
        postgres
            ? "string_agg(\(ident: key) || chr(30) || \(ident: value), chr(31))"
            : "GROUP_CONCAT(\(ident: key) || char(30) || \(ident: value), char(31))"
    }

    /// The (key, value) pairs of a `pairs` aggregate, in its order. Split by byte: both separators are ASCII, and
    /// splitting by Character (grapheme clusters) took a third of the export.
    static func splitPairs(_ text: String) -> [(key: String, value: String)] {
        var pairs: [(key: String, value: String)] = []
        var text = text
        text.withUTF8 { bytes in
            var start = 0
            var middle: Int?
            for index in 0...bytes.count {
                if index == bytes.count || bytes[index] == 0x1F {
                    if index > start {
                        let end = middle ?? index
                        let value = end < index ? String(decoding: bytes[(end + 1)..<index], as: UTF8.self) : ""
                        pairs.append((String(decoding: bytes[start..<end], as: UTF8.self), value))
                    }
                    start = index + 1
                    middle = nil
                } else if bytes[index] == 0x1E, middle == nil {
                    middle = index
                }
            }
        }
        return pairs
    }

    /// Every equipment item as CSV, in pages of `exportPageSize`: the items without an asset tag first (by id),
    /// then the tagged ones by tag, on both databases (each page one indexed range read).
    public func exportEquipmentCSV(emit: (String) async throws -> Void) async throws {
        try await exportEquipmentCSV(pageSize: Self.exportPageSize, emit: emit)
    }

    func exportEquipmentCSV(pageSize: Int, emit: (String) async throws -> Void) async throws {
        try await emit(
            CSV.line([
                "asset_tag", "kind", "model", "serial", "employee_id", "state", "carrier", "tracking_number",
                "shipped_at", "delivered_at",
            ]))
        let store = self.store
        for tagged in [false, true] {
            try await Self.readPagesAhead(
                pageEnd: { after in try await Self.equipmentPageEnd(tagged: tagged, after: after, size: pageSize, in: store) },
                read: { after, through in
                    try await Self.equipmentPage(tagged: tagged, after: after, through: through, in: store)
                },
                isEmpty: \.isEmpty
            ) { rows in
                try await emit(Self.equipmentCSV(rows))
            }
        }
    }

    /// An item as the equipment export writes it.
    struct EquipmentExportRow: Sendable {
        var assetTag: String?
        var kind: String
        var model, serial, employeeId: String?
        var state: String
        var carrier, trackingNumber: String?
        var shippedAt, deliveredAt: Int64?
    }

    /// Which items a page of the equipment export holds and by what key they go: the untagged ones by id, the
    /// tagged ones by tag. `(asset_tag || '') IS NULL` keeps SQLite on the primary key for the untagged pages:
    /// with a plain `asset_tag IS NULL` it reads every untagged item through the tag index and sorts them, for
    /// every page.
    static func equipmentRange(tagged: Bool) -> (filter: SQLQueryString, key: SQLQueryString) {
        tagged ? ("e.asset_tag IS NOT NULL", "e.asset_tag") : ("(e.asset_tag || '') IS NULL", "e.id")
    }

    /// The key of the `size`th item after `after`: the last of the equipment export's page that starts there, or
    /// nil when fewer are left.
    static func equipmentPageEnd(tagged: Bool, after: String?, size: Int, in store: SQLStore) async throws -> String? {
        let (filter, key) = equipmentRange(tagged: tagged)
        let from: SQLQueryString = after.map { " AND \(key) > \(bind: $0)" } ?? ""
        return try await store.withConnection { db in
            try await db.raw(
                """
                SELECT \(key) AS page_end FROM equipment_items e WHERE \(filter)\(from)
                ORDER BY \(key) LIMIT 1 OFFSET \(literal: size - 1)
                """
            ).first()?.string("page_end")
        }
    }

    /// One page of the equipment export: the untagged items after an id up to another, or the tagged ones after a
    /// tag up to another (to the end when `through` is nil). The employee id is a lookup per row of the page:
    /// joined, PostgreSQL hashed every agent for every page. PostgreSQL's rows are decoded by position.
    static func equipmentPage(tagged: Bool, after: String?, through: String?, in store: SQLStore) async throws
        -> [EquipmentExportRow]
    {
        let (filter, key) = equipmentRange(tagged: tagged)
        var range = filter
        if let after { range = range + " AND \(key) > \(bind: after)" }
        if let through { range = range + " AND \(key) <= \(bind: through)" }
        let query: SQLQueryString = """
            SELECT e.asset_tag, e.kind, e.model, e.serial,
                   (SELECT a.employee_id FROM agents a WHERE a.id = e.agent_id) AS employee_id,
                   e.state, e.carrier, e.tracking_number, e.shipped_at, e.delivered_at
            FROM equipment_items e
            WHERE \(range) ORDER BY \(key)
            """
        var rows: [EquipmentExportRow] = []
        let decodedByPosition = try await store.forEachPostgresRow(query) { row in
            let (assetTag, kind, model, serial, employeeId, state, carrier, trackingNumber, shippedAt, deliveredAt) =
                try row.decode(
                    (String?, String, String?, String?, String?, String, String?, String?, Int64?, Int64?).self)
            rows.append(
                EquipmentExportRow(
                    assetTag: assetTag, kind: kind, model: model, serial: serial, employeeId: employeeId, state: state,
                    carrier: carrier, trackingNumber: trackingNumber, shippedAt: shippedAt, deliveredAt: deliveredAt))
        }
        guard !decodedByPosition else { return rows }
        for row in try await store.withConnection({ db in try await db.raw(query).all() }) {
            rows.append(
                EquipmentExportRow(
                    assetTag: try row.optionalString("asset_tag"), kind: try row.string("kind"),
                    model: try row.optionalString("model"), serial: try row.optionalString("serial"),
                    employeeId: try row.optionalString("employee_id"), state: try row.string("state"),
                    carrier: try row.optionalString("carrier"), trackingNumber: try row.optionalString("tracking_number"),
                    shippedAt: try row.optionalInt64("shipped_at"), deliveredAt: try row.optionalInt64("delivered_at")))
        }
        return rows
    }

    /// The CSV lines of a page of the equipment export, times in ISO 8601.
    static func equipmentCSV(_ rows: [EquipmentExportRow]) -> String {
        let format = ISO8601DateFormatter()
        var out = ""
        for row in rows {
            CSV.append(
                [
                    row.assetTag ?? "", row.kind, row.model ?? "", row.serial ?? "", row.employeeId ?? "", row.state,
                    row.carrier ?? "", row.trackingNumber ?? "", row.shippedAt.map { format.string(from: Clock.date($0)) } ?? "",
                    row.deliveredAt.map { format.string(from: Clock.date($0)) } ?? "",
                ], to: &out)
        }
        return out
    }
}
