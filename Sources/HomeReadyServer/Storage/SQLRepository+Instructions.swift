import Foundation
import HomeReadyModel
import HomeReadySelfTest
import SQLKit

/// Who an instruction goes to: resolved into agents when it is sent.
enum InstructionTarget: Sendable, Equatable {
    case agent(String)
    case team(String)
    case campaign(String)

    var type: String {
        switch self {
        case .agent: "agent"
        case .team: "team"
        case .campaign: "campaign"
        }
    }

    /// The request field that names this target.
    var field: String {
        switch self {
        case .agent: "agent_id"
        case .team: "team"
        case .campaign: "campaign_id"
        }
    }

    var id: String {
        switch self {
        case .agent(let id), .team(let id), .campaign(let id): id
        }
    }
}

/// An instruction IT sends.
struct NewInstruction: Sendable {
    var kind: InstructionKind
    var text: String?
    var texts: [String: String]?
    var drillId: String?
    var target: InstructionTarget
    var expiresAt: Date?
    var createdBy: String?
}

/// An instruction as sent, with how many agents it went to and how many of their devices fetched and acknowledged it.
struct InstructionSummary: Codable, Sendable, Equatable {
    var id: String
    var kind: InstructionKind
    var text: String?
    var texts: [String: String]?
    var drillId: String?
    var targetType: String
    var targetId: String
    var recipients: Int
    var fetched: Int
    var acknowledged: Int
    var createdAt: Date
    var createdBy: String?
    var expiresAt: Date?
}

/// One device poll's answer: unchanged since the tag the device holds, or the pending instructions.
enum InstructionPoll: Sendable, Equatable {
    case notModified(etag: String)
    case pending(DeviceInstructions)
}

/// What acknowledging did.
enum InstructionAck: Sendable, Equatable {
    case acknowledged(at: Date)
    case alreadyAcknowledged(at: Date)
    case notFound
}

extension SQLRepository {
    /// Stores an instruction and fans it out to its target's agents (one delivery row each) in one transaction;
    /// each recipient's poll state moves to a new version. Throws `badReference` for an unknown target.
    func sendInstruction(_ new: NewInstruction, now: Date) async throws -> InstructionSummary {
        let id = Self.newID()
        let textsJSON: String? = try new.texts.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        let field = new.target.field
        let resolved = try await writing(field: field) { db -> (targetId: String, recipients: Int) in
            // The target must exist; a team or campaign may be named by id or by name.
            let targetId: String
            switch new.target {
            case .agent(let agent):
                guard try await db.raw("SELECT id FROM agents WHERE id = \(bind: agent)").all().first != nil else {
                    throw StorageError.badReference(field: field, "no agent with id \"\(agent)\"")
                }
                targetId = agent
            case .team(let team):
                guard
                    let row = try await db.raw(
                        "SELECT id FROM teams WHERE id = \(bind: team) OR name = \(bind: team) ORDER BY id LIMIT 1"
                    ).all().first
                else { throw StorageError.badReference(field: field, "no team with id or name \"\(team)\"") }
                targetId = try row.string("id")
            case .campaign(let campaign):
                guard
                    let row = try await db.raw(
                        """
                        SELECT id FROM campaigns WHERE id = \(bind: campaign) OR name = \(bind: campaign)
                        ORDER BY id LIMIT 1
                        """
                    ).all().first
                else { throw StorageError.badReference(field: field, "no campaign with id or name \"\(campaign)\"") }
                targetId = try row.string("id")
            }
            try await db.raw(
                """
                INSERT INTO instructions (id, kind, text, texts, drill_id, target_type, target_id, recipients,
                    created_at, created_by, expires_at)
                VALUES (\(bind: id), \(bind: new.kind.rawValue), \(bind: new.text), \(bind: textsJSON),
                        \(bind: new.drillId), \(bind: new.target.type), \(bind: targetId), 0, \(millis: now),
                        \(bind: new.createdBy), \(millis: new.expiresAt))
                """
            ).run()
            let recipients: SQLQueryString
            switch new.target {
            case .agent: recipients = "SELECT id FROM agents WHERE id = \(bind: targetId)"
            case .team: recipients = "SELECT id FROM agents WHERE team_id = \(bind: targetId)"
            case .campaign: recipients = "SELECT id FROM agents WHERE campaign_id = \(bind: targetId)"
            }
            try await db.raw(
                """
                INSERT INTO instruction_deliveries (agent_id, instruction_id, expires_at)
                SELECT id, \(bind: id), \(millis: new.expiresAt) FROM (\(recipients)) AS recipients
                """
            ).run()
            // Each recipient's poll state: a new version (its ETag), and the earliest pending expiry.
            try await db.raw(
                """
                INSERT INTO agent_instruction_state (agent_id, version, next_expiry_at)
                SELECT agent_id, 1, expires_at FROM instruction_deliveries WHERE instruction_id = \(bind: id)
                ON CONFLICT (agent_id) DO UPDATE SET
                    version = agent_instruction_state.version + 1,
                    next_expiry_at = CASE
                        WHEN excluded.next_expiry_at IS NULL THEN agent_instruction_state.next_expiry_at
                        WHEN agent_instruction_state.next_expiry_at IS NULL THEN excluded.next_expiry_at
                        WHEN excluded.next_expiry_at < agent_instruction_state.next_expiry_at
                            THEN excluded.next_expiry_at
                        ELSE agent_instruction_state.next_expiry_at END
                """
            ).run()
            let count = try await db.raw(
                "SELECT COUNT(*) AS n FROM instruction_deliveries WHERE instruction_id = \(bind: id)"
            ).all().first?.int("n") ?? 0
            try await db.raw("UPDATE instructions SET recipients = \(literal: count) WHERE id = \(bind: id)").run()
            return (targetId, count)
        }
        logger.info(
            "instruction.sent",
            metadata: [
                "instruction.id": "\(id)", "instruction.kind": "\(new.kind.rawValue)",
                "instruction.recipients": "\(resolved.recipients)",
            ])
        return InstructionSummary(
            id: id, kind: new.kind, text: new.text, texts: new.texts, drillId: new.drillId, targetType: new.target.type,
            targetId: resolved.targetId, recipients: resolved.recipients, fetched: 0, acknowledged: 0, createdAt: now,
            createdBy: new.createdBy, expiresAt: new.expiresAt)
    }

    /// The instructions sent, newest first, with their delivery counts.
    func instructions(limit: Int, agentId: String? = nil) async throws -> [InstructionSummary] {
        try await store.withConnection { db in
            let filter: SQLQueryString =
                agentId.map {
                    "WHERE i.id IN (SELECT instruction_id FROM instruction_deliveries WHERE agent_id = \(bind: $0))"
                } ?? ""
            let rows = try await db.raw(
                """
                SELECT i.id, i.kind, i.text, i.texts, i.drill_id, i.target_type, i.target_id, i.recipients,
                    i.created_at, i.created_by, i.expires_at,
                    (SELECT COUNT(d.fetched_at) FROM instruction_deliveries d WHERE d.instruction_id = i.id) AS fetched,
                    (SELECT COUNT(d.acked_at) FROM instruction_deliveries d WHERE d.instruction_id = i.id) AS acked
                FROM instructions i \(filter)
                ORDER BY i.created_at DESC, i.id DESC LIMIT \(literal: limit)
                """
            ).all()
            return try rows.map { row in
                InstructionSummary(
                    id: try row.string("id"),
                    kind: InstructionKind(rawValue: try row.string("kind")) ?? .message,
                    text: try row.optionalString("text"), texts: Self.texts(try row.optionalString("texts")),
                    drillId: try row.optionalString("drill_id"), targetType: try row.string("target_type"),
                    targetId: try row.string("target_id"), recipients: try row.int("recipients"),
                    fetched: try row.int("fetched"), acknowledged: try row.int("acked"),
                    createdAt: try row.date("created_at"), createdBy: try row.optionalString("created_by"),
                    expiresAt: try row.optionalDate("expires_at"))
            }
        }
    }

    /// One device's poll: reads the agent's one-row poll state (its version is the ETag) and, only when the
    /// device's tag is stale, the agent's pending deliveries, marking them fetched.
    func pollInstructions(agentId: String, deviceId: String?, ifNoneMatch: String?, now: Date) async throws
        -> InstructionPoll
    {
        let nowMillis = Clock.millis(now)
        var state = try await instructionState(agentId: agentId)
        if let expiry = state?.nextExpiry, expiry <= nowMillis {
            // A pending instruction expired since the version was set: the pending set changed, so does the tag.
            try await writing(field: nil) { db in
                try await db.raw(
                    """
                    UPDATE agent_instruction_state SET version = version + 1,
                        next_expiry_at = \(Self.nextExpiry(agentId: agentId, after: nowMillis))
                    WHERE agent_id = \(bind: agentId) AND next_expiry_at <= \(literal: nowMillis)
                    """
                ).run()
            }
            state = try await instructionState(agentId: agentId)
        }
        let etag = "\(state?.version ?? 0)"
        if let ifNoneMatch, ifNoneMatch == etag { return .notModified(etag: etag) }
        guard state != nil else { return .pending(DeviceInstructions(etag: etag, items: [])) }
        // Read after the version: whatever that version counts is in this list.
        let items = try await store.withConnection { db in
            try await db.raw(
                """
                SELECT i.id, i.kind, i.text, i.texts, i.drill_id, i.created_at, i.expires_at, d.fetched_at
                FROM instruction_deliveries d JOIN instructions i ON i.id = d.instruction_id
                WHERE d.agent_id = \(bind: agentId) AND d.acked_at IS NULL
                    AND (d.expires_at IS NULL OR d.expires_at > \(literal: nowMillis))
                ORDER BY i.created_at, i.id
                """
            ).all().map { row in
                (
                    DeviceInstruction(
                        id: try row.string("id"), kind: InstructionKind(rawValue: try row.string("kind")) ?? .message,
                        text: try row.optionalString("text"), texts: Self.texts(try row.optionalString("texts")),
                        drillId: try row.optionalString("drill_id"), createdAt: try row.date("created_at"),
                        expiresAt: try row.optionalDate("expires_at")),
                    try row.optionalInt64("fetched_at") == nil
                )
            }
        }
        if items.contains(where: { $0.1 }) {
            try await writing(field: nil) { db in
                try await db.raw(
                    """
                    UPDATE instruction_deliveries SET fetched_at = \(literal: nowMillis), fetched_by = \(bind: deviceId)
                    WHERE agent_id = \(bind: agentId) AND acked_at IS NULL AND fetched_at IS NULL
                    """
                ).run()
            }
        }
        return .pending(DeviceInstructions(etag: etag, items: items.map(\.0)))
    }

    /// A device acknowledges one of its agent's instructions: it is delivered, and no poll answers it again.
    func acknowledgeInstruction(id: String, agentId: String, deviceId: String?, now: Date) async throws
        -> InstructionAck
    {
        let nowMillis = Clock.millis(now)
        return try await writing(field: nil) { db in
            let changed = try await db.raw(
                """
                UPDATE instruction_deliveries SET acked_at = \(literal: nowMillis), acked_by = \(bind: deviceId),
                    fetched_at = COALESCE(fetched_at, \(literal: nowMillis)),
                    fetched_by = COALESCE(fetched_by, \(bind: deviceId))
                WHERE agent_id = \(bind: agentId) AND instruction_id = \(bind: id) AND acked_at IS NULL
                RETURNING instruction_id
                """
            ).all()
            if changed.isEmpty {
                guard
                    let row = try await db.raw(
                        """
                        SELECT acked_at FROM instruction_deliveries
                        WHERE agent_id = \(bind: agentId) AND instruction_id = \(bind: id)
                        """
                    ).all().first, let acked = try row.optionalInt64("acked_at")
                else { return .notFound }
                return .alreadyAcknowledged(at: Clock.date(acked))
            }
            try await db.raw(
                """
                UPDATE agent_instruction_state SET version = version + 1,
                    next_expiry_at = \(Self.nextExpiry(agentId: agentId, after: nowMillis))
                WHERE agent_id = \(bind: agentId)
                """
            ).run()
            return .acknowledged(at: now)
        }
    }

    private func instructionState(agentId: String) async throws -> (version: Int64, nextExpiry: Int64?)? {
        try await store.withConnection { db in
            guard
                let row = try await db.raw(
                    "SELECT version, next_expiry_at FROM agent_instruction_state WHERE agent_id = \(bind: agentId)"
                ).all().first
            else { return nil }
            return (
                try row.decode(column: "version", as: Int64.self),
                try row.optionalInt64("next_expiry_at")
            )
        }
    }

    /// The earliest expiry among the agent's pending deliveries still valid after `after` (a subquery).
    private static func nextExpiry(agentId: String, after: Int64) -> SQLQueryString {
        """
        (SELECT MIN(expires_at) FROM instruction_deliveries
         WHERE agent_id = \(bind: agentId) AND acked_at IS NULL AND expires_at > \(literal: after))
        """
    }

    /// The `message` instructions waiting for an agent (not acknowledged, not expired), newest first, at most 5,
    /// marked fetched by `fetchedBy` when nothing fetched them yet: what the browser self-test page shows an agent
    /// without an enrolled device (an escalation tells the agent first this way too).
    func pendingMessages(agentId: String, fetchedBy: String, at: Date) async throws -> [SelfTestMessage] {
        let nowMillis = Clock.millis(at)
        let rows = try await store.withConnection { db in
            try await db.raw(
                """
                SELECT i.id, i.text, i.texts, i.created_at, d.fetched_at
                FROM instruction_deliveries d JOIN instructions i ON i.id = d.instruction_id
                WHERE d.agent_id = \(bind: agentId) AND d.acked_at IS NULL AND i.kind = 'message'
                    AND (d.expires_at IS NULL OR d.expires_at > \(literal: nowMillis))
                ORDER BY i.created_at DESC, i.id LIMIT 5
                """
            ).all()
        }
        let messages = try rows.map { row in
            SelfTestMessage(
                id: try row.string("id"), text: try row.optionalString("text") ?? "",
                texts: Self.texts(try row.optionalString("texts")) ?? [:], sentAt: try row.date("created_at"))
        }
        let unfetched = try rows.filter { try $0.optionalInt64("fetched_at") == nil }.map { try $0.string("id") }
        if !unfetched.isEmpty {
            try await writing(field: nil) { db in
                try await db.raw(
                    """
                    UPDATE instruction_deliveries SET fetched_at = \(literal: nowMillis), fetched_by = \(bind: fetchedBy)
                    WHERE agent_id = \(bind: agentId) AND fetched_at IS NULL AND instruction_id IN (\(binds: unfetched))
                    """
                ).run()
            }
        }
        return messages
    }

    private static func texts(_ json: String?) -> [String: String]? {
        guard let json else { return nil }
        return try? JSONDecoder().decode([String: String].self, from: Data(json.utf8))
    }
}
