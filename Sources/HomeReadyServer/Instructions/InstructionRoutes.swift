import Foundation
import HomeReadyModel
import Hummingbird

/// From IT to agents (issue 20, point 3): IT sends instructions to an agent, a team or a campaign; enrolled
/// devices poll for theirs (ETag, `304` when nothing is new) and acknowledge each one once handled.
/// Design and cost: docs/instructions.md.
struct InstructionRoutes {
    let repository: SQLRepository
    let configuration: ServerConfiguration

    /// `POST /api/v1/instructions`: exactly one of `agent_id`, `team`, `campaign_id`.
    struct Send: Decodable {
        var agentId: String?
        /// A team's id or name.
        var team: String?
        /// A campaign's id or name.
        var campaignId: String?
        var kind: String
        var text: String?
        var texts: [String: String]?
        var drillId: String?
        var expiresAt: Date?
        var expiresInMinutes: Int?
    }

    struct Acknowledged: Codable, Sendable, ResponseEncodable {
        var id: String
        var acknowledgedAt: Date
        /// True when an earlier acknowledgement (this or another of the agent's devices) was already stored.
        var duplicate: Bool
    }

    /// Longest message text, in characters.
    static let maxTextLength = 2000

    func add(to router: RouterGroup<ServerRequestContext>) {
        router.post("instructions") { request, context in
            let principal = try context.require(.admin, .planner)
            let body = try await request.decodeJSON(Send.self, limit: configuration.maxJSONBytes)
            let new = try Self.validate(body, now: Date(), actor: principal.actor)
            let sent = try await repository.sendInstruction(new, now: Date())
            return EditedResponse(status: .created, response: sent)
        }
        router.get("instructions") { request, context in
            _ = try context.require(.admin, .planner)
            let limit = request.uri.queryParameters.get("limit", as: Int.self) ?? 100
            guard (1...1000).contains(limit) else { throw Problem.invalid("limit", "`limit` must be 1…1000") }
            let agentId = request.uri.queryParameters.get("agent_id")
            return ListResponse(items: try await repository.instructions(limit: limit, agentId: agentId))
        }
        router.get("device/instructions") { request, context -> Response in
            let principal = try context.require(.device)
            guard let agentId = principal.agentId else { throw Problem.unauthorized }
            let poll = try await repository.pollInstructions(
                agentId: agentId, deviceId: principal.deviceId,
                ifNoneMatch: Self.entityTag(request.headers[.ifNoneMatch]),
                now: Date())
            switch poll {
            case .notModified(let etag):
                return Response(
                    status: .notModified, headers: [.eTag: "\"\(etag)\"", .cacheControl: "private, no-cache"])
            case .pending(let answer):
                return Response(
                    status: .ok,
                    headers: [
                        .contentType: "application/json", .eTag: "\"\(answer.etag)\"", .cacheControl: "private, no-cache",
                    ],
                    body: .init(byteBuffer: ByteBuffer(bytes: try APICoding.encoder.encode(answer))))
            }
        }
        router.post("device/instructions/:id/ack") { request, context in
            let principal = try context.require(.device)
            guard let agentId = principal.agentId else { throw Problem.unauthorized }
            let id = try context.parameters.require("id")
            switch try await repository.acknowledgeInstruction(
                id: id, agentId: agentId, deviceId: principal.deviceId, now: Date())
            {
            case .acknowledged(let at): return Acknowledged(id: id, acknowledgedAt: at, duplicate: false)
            case .alreadyAcknowledged(let at): return Acknowledged(id: id, acknowledgedAt: at, duplicate: true)
            case .notFound: throw Problem.notFound("instruction for this device's agent", id)
            }
        }
    }

    /// The entity tag in an `If-None-Match` header (quotes and a weak prefix removed); nil for none or `*`.
    static func entityTag(_ header: String?) -> String? {
        guard var tag = header?.trimmingCharacters(in: .whitespaces), !tag.isEmpty, tag != "*" else { return nil }
        if tag.hasPrefix("W/") { tag.removeFirst(2) }
        return tag.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
    }

    /// Checks a send request; problems name the field and say what is accepted.
    static func validate(_ body: Send, now: Date, actor: String) throws -> NewInstruction {
        let targets: [InstructionTarget] = [
            body.agentId.map(InstructionTarget.agent), body.team.map(InstructionTarget.team),
            body.campaignId.map(InstructionTarget.campaign),
        ].compactMap { $0 }
        guard targets.count == 1, let target = targets.first else {
            throw Problem.invalid(
                "target", "name exactly one target: `agent_id`, `team` (id or name) or `campaign_id` (id or name)")
        }
        try requireText(target.id, target.field)
        guard let kind = InstructionKind(rawValue: body.kind) else {
            throw Problem.invalid(
                "kind",
                "`kind` must be one of \(InstructionKind.allCases.map(\.rawValue).joined(separator: ", ")), "
                    + "got \"\(body.kind)\"")
        }
        let text = body.text?.trimmingCharacters(in: .whitespacesAndNewlines)
        if kind == .message, text?.isEmpty ?? true {
            throw Problem.invalid("text", "a `message` needs `text`: what IT wants the agent to read")
        }
        if let text, text.count > maxTextLength {
            throw Problem.invalid("text", "`text` is \(text.count) characters; at most \(maxTextLength)")
        }
        for (language, localized) in body.texts ?? [:] {
            guard RosterImport.languages.contains(language) else {
                throw Problem.invalid(
                    "texts", "`texts` keys are languages agents read (\"es\", \"en\"), got \"\(language)\"")
            }
            guard localized.count <= maxTextLength else {
                throw Problem.invalid(
                    "texts.\(language)", "`texts.\(language)` is longer than \(maxTextLength) characters")
            }
        }
        if body.expiresAt != nil, body.expiresInMinutes != nil {
            throw Problem.invalid("expires_at", "give `expires_at` or `expires_in_minutes`, not both")
        }
        var expiresAt = body.expiresAt
        if let minutes = body.expiresInMinutes {
            guard (1...(60 * 24 * 90)).contains(minutes) else {
                throw Problem.invalid("expires_in_minutes", "`expires_in_minutes` must be 1…129600 (90 days)")
            }
            expiresAt = now.addingTimeInterval(Double(minutes) * 60)
        }
        if let expiresAt, expiresAt <= now {
            throw Problem.invalid("expires_at", "`expires_at` is in the past; give a time after now")
        }
        return NewInstruction(
            kind: kind, text: (text?.isEmpty ?? true) ? nil : text,
            texts: body.texts?.isEmpty == true ? nil : body.texts,
            drillId: body.drillId, target: target, expiresAt: expiresAt, createdBy: actor)
    }
}

extension InstructionSummary: ResponseEncodable {}
