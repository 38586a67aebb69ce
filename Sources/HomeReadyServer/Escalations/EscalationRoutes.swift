import Foundation
import Hummingbird

/// Escalations (issue 20, point 1): a campaign's policy (`PUT/GET /api/v1/campaigns/{id}/escalation-policy`, JSON
/// or YAML), the incidents (`GET /api/v1/escalations`, `GET /api/v1/escalations/{id}` with its audit trail,
/// `POST …/ack|resolve`), and the signed links in messages (`GET /escalations/{id}/ack?token=…`, no login).
/// Design: docs/escalations.md.
struct EscalationRoutes {
    let repository: SQLRepository
    let configuration: ServerConfiguration

    /// The answer of both policy routes.
    struct PolicyAnswer: Encodable, Sendable, ResponseEncodable {
        var campaignId: String
        var policy: EscalationPolicy
        var updatedAt: Date
        var updatedBy: String?
    }

    static let statuses: Set<String> = ["open", "acknowledged", "resolved"]

    func add(api: RouterGroup<ServerRequestContext>, root: Router<ServerRequestContext>) {
        api.get("campaigns/:id/escalation-policy") { _, context -> PolicyAnswer in
            _ = try context.require(.admin, .planner)
            let id = try context.parameters.require("id")
            guard try await repository.campaign(id: id) != nil else { throw Problem.notFound("campaign", id) }
            guard let stored = try await repository.escalationPolicy(campaignId: id) else {
                throw Problem(
                    .notFound, "Not found",
                    detail: "campaign \"\(id)\" has no escalation policy yet; PUT one to this address")
            }
            return PolicyAnswer(
                campaignId: id, policy: stored.policy, updatedAt: stored.updatedAt, updatedBy: stored.updatedBy)
        }
        api.put("campaigns/:id/escalation-policy") { request, context -> PolicyAnswer in
            let principal = try context.require(.admin, .planner)
            let id = try context.parameters.require("id")
            guard try await repository.campaign(id: id) != nil else { throw Problem.notFound("campaign", id) }
            let policy = try await Self.read(request, limit: configuration.maxJSONBytes)
            let now = Date()
            try await repository.setEscalationPolicy(campaignId: id, policy, actor: principal.actor, at: now)
            context.logger.info(
                "campaign.escalation_policy_set",
                metadata: ["campaign.id": "\(id)", "policy.steps": "\(policy.steps.count)"])
            return PolicyAnswer(campaignId: id, policy: policy, updatedAt: now, updatedBy: principal.actor)
        }
        api.get("escalations") { request, context -> ListResponse<EscalationRecord> in
            _ = try context.require(.admin, .planner)
            let status = request.uri.queryParameters.get("status")
            if let status, !Self.statuses.contains(status) {
                throw Problem.invalid("status", "`status` must be open, acknowledged or resolved, got \"\(status)\"")
            }
            let limit = request.uri.queryParameters.get("limit", as: Int.self) ?? 100
            guard (1...1000).contains(limit) else { throw Problem.invalid("limit", "`limit` must be 1…1000") }
            return ListResponse(
                items: try await repository.escalations(
                    status: status, campaignId: request.uri.queryParameters.get("campaign_id"), limit: limit))
        }
        api.get("escalations/:id") { _, context -> EscalationRecord in
            _ = try context.require(.admin, .planner)
            let id = try context.parameters.require("id")
            guard let record = try await repository.escalation(id: id) else { throw Problem.notFound("escalation", id) }
            return record
        }
        for action in [EscalationLinks.Action.ack, .resolve] {
            api.post("escalations/:id/\(action.rawValue)") { _, context -> EscalationRecord in
                let principal = try context.require(.admin, .planner)
                let id = try context.parameters.require("id")
                switch try await apply(action, id: id, actor: principal.actor) {
                case .notFound: throw Problem.notFound("escalation", id)
                case .unchanged(let status) where action == .ack && status == "resolved":
                    throw Problem.conflict("status", "escalation \"\(id)\" is already resolved")
                case .changed, .unchanged: break
                }
                guard let record = try await repository.escalation(id: id) else {
                    throw Problem.notFound("escalation", id)
                }
                return record
            }
            // The link in a message: no login, the signed token is the permission.
            root.get("escalations/:id/\(action.rawValue)") { request, context -> Response in
                let id = try context.parameters.require("id")
                let links = EscalationLinks(secret: try await repository.escalationLinkSecret(now: Date()))
                guard let token = request.uri.queryParameters.get("token"),
                    let claim = links.check(token, escalationId: id, action: action, now: Date())
                else {
                    return Self.page(
                        .forbidden, title: "Link not valid",
                        text: "This link is not valid or has expired (links work for 7 days). "
                            + "Open the escalation in the dashboard instead.", language: "en")
                }
                let es = claim.language == "es"
                let outcome = try await apply(action, id: id, actor: "link:\(claim.role)")
                switch (outcome, action) {
                case (.notFound, _):
                    return Self.page(
                        .notFound, title: es ? "No encontrado" : "Not found",
                        text: es ? "Este escalamiento ya no existe." : "This escalation no longer exists.",
                        language: claim.language)
                case (.changed, .ack):
                    return Self.page(
                        .ok, title: es ? "Confirmado" : "Acknowledged",
                        text: es
                            ? "Gracias: el escalamiento se detuvo. Márcalo resuelto cuando quede corregido."
                            : "Thank you: escalation stopped. Resolve it once it is fixed.",
                        language: claim.language)
                case (.changed, .resolve):
                    return Self.page(
                        .ok, title: es ? "Resuelto" : "Resolved",
                        text: es ? "El escalamiento quedó resuelto." : "The escalation is resolved.",
                        language: claim.language)
                case (.unchanged(let status), _):
                    return Self.page(
                        .ok, title: es ? "Sin cambios" : "No change",
                        text: es ? "El escalamiento ya estaba en estado \(status)." : "The escalation was already \(status).",
                        language: claim.language)
                }
            }
        }
    }

    private func apply(_ action: EscalationLinks.Action, id: String, actor: String) async throws -> EscalationChange {
        switch action {
        case .ack: try await repository.acknowledgeEscalation(id: id, actor: actor, now: Date())
        case .resolve: try await repository.resolveEscalation(id: id, actor: actor, now: Date())
        }
    }

    private static func page(_ status: HTTPResponse.Status, title: String, text: String, language: String) -> Response {
        Response(
            status: status,
            headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(
                byteBuffer: ByteBuffer(string: EscalationTexts.page(title: title, text: text, language: language))))
    }

    /// The body as JSON, or YAML when the content type says so; problems name the field at fault.
    static func read(_ request: Request, limit: Int) async throws -> EscalationPolicy {
        let buffer = try await request.bodyBytes(limit: limit)
        let text = String(decoding: buffer.readableBytesView, as: UTF8.self)
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        do {
            return try EscalationPolicy.parse(text, json: !contentType.contains("yaml"))
        } catch {
            throw Problem.invalid(error.field, error.description)
        }
    }
}
