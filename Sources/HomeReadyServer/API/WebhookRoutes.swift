import Foundation
import Hummingbird

/// Webhook registration and delivery log (admin).
struct WebhookRoutes {
    let repository: any InventoryRepository
    let configuration: ServerConfiguration

    struct NewWebhook: Decodable { var url: String; var events: [WebhookEvent] }
    struct Created: Codable, Sendable, ResponseEncodable {
        var id: String
        var url: String
        var events: [WebhookEvent]
        /// The HMAC secret, shown once.
        var secret: String
    }

    func add(to router: RouterGroup<ServerRequestContext>) {
        router.post("webhooks") { request, context in
            _ = try context.require(.admin)
            let body = try await request.decodeJSON(NewWebhook.self, limit: configuration.maxJSONBytes)
            guard let url = URL(string: body.url), url.scheme == "http" || url.scheme == "https", url.host != nil else {
                throw Problem.invalid("url", "`url` must be an http:// or https:// URL")
            }
            guard !body.events.isEmpty else { throw Problem.invalid("events", "`events` must name at least one event") }
            let secret = Tokens.generate(prefix: "whsec_")
            let hook = try await repository.createWebhook(url: body.url, events: body.events, secret: secret, at: Date())
            return EditedResponse(status: .created, response: Created(id: hook.id, url: hook.url, events: hook.events, secret: secret))
        }
        router.get("webhooks/:id/deliveries") { request, context in
            _ = try context.require(.admin)
            let id = try context.parameters.require("id")
            let (after, n) = try request.pagination
            return makePage(try await repository.deliveries(webhookId: id, after: after, limit: n), limit: n, id: \.id)
        }
    }
}
