import Foundation
import HomeReadyModel
import Hummingbird
import SQLKit

/// A campaign's escalation policy as stored, with when and by whom it was last set.
struct StoredEscalationPolicy: Sendable, Equatable {
    var policy: EscalationPolicy
    var updatedAt: Date
    var updatedBy: String?
}

/// What `raiseEscalation` did.
public enum RaiseOutcome: Sendable, Equatable {
    /// A new escalation (incident) with this id; the agent step ran if it is due at once.
    case raised(id: String)
    /// An escalation for the same event and agent is already open (or acknowledged): nothing new.
    case alreadyOpen(id: String)
    /// The agent's campaign has no policy, or its policy does not list the event: nothing raised.
    case notInPolicy
    /// No agent with that id.
    case unknownAgent
}

/// What acknowledging or resolving did.
enum EscalationChange: Sendable, Equatable {
    case changed
    /// Already in that state (or resolved, for an acknowledgement).
    case unchanged(status: String)
    case notFound
}

/// An escalation (incident) as the API shows it.
struct EscalationRecord: Codable, Sendable, Equatable, ResponseEncodable {
    struct Step: Codable, Sendable, Equatable {
        var position: Int
        var role: String
        var dueAt: Date
        /// `pending`, `claimed` (being sent), `sent`, `failed` or `cancelled`.
        var state: String
        /// Set when quiet hours moved the step (its `due_at` is then their end).
        var heldUntil: Date?
    }

    /// One audited step: `raised`, `agent_told`, `escalated`, `message_sent`, `message_failed`, `no_contact`,
    /// `held_quiet_hours`, `acknowledged`, `resolved`.
    struct Event: Codable, Sendable, Equatable {
        var at: Date
        var kind: String
        var actor: String?
        var recipient: String?
        var detail: String?
    }

    var id: String
    var campaignId: String
    var agentId: String
    var employeeId: String
    var agentName: String
    var event: String
    var severity: String
    /// `open`, `acknowledged` or `resolved`.
    var status: String
    var detail: String
    var subjectId: String?
    var raisedAt: Date
    var acknowledgedAt: Date?
    var acknowledgedBy: String?
    var resolvedAt: Date?
    var resolvedBy: String?
    var steps: [Step]?
    var events: [Event]?
}

/// A step whose time has come, with what the engine needs to carry it out.
struct DueEscalationStep: Sendable, Equatable {
    var escalationId: String
    var position: Int
    var role: EscalationRole
    var dueAt: Date
    var groupIntervalMinutes: Int
    var campaignId: String
    var agentId: String
    var employeeId: String
    var agentName: String
    var event: EscalationEvent
    var severity: EscalationSeverity
    var detail: String
    var raisedAt: Date
}

extension SQLRepository {
    // MARK: Policies

    func escalationPolicy(campaignId: String) async throws -> StoredEscalationPolicy? {
        try await store.withConnection { db in
            try await Self.escalationPolicy(campaignId: campaignId, on: db)
        }
    }

    static func escalationPolicy(campaignId: String, on db: any SQLDatabase) async throws -> StoredEscalationPolicy? {
        guard
            let row = try await db.raw(
                """
                SELECT policy, updated_at, updated_by FROM escalation_policies WHERE campaign_id = \(bind: campaignId)
                """
            ).all().first
        else { return nil }
        let policy = try JSONDecoder().decode(EscalationPolicy.self, from: Data(try row.string("policy").utf8))
        return StoredEscalationPolicy(
            policy: policy, updatedAt: try row.date("updated_at"), updatedBy: try row.optionalString("updated_by"))
    }

    /// Every campaign's policy, by campaign id.
    func escalationPolicies() async throws -> [String: EscalationPolicy] {
        try await store.withConnection { db in
            var policies: [String: EscalationPolicy] = [:]
            for row in try await db.raw("SELECT campaign_id, policy FROM escalation_policies").all() {
                policies[try row.string("campaign_id")] = try JSONDecoder().decode(
                    EscalationPolicy.self, from: Data(try row.string("policy").utf8))
            }
            return policies
        }
    }

    func setEscalationPolicy(campaignId: String, _ policy: EscalationPolicy, actor: String, at: Date) async throws {
        let json = String(decoding: try JSONEncoder().encode(policy), as: UTF8.self)
        try await writing(field: "campaign_id") { db in
            try await db.raw(
                """
                INSERT INTO escalation_policies (campaign_id, policy, updated_at, updated_by)
                VALUES (\(bind: campaignId), \(bind: json), \(millis: at), \(bind: actor))
                ON CONFLICT (campaign_id) DO UPDATE SET policy = excluded.policy, updated_at = excluded.updated_at,
                    updated_by = excluded.updated_by
                """
            ).run()
        }
    }

    // MARK: Contacts

    /// Stores the supervisor, coordinator and director a roster row names for the agent (inside the import's
    /// transaction). A role the row leaves empty keeps what an earlier import stored.
    static func storeEscalationContacts(_ row: RosterRow, agentId: String, on db: any SQLDatabase) async throws {
        for contact in row.contacts {
            try await db.raw(
                """
                INSERT INTO agent_contacts (agent_id, role, name, email, chat_webhook, language)
                VALUES (\(bind: agentId), \(bind: contact.role), \(bind: contact.name), \(bind: contact.email),
                        \(bind: contact.chatWebhook?.absoluteString), \(bind: contact.language))
                ON CONFLICT (agent_id, role) DO UPDATE SET name = excluded.name, email = excluded.email,
                    chat_webhook = excluded.chat_webhook, language = excluded.language
                """
            ).run()
        }
    }

    /// The agent's supervisor, coordinator and director (those the roster named).
    func escalationContacts(agentId: String) async throws -> [EscalationRole: Recipient] {
        try await store.withConnection { db in
            var contacts: [EscalationRole: Recipient] = [:]
            let rows = try await db.raw(
                "SELECT role, name, email, chat_webhook, language FROM agent_contacts WHERE agent_id = \(bind: agentId)"
            ).all()
            for row in rows {
                guard let role = EscalationRole(rawValue: try row.string("role")) else { continue }
                contacts[role] = Recipient(
                    role: role.rawValue, name: try row.string("name"), email: try row.optionalString("email"),
                    chatWebhook: try row.optionalString("chat_webhook").flatMap(URL.init(string:)),
                    language: try row.optionalString("language"))
            }
            return contacts
        }
    }

    // MARK: Raising and closing

    /// Raises an escalation for `event` and the agent, if the agent's campaign policy lists the event and none is
    /// open for the same event and agent (one open incident per event and agent). The agent's step, when due at
    /// once, puts a `message` instruction for the agent in the same transaction. `severity` overrides the policy's.
    ///
    /// The drills call this for `drill_unanswered` (`subjectId`: the drill's id).
    public func raiseEscalation(
        event: EscalationEvent, agentId: String, detail: String, subjectId: String? = nil,
        severity: EscalationSeverity? = nil, now: Date = Date()
    ) async throws -> RaiseOutcome {
        let outcome = try await writing(field: nil) { db in
            try await Self.raiseEscalation(
                event: event, agentId: agentId, detail: detail, subjectId: subjectId, severity: severity, now: now,
                on: db)
        }
        if case .raised(let id) = outcome {
            logger.info(
                "escalation.raised",
                metadata: ["escalation.id": "\(id)", "escalation.event": "\(event.rawValue)", "agent.id": "\(agentId)"])
        }
        return outcome
    }

    static func raiseEscalation(
        event: EscalationEvent, agentId: String, detail: String, subjectId: String?, severity: EscalationSeverity?,
        now: Date, on db: any SQLDatabase
    ) async throws -> RaiseOutcome {
        guard
            let agent = try await db.raw(
                "SELECT campaign_id, name, language FROM agents WHERE id = \(bind: agentId)"
            ).all().first
        else { return .unknownAgent }
        guard let campaignId = try agent.optionalString("campaign_id"),
            let policy = try await escalationPolicy(campaignId: campaignId, on: db)?.policy,
            let rule = policy.events[event]
        else { return .notInPolicy }
        let severity = severity ?? rule.severity
        let id = newID()
        let openKey = "\(event.rawValue):\(agentId)"
        let inserted = try await db.raw(
            """
            INSERT INTO escalations (id, campaign_id, agent_id, event, severity, status, detail, subject_id, open_key,
                raised_at)
            VALUES (\(bind: id), \(bind: campaignId), \(bind: agentId), \(bind: event.rawValue),
                    \(bind: severity.rawValue), 'open', \(bind: detail), \(bind: subjectId), \(bind: openKey),
                    \(millis: now))
            ON CONFLICT (open_key) DO NOTHING
            RETURNING id
            """
        ).all()
        guard !inserted.isEmpty else {
            let open = try await db.raw("SELECT id FROM escalations WHERE open_key = \(bind: openKey)").all().first
            return .alreadyOpen(id: try open?.string("id") ?? "")
        }
        try await audit(id, "raised", actor: "server", detail: "\(event.rawValue), \(severity.rawValue): \(detail)", at: now, on: db)
        for (position, step) in policy.steps(for: severity) {
            let due = now.addingTimeInterval(Double(step.afterMinutes) * 60)
            try await db.raw(
                """
                INSERT INTO escalation_steps (escalation_id, position, role, due_at, state, group_interval_minutes)
                VALUES (\(bind: id), \(bind: position), \(bind: step.notify.rawValue), \(millis: due), 'pending',
                        \(bind: policy.groupIntervalMinutes))
                """
            ).run()
            if step.notify == .agent, step.afterMinutes == 0 {
                try await tellAgent(
                    escalationId: id, position: position, agentId: agentId,
                    language: try agent.optionalString("language"), event: event, detail: detail, now: now, on: db)
            }
        }
        return .raised(id: id)
    }

    /// The agent step: marks it sent (only if still pending) and puts a `message` instruction for the agent, in
    /// Spanish and English, into the instructions the agent's `check`, `watch` and self-test page show.
    static func tellAgent(
        escalationId: String, position: Int, agentId: String, language: String?, event: EscalationEvent,
        detail: String, now: Date, on db: any SQLDatabase
    ) async throws {
        let claimed = try await db.raw(
            """
            UPDATE escalation_steps SET state = 'sent', claimed_at = \(millis: now)
            WHERE escalation_id = \(bind: escalationId) AND position = \(bind: position) AND state = 'pending'
            RETURNING escalation_id
            """
        ).all()
        guard !claimed.isEmpty else { return }
        let texts = EscalationTexts.agentMessage(event: event, detail: detail)
        let text = texts[language ?? "en"] ?? texts["en"]!
        let textsJSON = String(decoding: try JSONEncoder().encode(texts), as: UTF8.self)
        let instructionId = newID()
        try await db.raw(
            """
            INSERT INTO instructions (id, kind, text, texts, drill_id, target_type, target_id, recipients, created_at,
                created_by, expires_at)
            VALUES (\(bind: instructionId), 'message', \(bind: text), \(bind: textsJSON), NULL, 'agent',
                    \(bind: agentId), 1, \(millis: now), \(bind: "escalation:\(escalationId)"), NULL)
            """
        ).run()
        try await db.raw(
            """
            INSERT INTO instruction_deliveries (agent_id, instruction_id, expires_at)
            VALUES (\(bind: agentId), \(bind: instructionId), NULL)
            """
        ).run()
        try await db.raw(
            """
            INSERT INTO agent_instruction_state (agent_id, version, next_expiry_at)
            VALUES (\(bind: agentId), 1, NULL)
            ON CONFLICT (agent_id) DO UPDATE SET version = agent_instruction_state.version + 1
            """
        ).run()
        try await audit(
            escalationId, "agent_told", actor: "server", recipient: "agent",
            detail: "instruction \(instructionId) (message)", at: now, on: db)
    }

    /// Acknowledges an open escalation: the chain stops (pending steps are cancelled); it stays unresolved.
    func acknowledgeEscalation(id: String, actor: String, now: Date) async throws -> EscalationChange {
        try await writing(field: nil) { db in
            let changed = try await db.raw(
                """
                UPDATE escalations SET status = 'acknowledged', acked_at = \(millis: now), acked_by = \(bind: actor)
                WHERE id = \(bind: id) AND status = 'open' RETURNING id
                """
            ).all()
            guard !changed.isEmpty else { return try await Self.unchanged(id, on: db) }
            try await Self.cancelPendingSteps(id, on: db)
            try await Self.audit(id, "acknowledged", actor: actor, at: now, on: db)
            return .changed
        }
    }

    /// Resolves an escalation that is open or acknowledged.
    func resolveEscalation(id: String, actor: String, now: Date, detail: String? = nil) async throws
        -> EscalationChange
    {
        try await writing(field: nil) { db in
            try await Self.resolveEscalation(id: id, actor: actor, now: now, detail: detail, on: db)
        }
    }

    static func resolveEscalation(id: String, actor: String, now: Date, detail: String?, on db: any SQLDatabase)
        async throws -> EscalationChange
    {
        let changed = try await db.raw(
            """
            UPDATE escalations SET status = 'resolved', open_key = NULL, resolved_at = \(millis: now),
                resolved_by = \(bind: actor)
            WHERE id = \(bind: id) AND status <> 'resolved' RETURNING id
            """
        ).all()
        guard !changed.isEmpty else { return try await unchanged(id, on: db) }
        try await cancelPendingSteps(id, on: db)
        try await audit(id, "resolved", actor: actor, detail: detail, at: now, on: db)
        return .changed
    }

    /// Resolves the open escalation for `event` and the agent, if any; returns its id.
    @discardableResult
    static func resolveOpenEscalation(
        event: EscalationEvent, agentId: String, actor: String, detail: String, now: Date, on db: any SQLDatabase
    ) async throws -> String? {
        guard
            let row = try await db.raw(
                "SELECT id FROM escalations WHERE open_key = \(bind: "\(event.rawValue):\(agentId)")"
            ).all().first
        else { return nil }
        let id = try row.string("id")
        _ = try await resolveEscalation(id: id, actor: actor, now: now, detail: detail, on: db)
        return id
    }

    func resolveOpenEscalation(event: EscalationEvent, agentId: String, actor: String, detail: String, now: Date)
        async throws -> String?
    {
        try await writing(field: nil) { db in
            try await Self.resolveOpenEscalation(
                event: event, agentId: agentId, actor: actor, detail: detail, now: now, on: db)
        }
    }

    private static func unchanged(_ id: String, on db: any SQLDatabase) async throws -> EscalationChange {
        guard let row = try await db.raw("SELECT status FROM escalations WHERE id = \(bind: id)").all().first else {
            return .notFound
        }
        return .unchanged(status: try row.string("status"))
    }

    private static func cancelPendingSteps(_ id: String, on db: any SQLDatabase) async throws {
        try await db.raw(
            "UPDATE escalation_steps SET state = 'cancelled' WHERE escalation_id = \(bind: id) AND state = 'pending'"
        ).run()
    }

    /// Appends one audited step to an escalation's history.
    static func audit(
        _ escalationId: String, _ kind: String, actor: String?, recipient: String? = nil, detail: String? = nil,
        at: Date, on db: any SQLDatabase
    ) async throws {
        try await db.raw(
            """
            INSERT INTO escalation_events (id, escalation_id, seq, at, kind, actor, recipient, detail)
            VALUES (\(bind: newID()), \(bind: escalationId),
                    (SELECT COUNT(*) FROM escalation_events WHERE escalation_id = \(bind: escalationId)),
                    \(millis: at), \(bind: kind), \(bind: actor), \(bind: recipient), \(bind: detail))
            """
        ).run()
    }

    /// One audited step of one escalation, for `audit(_:at:on:)`.
    struct AuditEntry: Sendable {
        var escalationId: String
        var kind: String
        var actor: String? = "server"
        var recipient: String?
        var detail: String?
    }

    /// Appends audited steps of several escalations (each at most once per call), a chunk per statement.
    static func audit(_ entries: [AuditEntry], at: Date, on db: any SQLDatabase) async throws {
        for chunk in entries.chunked(by: 200) {
            let rows: [SQLQueryString] = chunk.map { entry in
                """
                (\(bind: newID()), \(bind: entry.escalationId),
                 (SELECT COUNT(*) FROM escalation_events WHERE escalation_id = \(bind: entry.escalationId)),
                 \(millis: at), \(bind: entry.kind), \(bind: entry.actor), \(bind: entry.recipient), \(bind: entry.detail))
                """
            }
            try await db.raw(
                """
                INSERT INTO escalation_events (id, escalation_id, seq, at, kind, actor, recipient, detail)
                VALUES \(rows.joined(separator: ", "))
                """
            ).run()
        }
    }

    func auditEscalation(
        _ escalationId: String, _ kind: String, actor: String?, recipient: String? = nil, detail: String? = nil,
        at: Date
    ) async throws {
        try await writing(field: nil) { db in
            try await Self.audit(escalationId, kind, actor: actor, recipient: recipient, detail: detail, at: at, on: db)
        }
    }

    // MARK: Reading

    /// Escalations, newest first, optionally with one status (`open` covers open and acknowledged ones when
    /// `includeAcknowledged`).
    func escalations(status: String?, campaignId: String? = nil, limit: Int) async throws -> [EscalationRecord] {
        try await store.withConnection { db in
            var filter: SQLQueryString = "WHERE 1 = 1"
            if let status { filter = "\(filter) AND e.status = \(bind: status)" }
            if let campaignId { filter = "\(filter) AND e.campaign_id = \(bind: campaignId)" }
            return try await Self.escalationRows(filter: filter, limit: limit, on: db)
        }
    }

    /// One escalation with its steps and its audited history; nil when unknown.
    func escalation(id: String) async throws -> EscalationRecord? {
        try await store.withConnection { db in
            guard var record = try await Self.escalationRows(filter: "WHERE e.id = \(bind: id)", limit: 1, on: db).first
            else { return nil }
            record.steps = try await db.raw(
                """
                SELECT position, role, due_at, state, held_until FROM escalation_steps
                WHERE escalation_id = \(bind: id) ORDER BY position
                """
            ).all().map { row in
                EscalationRecord.Step(
                    position: try row.int("position"), role: try row.string("role"), dueAt: try row.date("due_at"),
                    state: try row.string("state"), heldUntil: try row.optionalDate("held_until"))
            }
            record.events = try await db.raw(
                """
                SELECT at, kind, actor, recipient, detail FROM escalation_events
                WHERE escalation_id = \(bind: id) ORDER BY seq, at
                """
            ).all().map { row in
                EscalationRecord.Event(
                    at: try row.date("at"), kind: try row.string("kind"), actor: try row.optionalString("actor"),
                    recipient: try row.optionalString("recipient"), detail: try row.optionalString("detail"))
            }
            return record
        }
    }

    private static func escalationRows(filter: SQLQueryString, limit: Int, on db: any SQLDatabase) async throws
        -> [EscalationRecord]
    {
        try await db.raw(
            """
            SELECT e.id, e.campaign_id, e.agent_id, a.employee_id, a.name, e.event, e.severity, e.status, e.detail,
                e.subject_id, e.raised_at, e.acked_at, e.acked_by, e.resolved_at, e.resolved_by
            FROM escalations e JOIN agents a ON a.id = e.agent_id \(filter)
            ORDER BY e.raised_at DESC, e.id LIMIT \(literal: limit)
            """
        ).all().map { row in
            EscalationRecord(
                id: try row.string("id"), campaignId: try row.string("campaign_id"), agentId: try row.string("agent_id"),
                employeeId: try row.string("employee_id"), agentName: try row.string("name"),
                event: try row.string("event"), severity: try row.string("severity"), status: try row.string("status"),
                detail: try row.string("detail"), subjectId: try row.optionalString("subject_id"),
                raisedAt: try row.date("raised_at"), acknowledgedAt: try row.optionalDate("acked_at"),
                acknowledgedBy: try row.optionalString("acked_by"), resolvedAt: try row.optionalDate("resolved_at"),
                resolvedBy: try row.optionalString("resolved_by"))
        }
    }

    // MARK: The engine's queries

    /// Steps due at `now` of escalations still open.
    func dueEscalationSteps(now: Date) async throws -> [DueEscalationStep] {
        try await store.withConnection { db in
            try await db.raw(
                """
                SELECT s.escalation_id, s.position, s.role, s.due_at, s.group_interval_minutes, e.campaign_id,
                    e.agent_id, a.employee_id, a.name, e.event, e.severity, e.detail, e.raised_at
                FROM escalation_steps s JOIN escalations e ON e.id = s.escalation_id JOIN agents a ON a.id = e.agent_id
                WHERE s.state = 'pending' AND s.due_at <= \(millis: now) AND e.status = 'open'
                ORDER BY s.due_at, s.escalation_id, s.position
                """
            ).all().compactMap { row in
                guard let role = EscalationRole(rawValue: try row.string("role")),
                    let event = EscalationEvent(rawValue: try row.string("event")),
                    let severity = EscalationSeverity(rawValue: try row.string("severity"))
                else { return nil }
                return DueEscalationStep(
                    escalationId: try row.string("escalation_id"), position: try row.int("position"), role: role,
                    dueAt: try row.date("due_at"), groupIntervalMinutes: try row.int("group_interval_minutes"),
                    campaignId: try row.string("campaign_id"), agentId: try row.string("agent_id"),
                    employeeId: try row.string("employee_id"), agentName: try row.string("name"), event: event,
                    severity: severity, detail: try row.string("detail"), raisedAt: try row.date("raised_at"))
            }
        }
    }

    /// Runs a late agent step (one whose `after_minutes` is above 0) exactly once.
    func tellAgent(_ step: DueEscalationStep, now: Date) async throws {
        try await writing(field: nil) { db in
            let language = try await db.raw("SELECT language FROM agents WHERE id = \(bind: step.agentId)").all()
                .first?.optionalString("language")
            try await Self.tellAgent(
                escalationId: step.escalationId, position: step.position, agentId: step.agentId, language: language,
                event: step.event, detail: step.detail, now: now, on: db)
        }
    }

    /// Moves a pending step to the end of quiet hours; true for the one instance that moved it (it audits).
    func holdEscalationStep(_ step: DueEscalationStep, until: Date, now: Date) async throws -> Bool {
        try await writing(field: nil) { db in
            let moved = try await db.raw(
                """
                UPDATE escalation_steps SET due_at = \(millis: until), held_until = \(millis: until)
                WHERE escalation_id = \(bind: step.escalationId) AND position = \(bind: step.position)
                    AND state = 'pending' AND due_at = \(millis: step.dueAt)
                RETURNING escalation_id
                """
            ).all()
            guard !moved.isEmpty else { return false }
            try await Self.audit(
                step.escalationId, "held_quiet_hours", actor: "server", recipient: step.role.rawValue,
                detail: "until \(ISO8601DateFormatter().string(from: until))", at: now, on: db)
            return true
        }
    }

    /// Marks a pending step failed because its recipient is unknown; true for the one instance that did it.
    func failEscalationStep(_ step: DueEscalationStep, reason: String, now: Date) async throws -> Bool {
        try await writing(field: nil) { db in
            let changed = try await db.raw(
                """
                UPDATE escalation_steps SET state = 'failed', claimed_at = \(millis: now)
                WHERE escalation_id = \(bind: step.escalationId) AND position = \(bind: step.position)
                    AND state = 'pending'
                RETURNING escalation_id
                """
            ).all()
            guard !changed.isEmpty else { return false }
            try await Self.audit(
                step.escalationId, "no_contact", actor: "server", recipient: step.role.rawValue, detail: reason,
                at: now, on: db)
            return true
        }
    }

    /// Claims one message to one recipient in one transaction: the recipient's group window first (at most one
    /// message per `intervalMinutes`: `INSERT … ON CONFLICT DO UPDATE … WHERE` the last one is old enough), then
    /// each step still pending (a conditional `UPDATE`). Of several instances running this at once exactly one
    /// gets the window and the steps; the others get nil and leave the steps to it. Returns the message id and
    /// the steps claimed; nil when the window is taken or no step was left.
    func claimEscalationMessage(
        recipientKey: String, role: EscalationRole, steps: [DueEscalationStep], intervalMinutes: Int,
        instance: String, now: Date
    ) async throws -> (messageId: String, steps: [DueEscalationStep])? {
        struct NothingLeft: Error {}
        let messageId = Self.newID()
        let nowMillis = Clock.millis(now)
        let windowStart = nowMillis - Int64(intervalMinutes) * 60_000
        do {
            return try await writing(field: nil) { db in
                let window = try await db.raw(
                    """
                    INSERT INTO escalation_windows (recipient_key, last_message_at)
                    VALUES (\(bind: recipientKey), \(literal: nowMillis))
                    ON CONFLICT (recipient_key) DO UPDATE SET last_message_at = excluded.last_message_at
                    WHERE escalation_windows.last_message_at <= \(literal: windowStart)
                    RETURNING recipient_key
                    """
                ).all()
                guard !window.isEmpty else { throw NothingLeft() }
                // Each step still pending of an escalation still open, a chunk of steps per statement.
                var claimedKeys = Set<String>()
                for chunk in steps.chunked(by: 200) {
                    let which: [SQLQueryString] = chunk.map {
                        "(escalation_id = \(bind: $0.escalationId) AND position = \(literal: $0.position))"
                    }
                    let rows = try await db.raw(
                        """
                        UPDATE escalation_steps SET state = 'claimed', claimed_by = \(bind: instance),
                            claimed_at = \(literal: nowMillis), message_id = \(bind: messageId)
                        WHERE (\(which.joined(separator: " OR "))) AND state = 'pending'
                            AND EXISTS (SELECT 1 FROM escalations e WHERE e.id = escalation_steps.escalation_id
                                        AND e.status = 'open')
                        RETURNING escalation_id, position
                        """
                    ).all()
                    for row in rows { claimedKeys.insert("\(try row.string("escalation_id"))#\(try row.int("position"))") }
                }
                let claimed = steps.filter { claimedKeys.contains("\($0.escalationId)#\($0.position)") }
                guard !claimed.isEmpty else { throw NothingLeft() }
                try await db.raw(
                    """
                    INSERT INTO escalation_messages (id, recipient_key, role, sent_by, created_at, escalations, outcome)
                    VALUES (\(bind: messageId), \(bind: recipientKey), \(bind: role.rawValue), \(bind: instance),
                            \(literal: nowMillis), \(bind: claimed.count), 'sending')
                    """
                ).run()
                try await Self.audit(
                    claimed.map { step in
                        AuditEntry(
                            escalationId: step.escalationId, kind: "escalated", recipient: role.rawValue,
                            detail: "step \(step.position) to \(recipientKey)"
                                + (claimed.count > 1 ? " (one message for \(claimed.count) escalations)" : ""))
                    }, at: now, on: db)
                return (messageId, claimed)
            }
        } catch is NothingLeft {
            return nil
        }
    }

    /// Stores how a claimed message's sending ended: its steps become `sent` (any channel succeeded) or `failed`.
    func recordEscalationMessage(
        messageId: String, steps: [DueEscalationStep], recipient: Recipient, deliveries: [ChannelDelivery], now: Date
    ) async throws {
        let succeeded = deliveries.contains(where: \.succeeded)
        let summary =
            deliveries.isEmpty
            ? "no channel reaches this recipient"
            : deliveries.map { "\($0.channel): \($0.succeeded ? "ok" : ($0.error ?? "failed"))" }.joined(separator: "; ")
        try await writing(field: nil) { db in
            try await db.raw(
                """
                UPDATE escalation_steps SET state = \(bind: succeeded ? "sent" : "failed")
                WHERE message_id = \(bind: messageId) AND state = 'claimed'
                """
            ).run()
            try await db.raw(
                """
                UPDATE escalation_messages SET outcome = \(bind: succeeded ? "sent" : "failed"),
                    deliveries = \(bind: summary)
                WHERE id = \(bind: messageId)
                """
            ).run()
            try await Self.audit(
                steps.map {
                    AuditEntry(
                        escalationId: $0.escalationId, kind: succeeded ? "message_sent" : "message_failed",
                        recipient: "\(recipient.role): \(recipient.name)", detail: summary)
                }, at: now, on: db)
        }
    }

    /// Steps claimed before `before` whose outcome was never recorded (the instance stopped mid-send) become
    /// `failed`, audited as interrupted: never sent twice, and the chain's next steps still run. Returns how many.
    func failInterruptedEscalationSteps(claimedBefore before: Date, now: Date) async throws -> Int {
        try await writing(field: nil) { db in
            let rows = try await db.raw(
                """
                UPDATE escalation_steps SET state = 'failed'
                WHERE state = 'claimed' AND claimed_at < \(millis: before)
                RETURNING escalation_id, claimed_by, message_id
                """
            ).all()
            for row in rows {
                let message = try row.optionalString("message_id")
                if let message {
                    try await db.raw(
                        """
                        UPDATE escalation_messages SET outcome = 'failed', deliveries = 'interrupted'
                        WHERE id = \(bind: message) AND outcome = 'sending'
                        """
                    ).run()
                }
                try await Self.audit(
                    try row.string("escalation_id"), "message_failed", actor: "server",
                    detail: "interrupted: claimed by instance \(try row.optionalString("claimed_by") ?? "?"), "
                        + "its outcome was never recorded (message \(message ?? "?"))",
                    at: now, on: db)
            }
            return rows.count
        }
    }

    /// How many messages were claimed (and so sent or tried) in all, for tests and metrics.
    func escalationMessageCount() async throws -> Int {
        try await store.withConnection { db in
            try await db.raw("SELECT COUNT(*) AS n FROM escalation_messages").all().first?.int("n") ?? 0
        }
    }

    // MARK: Periodic events

    /// Agents of campaigns with `check_stale` whose last full check (a `cli` report) finished before
    /// `olderThan`, with that time (nil: never checked).
    func agentsWithStaleChecks(campaignId: String, olderThan: Date) async throws -> [(agentId: String, last: Date?)] {
        try await store.withConnection { db in
            try await db.raw(
                """
                SELECT a.id, (SELECT MAX(r.finished_at) FROM reports r WHERE r.agent_id = a.id AND r.source = 'cli')
                    AS last_full
                FROM agents a WHERE a.campaign_id = \(bind: campaignId)
                """
            ).all().compactMap { row in
                let last = try row.optionalDate("last_full")
                if let last, last >= olderThan { return nil }
                return (try row.string("id"), last)
            }
        }
    }

    /// Agents of a campaign with equipment shipped before `shippedBefore` and still not delivered, with the
    /// items' asset tags (or kinds).
    func agentsWithOverdueShipments(campaignId: String, shippedBefore: Date) async throws -> [String: [String]] {
        try await store.withConnection { db in
            var agents: [String: [String]] = [:]
            let rows = try await db.raw(
                """
                SELECT e.agent_id, e.asset_tag, e.kind FROM equipment_items e JOIN agents a ON a.id = e.agent_id
                WHERE a.campaign_id = \(bind: campaignId) AND e.state = 'shipped'
                    AND e.shipped_at < \(millis: shippedBefore)
                ORDER BY e.agent_id, e.asset_tag
                """
            ).all()
            for row in rows {
                agents[try row.string("agent_id"), default: []].append(
                    try row.optionalString("asset_tag") ?? row.string("kind"))
            }
            return agents
        }
    }

    /// Agents of a campaign asked by a drill whose deadline (the RTO) has passed at `now` and who sent no report
    /// since it started, with the drill's id and name, unless a `drill_unanswered` escalation for that drill and
    /// agent was already raised (open or resolved: a supervisor who resolved it by hand is not asked again).
    func agentsWhoMissedDrills(campaignId: String, now: Date) async throws -> [(agentId: String, drillId: String, drill: String)] {
        try await store.withConnection { db in
            try await db.raw(
                """
                SELECT da.agent_id, d.id AS drill_id, COALESCE(d.name, d.id) AS drill
                FROM drills d JOIN drill_agents da ON da.drill_id = d.id JOIN agents a ON a.id = da.agent_id
                WHERE a.campaign_id = \(bind: campaignId) AND d.deadline_at <= \(millis: now)
                    AND d.closes_at > \(millis: now)
                    AND NOT EXISTS (SELECT 1 FROM reports r
                                    WHERE r.agent_id = da.agent_id AND r.received_at >= d.started_at)
                    AND NOT EXISTS (SELECT 1 FROM escalations e
                                    WHERE e.event = 'drill_unanswered' AND e.agent_id = da.agent_id
                                      AND e.subject_id = d.id)
                ORDER BY d.started_at, da.agent_id
                """
            ).all().map {
                (agentId: try $0.string("agent_id"), drillId: try $0.string("drill_id"), drill: try $0.string("drill"))
            }
        }
    }

    /// Open `drill_unanswered` escalations of a campaign whose agent has answered the drill since (a report
    /// received after the drill started): the agents' ids.
    func agentsWhoAnsweredDrillsLate(campaignId: String) async throws -> [String] {
        try await store.withConnection { db in
            try await db.raw(
                """
                SELECT e.agent_id FROM escalations e JOIN drills d ON d.id = e.subject_id
                WHERE e.event = 'drill_unanswered' AND e.campaign_id = \(bind: campaignId) AND e.status <> 'resolved'
                    AND EXISTS (SELECT 1 FROM reports r WHERE r.agent_id = e.agent_id AND r.received_at >= d.started_at)
                ORDER BY e.agent_id
                """
            ).all().map { try $0.string("agent_id") }
        }
    }

    /// The agents with an open (or acknowledged) escalation for `event` in a campaign.
    func agentsWithOpenEscalation(event: EscalationEvent, campaignId: String) async throws -> Set<String> {
        try await store.withConnection { db in
            Set(
                try await db.raw(
                    """
                    SELECT agent_id FROM escalations
                    WHERE event = \(bind: event.rawValue) AND campaign_id = \(bind: campaignId) AND status <> 'resolved'
                    """
                ).all().map { try $0.string("agent_id") })
        }
    }

    /// The secret that signs acknowledge and resolve links: made once by the first instance that needs it and
    /// shared by every instance on the database.
    func escalationLinkSecret(now: Date) async throws -> Data {
        if let secret = try await storedLinkSecret() { return secret }
        var bytes = [UInt8](repeating: 0, count: 32)
        for index in bytes.indices { bytes[index] = UInt8.random(in: .min ... .max) }
        try await writing(field: nil) { db in
            try await db.raw(
                """
                INSERT INTO escalation_link_keys (id, secret, created_at)
                VALUES (1, \(bind: Data(bytes).base64EncodedString()), \(millis: now))
                ON CONFLICT (id) DO NOTHING
                """
            ).run()
        }
        guard let secret = try await storedLinkSecret() else {
            throw ServerError.storage("the escalation link key could not be stored in escalation_link_keys")
        }
        return secret
    }

    private func storedLinkSecret() async throws -> Data? {
        try await store.withConnection { db in
            guard let row = try await db.raw("SELECT secret FROM escalation_link_keys WHERE id = 1").all().first else {
                return nil
            }
            return Data(base64Encoded: try row.string("secret"))
        }
    }

    // MARK: Report ingestion

    /// Readiness before a round of reports, for the agents whose campaign has an escalation policy listing
    /// `agent_regressed`; nil when there are none (ingestion then spends one query on escalations).
    static func readinessForEscalations(of agentIds: Set<String>, now: Date, on db: any SQLDatabase) async throws
        -> [String: (status: ReadinessStatus, employeeId: String, campaignId: String?)]?
    {
        guard !agentIds.isEmpty else { return nil }
        let policies = try await db.raw("SELECT campaign_id, policy FROM escalation_policies").all()
        guard !policies.isEmpty else { return nil }
        var campaigns = Set<String>()
        for row in policies where try row.string("policy").contains("\"\(EscalationEvent.agentRegressed.rawValue)\"") {
            campaigns.insert(try row.string("campaign_id"))
        }
        guard !campaigns.isEmpty else { return nil }
        var watched = Set<String>()
        for chunk in agentIds.sorted().chunked(by: 500) {
            let rows = try await db.raw(
                """
                SELECT id FROM agents WHERE id IN (\(binds: Array(chunk)))
                    AND campaign_id IN (\(binds: campaigns.sorted()))
                """
            ).all()
            for row in rows { watched.insert(try row.string("id")) }
        }
        guard !watched.isEmpty else { return nil }
        return try await readinessStatuses(of: watched, now: now, on: db)
    }

    /// After a round of reports: raises `agent_regressed` for each watched agent that went from ready to not
    /// ready, and resolves it for each one ready again (inside the round's transaction).
    static func escalateReadinessChanges(
        _ writes: [ReportWrite], before: [String: (status: ReadinessStatus, employeeId: String, campaignId: String?)],
        now: Date, on db: any SQLDatabase
    ) async throws {
        let after = try await readinessStatuses(of: Set(before.keys), now: now, on: db)
        for write in writes {
            guard let old = before[write.agentId], let new = after[write.agentId] else { continue }
            if old.status == .ready, new.status != .ready {
                _ = try await raiseEscalation(
                    event: .agentRegressed, agentId: write.agentId,
                    detail: "report \(write.reportId): \(old.status.rawValue) → \(new.status.rawValue)",
                    subjectId: write.reportId, severity: nil, now: write.at, on: db)
            } else if new.status == .ready {
                try await resolveOpenEscalation(
                    event: .agentRegressed, agentId: write.agentId, actor: "report",
                    detail: "report \(write.reportId) made the agent ready again", now: write.at, on: db)
            }
        }
    }
}
