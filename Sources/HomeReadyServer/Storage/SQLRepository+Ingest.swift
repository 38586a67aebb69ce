import Crypto
import Foundation
import HomeReadyModel
import SQLKit

/// A report waiting in the ingest lane. A class that never changes: a batch passes each write through several
/// filtered lists, and a copy is one reference rather than a dozen.
final class ReportWrite: Sendable {
    let report: ReportEnvelope
    let body: String
    let agentId: String
    /// The enrolled device that sent it (nil for an admin upload); a revoked device's report is not stored.
    let deviceId: String?
    /// The device's signature, kept with the report (`reports.signature`) so it can be verified again later.
    let signature: String?
    /// Equipment kinds the report proves present: the agent's delivered or accepted items of these kinds are
    /// verified in the same transaction as the report.
    let presentKinds: Set<String>
    /// The agent's own verdict and the server's reason, when the server judged the report (`report.verdict` is
    /// then the server's).
    let judgement: StoredJudgement?
    let at: Date
    /// The report's checks, each with its latest status (a report may repeat an id; the last one counts).
    let checks: [(id: String, status: FindingStatus)]
    /// Names the report's check ids, in the order it lists them (`agents.checks_digest`): while it stays the same
    /// from one report to the next, only the checks whose status changed are written. (A report listing the same
    /// checks in another order counts as a new set: all its checks are written, which is only more work.)
    let checksDigest: String
    /// Names the report's checks with their statuses (`agents.checks_statuses`): when it is the same as the agent's
    /// latest report's, no check state changes and none is written.
    let statusesDigest: String

    /// The report's id as stored (lower case), worked out once: a batch looks it up several times per report.
    let reportId: String
    /// The report's source (`cli` unless the server judged it as a browser report).
    var source: ReportSource { judgement?.source ?? .cli }

    init(
        report: ReportEnvelope, body: String, agentId: String, deviceId: String?, signature: String?,
        presentKinds: Set<String>, judgement: StoredJudgement? = nil, at: Date
    ) {
        self.report = report
        reportId = report.reportID.uuidString.lowercased()
        self.body = body
        self.agentId = agentId
        self.deviceId = deviceId
        self.signature = signature
        self.presentKinds = presentKinds
        self.judgement = judgement
        self.at = at
        var checks: [(id: String, status: FindingStatus)] = []
        checks.reserveCapacity(report.findings.count)
        var counted = Set<String>()
        // 128 bits of SHA-256 over the ids (and statuses), each line ended by a newline, fed as they come.
        var ids = SHA256(), statuses = SHA256()
        // Each part is fed as it is rather than joined into a line first (two allocations per finding).
        for finding in report.findings.reversed() where counted.insert(finding.id).inserted {
            checks.append((finding.id, finding.status))
            var id = finding.id, status = finding.status.rawValue
            id.withUTF8 { bytes in
                ids.update(bufferPointer: UnsafeRawBufferPointer(bytes))
                statuses.update(bufferPointer: UnsafeRawBufferPointer(bytes))
            }
            withUnsafeBytes(of: UInt8(ascii: "\n")) { ids.update(bufferPointer: $0) }
            withUnsafeBytes(of: UInt8(ascii: "\t")) { statuses.update(bufferPointer: $0) }
            status.withUTF8 { statuses.update(bufferPointer: UnsafeRawBufferPointer($0)) }
            withUnsafeBytes(of: UInt8(ascii: "\n")) { statuses.update(bufferPointer: $0) }
        }
        self.checks = checks
        checksDigest = ids.finalize().prefix(16).hexEncoded
        statusesDigest = statuses.finalize().prefix(16).hexEncoded
    }

    /// The report as a JSON row `[agent_id, finished_at, verdict, checks_digest, checks_statuses, reason, source]`
    /// of `SQLRepository.latestTable`.
    func latestRow() -> String {
        let reason = judgement?.reason.map(JSONText.quoted) ?? "null"
        return "[\(JSONText.quoted(agentId)),\(Clock.millis(report.finishedAt)),\"\(report.verdict.rawValue)\","
            + "\"\(checksDigest)\",\"\(statusesDigest)\",\(reason),\"\(source.rawValue)\"]"
    }

    /// The report's check states as JSON rows `[agent_id, check_id, status, first_failed_at, last_passed_at,
    /// last_seen_at, checks_digest]`, comma-separated. Built on the write lane, only for a report whose check
    /// states change.
    func checkStateRows() -> String {
        let seen = String(Clock.millis(report.finishedAt))
        let agent = JSONText.quoted(agentId)
        let digest = "\"" + checksDigest + "\""
        return checks.map { id, status in
            "[\(agent),\(JSONText.quoted(id)),\"\(status.rawValue)\",\(status == .fail ? seen : "null"),\(status == .pass ? seen : "null"),\(seen),\(digest)]"
        }.joined(separator: ",")
    }
}

/// What ingestion did with one report.
public enum IngestOutcome: Sendable, Equatable {
    /// Stored; with the agent's items the report proved present, moved to verified in the same transaction.
    case stored(verifiedEquipment: [EquipmentRecord])
    /// The report id was already stored: nothing changed.
    case duplicate
    /// The sending device was revoked before the report reached the database: nothing changed.
    case deviceRevoked

    public var inserted: Bool {
        if case .stored = self { return true }
        return false
    }
}

extension SQLRepository {
    /// Stores a report (admin upload or device) through the ingest lane, turning constraint violations into
    /// storage errors that name `report_id`.
    func ingest(_ write: ReportWrite) async throws -> IngestOutcome {
        do {
            return try await reportLane.run(write)
        } catch let error as StorageError {
            throw error
        } catch {
            throw Self.constraintViolation(error, field: "report_id") ?? error
        }
    }

    public func ingest(
        _ report: ReportEnvelope, body: String, agentId: String, deviceId: String?, judgement: StoredJudgement?,
        at: Date
    ) async throws -> Bool {
        try await ingest(
            ReportWrite(
                report: report, body: body, agentId: agentId, deviceId: deviceId, signature: nil, presentKinds: [],
                judgement: judgement, at: at)
        ).inserted
    }

    /// Writes a batch of reports as sets: per round one multi-row statement each for the reports (with their
    /// signatures), the agents' last verdicts and the check states, instead of a handful of statements per report.
    ///
    /// A round holds each report id and each agent at most once, so every statement sees one row per key and
    /// reports of one agent apply in arrival order; a batch is nearly always a single round.
    static func write(_ writes: [ReportWrite], on db: any SQLDatabase) async throws -> [IngestOutcome] {
        var outcomes = [IngestOutcome](repeating: .duplicate, count: writes.count)
        let revoked = try await revokedDevices(Set(writes.compactMap(\.deviceId)), on: db)
        var pending = writes.indices.filter { index in
            guard let device = writes[index].deviceId, revoked.contains(device) else { return true }
            outcomes[index] = .deviceRevoked
            return false
        }
        while !pending.isEmpty {
            var round: [Int] = [], later: [Int] = []
            var agents = Set<String>(), reportIds = Set<String>()
            for index in pending {
                let write = writes[index]
                if agents.contains(write.agentId) || reportIds.contains(write.reportId) {
                    later.append(index)
                } else {
                    agents.insert(write.agentId)
                    reportIds.insert(write.reportId)
                    round.append(index)
                }
            }
            let stored = try await writeRound(round.map { writes[$0] }, on: db)
            for (index, outcome) in zip(round, stored) { outcomes[index] = outcome }
            pending = later
        }
        return outcomes
    }

    /// Writes reports with distinct ids and agents; returns each one's outcome.
    private static func writeRound(_ writes: [ReportWrite], on db: any SQLDatabase) async throws -> [IngestOutcome] {
        let insertedIds = try await insertReports(writes, on: db)
        let stored = writes.filter { insertedIds.contains($0.reportId) }
        guard !stored.isEmpty else { return writes.map { _ in .duplicate } }
        let before = try await latestReports(of: stored, on: db)
        // A browser report the agent's campaign does not accept is kept in the history, but leaves an agent whose
        // readiness rests on a full check as it was (verdict, check states, equipment).
        let evidence = stored.filter { write in
            write.judgement?.sourceCounts != false || before[write.agentId]?.source != .cli
        }
        guard !evidence.isEmpty else {
            return writes.map { insertedIds.contains($0.reportId) ? .stored(verifiedEquipment: []) : .duplicate }
        }
        try await enqueueNotReady(evidence, before: before, on: db)
        // Readiness by the planners' rules before and after the round, only while a webhook listens for changes.
        let now = evidence.map(\.at).max() ?? Date()
        let readinessBefore = try await readinessForChanges(of: Set(evidence.map(\.agentId)), now: now, on: db)
        // The same for agents whose campaign escalates `agent_regressed` (issue 20), only while one does.
        let escalationBefore = try await readinessForEscalations(of: Set(evidence.map(\.agentId)), now: now, on: db)
        // Check states before the agents: they compare each report with the agent's latest one. A report older
        // than that one, or with the same checks and statuses, changes no check state.
        let changing = evidence.filter { write in
            guard let latest = before[write.agentId], let at = latest.at else { return true }
            return Clock.millis(write.report.finishedAt) >= at && latest.statuses != write.statusesDigest
        }
        if !changing.isEmpty {
            try await settleCheckStates(changing, on: db)
            try await upsertCheckStates(changing, on: db)
        }
        try await updateLastVerdicts(evidence, on: db)
        let verified = try await verifyEquipment(provenBy: evidence, on: db)
        if let readinessBefore {
            try await enqueueReadinessChanges(evidence, before: readinessBefore, now: now, on: db)
        }
        if let escalationBefore {
            try await escalateReadinessChanges(evidence, before: escalationBefore, now: now, on: db)
        }
        return writes.map { write in
            guard insertedIds.contains(write.reportId) else { return .duplicate }
            return .stored(verifiedEquipment: verified[write.reportId, default: []])
        }
    }

    /// Moves the delivered or accepted items each stored report proves present to verified, through the lifecycle
    /// (audited with the sending device as actor) in the batch's own transaction; returns the items moved, by
    /// report id. An item another writer moved first is left as it is.
    private static func verifyEquipment(provenBy writes: [ReportWrite], on db: any SQLDatabase) async throws
        -> [String: [EquipmentRecord]]
    {
        let items = try await equipmentToVerify(writes, on: db)
        var verified: [String: [EquipmentRecord]] = [:]
        for write in writes where !write.presentKinds.isEmpty {
            let event = EquipmentEvent(.verify, note: "seen by report \(write.reportId)")
            let actor = write.deviceId.map { "device:\($0)" } ?? "report"
            for item in items[write.agentId, default: []] where write.presentKinds.contains(item.kind) {
                do {
                    verified[write.reportId, default: []].append(
                        try await applyEvent(itemId: item.id, event: event, actor: actor, at: write.at, on: db))
                } catch let error as StorageError where error.kind == .impossibleTransition {
                    continue
                }
            }
        }
        return verified
    }

    private static func revokedDevices(_ ids: Set<String>, on db: any SQLDatabase) async throws -> Set<String> {
        guard !ids.isEmpty else { return [] }
        let rows = try await db.raw(
            "SELECT id FROM devices WHERE id IN (\(binds: ids.sorted())) AND revoked_at IS NOT NULL"
        ).all()
        return Set(try rows.map { try $0.string("id") })
    }

    /// Inserts the reports not stored yet; returns the ids inserted.
    private static func insertReports(_ writes: [ReportWrite], on db: any SQLDatabase) async throws -> Set<String> {
        var inserted = Set<String>()
        for chunk in writes.chunked(by: 500) {
            let rows: [SQLQueryString] = chunk.map { write in
                let report = write.report
                return """
                    (\(bind: write.reportId), \(bind: write.agentId), \(bind: write.deviceId), \(millis: report.startedAt),
                     \(millis: report.finishedAt), \(millis: write.at), \(bind: report.verdict.rawValue),
                     \(bind: report.profile.id), \(literal: report.profile.version), \(bind: write.body),
                     \(bind: write.deviceId == nil ? nil : write.signature),
                     \(bind: write.judgement?.claimedVerdict.rawValue), \(bind: write.judgement?.reason),
                     \(bind: write.source.rawValue))
                    """
            }
            let returned = try await db.raw(
                """
                INSERT INTO reports (report_id, agent_id, device_id, started_at, finished_at, received_at, verdict,
                                     profile_id, profile_version, body, signature, claimed_verdict, verdict_reason,
                                     source)
                VALUES \(rows.joined(separator: ", "))
                ON CONFLICT (report_id) DO NOTHING
                RETURNING report_id
                """
            ).all()
            for row in returned { inserted.insert(try row.string("report_id")) }
        }
        return inserted
    }

    /// What an agent's latest stored report was when a round began.
    struct LatestReport {
        var at: Int64?
        var verdict: Verdict?
        /// `agents.checks_statuses`: its checks and their statuses (`ReportWrite.statusesDigest`).
        var statuses: String?
        /// `agents.last_report_source`: the evidence the agent's readiness rests on.
        var source: ReportSource?
    }

    /// The latest report of each agent of the round, read before the round changes it. On PostgreSQL the agents'
    /// rows are locked until the commit (`FOR NO KEY UPDATE`, the lock the round's `UPDATE agents` takes anyway,
    /// which the reports' foreign-key checks do not conflict with), so another instance's batch cannot change them
    /// in between.
    private static func latestReports(of writes: [ReportWrite], on db: any SQLDatabase) async throws
        -> [String: LatestReport]
    {
        let lock: SQLQueryString = db.dialect.name == "postgresql" ? " FOR NO KEY UPDATE" : ""
        let rows = try await db.raw(
            """
            SELECT id, last_report_at, last_verdict, checks_statuses, last_report_source FROM agents
            WHERE id IN (\(binds: Set(writes.map(\.agentId)).sorted()))\(lock)
            """
        ).all()
        var latest: [String: LatestReport] = [:]
        for row in rows {
            latest[try row.string("id")] = LatestReport(
                at: try row.optionalInt64("last_report_at"),
                verdict: try row.optionalString("last_verdict").flatMap(Verdict.init(rawValue:)),
                statuses: try row.optionalString("checks_statuses"),
                source: try row.optionalString("last_report_source").flatMap(ReportSource.init(rawValue:)))
        }
        return latest
    }

    /// Queues `agent.not_ready` for each failing report whose agent's previous verdict passed (or had none).
    private static func enqueueNotReady(
        _ writes: [ReportWrite], before previous: [String: LatestReport], on db: any SQLDatabase
    ) async throws {
        let failing = writes.filter { !$0.report.verdict.passes }
        guard !failing.isEmpty else { return }
        let subscribers = try await Self.subscribers(of: .agentNotReady, on: db)
        guard !subscribers.isEmpty else { return }
        for write in failing {
            let seen = Clock.millis(write.report.finishedAt)
            let before = previous[write.agentId]
            let wasPassing = (before?.at.map { $0 <= seen } ?? true) && (before?.verdict?.passes ?? true)
            guard wasPassing else { continue }
            let report = write.report
            try await Self.enqueue(
                .agentNotReady,
                data: NotReadyEvent(
                    agentId: write.agentId, employeeId: report.employeeID, reportId: write.reportId,
                    verdict: report.verdict,
                    failed: report.findings.filter { $0.status == .fail || $0.status == .error }.map(\.id)),
                at: write.at, subscribers: subscribers, on: db)
        }
    }

    /// The reports as a `latest` table `(id, seen, verdict, digest, statuses, reason, source)`: the agent, when
    /// the report finished, its verdict, its set of checks, its checks with their statuses, why it cannot count
    /// (when it cannot) and its source.
    ///
    /// The rows travel as one JSON array in one parameter (`JSONRows`, `ReportWrite.latestRow`).
    private static func latestTable(_ writes: [ReportWrite], on db: any SQLDatabase) -> SQLQueryString {
        let source = JSONRows.source(writes.map { $0.latestRow() }, on: db)
        return """
            WITH latest (id, seen, verdict, digest, statuses, reason, source) AS (
                SELECT entry.value ->> 0, CAST(entry.value ->> 1 AS BIGINT), entry.value ->> 2, entry.value ->> 3,
                       entry.value ->> 4, entry.value ->> 5, entry.value ->> 6
                FROM \(source))
            """
    }

    /// Before an agent's set of checks changes, writes down the times its current checks have only implied
    /// (`current_check_states`): a check the new set leaves out keeps when it was last seen and last passed.
    private static func settleCheckStates(_ writes: [ReportWrite], on db: any SQLDatabase) async throws {
        try await db.raw(
            """
            \(latestTable(writes, on: db))
            UPDATE check_states SET last_seen_at = a.last_report_at,
                last_passed_at = CASE WHEN check_states.status = 'pass' THEN a.last_report_at
                                      ELSE check_states.last_passed_at END
            FROM agents a, latest
            WHERE latest.id = a.id AND check_states.agent_id = a.id AND a.checks_digest <> latest.digest
              AND latest.seen >= a.last_report_at AND check_states.last_seen_at >= a.checks_since
            """
        ).run()
    }

    /// Sets each agent's last report time, verdict and set of checks, unless a newer report is already recorded.
    /// A new set of checks starts at this report (`checks_since`).
    private static func updateLastVerdicts(_ writes: [ReportWrite], on db: any SQLDatabase) async throws {
        try await db.raw(
            """
            \(latestTable(writes, on: db))
            UPDATE agents SET last_report_at = latest.seen, last_verdict = latest.verdict,
                last_verdict_reason = latest.reason, last_report_source = latest.source,
                checks_since = CASE WHEN agents.checks_digest = latest.digest THEN agents.checks_since
                                    ELSE latest.seen END,
                checks_digest = latest.digest, checks_statuses = latest.statuses
            FROM latest
            WHERE agents.id = latest.id AND (agents.last_report_at IS NULL OR agents.last_report_at <= latest.seen)
            """
        ).run()
    }

    /// Records each check's status: when it first started failing and when it last passed.
    ///
    /// One statement with one parameter: the rows travel as a JSON array (`JSONRows`, `ReportWrite.checkStateRows`).
    ///
    /// Only what changed is written. A report older than the agent's latest one changes nothing. When a report
    /// has the same set of checks as the agent's latest one (`agents.checks_digest`), a check whose status did
    /// not change is left alone: its times move with the agent's `last_report_at` (`current_check_states`), so a
    /// steady agent's report writes no check state at all. A new set of checks writes all of them.
    private static func upsertCheckStates(_ writes: [ReportWrite], on db: any SQLDatabase) async throws {
        let rows = writes.map { $0.checkStateRows() }.filter { !$0.isEmpty }
        guard !rows.isEmpty else { return }
        let source = JSONRows.source(rows, on: db)
        try await db.raw(
            """
            INSERT INTO check_states (agent_id, check_id, status, first_failed_at, last_passed_at, last_seen_at)
            SELECT entry.value ->> 0, entry.value ->> 1, entry.value ->> 2, CAST(entry.value ->> 3 AS BIGINT),
                   CAST(entry.value ->> 4 AS BIGINT), CAST(entry.value ->> 5 AS BIGINT)
            FROM \(source) JOIN agents a ON a.id = entry.value ->> 0
            WHERE (a.last_report_at IS NULL OR CAST(entry.value ->> 5 AS BIGINT) >= a.last_report_at)
              AND NOT (a.checks_digest IS NOT NULL AND a.checks_digest = entry.value ->> 6 AND EXISTS (
                  SELECT 1 FROM check_states unchanged
                  WHERE unchanged.agent_id = a.id AND unchanged.check_id = entry.value ->> 1
                    AND unchanged.status = entry.value ->> 2))
            ON CONFLICT (agent_id, check_id) DO UPDATE SET
                status = excluded.status,
                first_failed_at = CASE
                    WHEN excluded.status = 'fail' THEN
                        CASE WHEN check_states.status = 'fail' AND check_states.first_failed_at IS NOT NULL
                             THEN check_states.first_failed_at ELSE excluded.last_seen_at END
                    WHEN excluded.status = 'pass' THEN NULL
                    ELSE check_states.first_failed_at END,
                last_passed_at = CASE
                    WHEN excluded.status = 'pass' THEN excluded.last_seen_at
                    WHEN check_states.status = 'pass' THEN COALESCE(
                        (SELECT a.last_report_at FROM agents a
                         WHERE a.id = check_states.agent_id AND a.checks_since IS NOT NULL
                           AND check_states.last_seen_at >= a.checks_since),
                        check_states.last_passed_at)
                    ELSE check_states.last_passed_at END,
                last_seen_at = excluded.last_seen_at
            WHERE excluded.last_seen_at >= check_states.last_seen_at
            """
        ).run()
    }

    /// The delivered or accepted items of the agents whose reports show equipment present, by agent.
    private static func equipmentToVerify(_ writes: [ReportWrite], on db: any SQLDatabase) async throws
        -> [String: [EquipmentRecord]]
    {
        let agents = Set(writes.filter { !$0.presentKinds.isEmpty }.map(\.agentId))
        guard !agents.isEmpty else { return [:] }
        let items = try await db.raw(
            """
            SELECT \(Self.itemColumns) FROM equipment_items
            WHERE agent_id IN (\(binds: agents.sorted())) AND state IN ('delivered', 'accepted')
            ORDER BY id
            """
        ).all().map(Self.item)
        return Dictionary(grouping: items) { $0.agentId ?? "" }
    }
}

extension Array {
    /// Consecutive slices of at most `size` elements.
    func chunked(by size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
