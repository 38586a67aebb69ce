import Foundation
import HomeReadySelfTest
import Hummingbird

/// Personal self-test links for IT (admin): make one for an agent, a CSV of one per agent of a campaign, list an
/// agent's links, revoke one; and whether a campaign counts browser reports. The page itself is
/// `HomeReadySelfTest`'s.
struct SelfTestLinkRoutes {
    let repository: SQLRepository
    let backend: any SelfTestBackend
    let configuration: ServerConfiguration

    struct NewLink: Decodable {
        var expires: String?
        var maxUses: Int?
    }

    struct CreatedLink: Codable, Sendable, ResponseEncodable {
        var id: String
        var agentId: String
        var url: String
        var expiresAt: Date
        var maxUses: Int
    }

    /// A link as listed (never its token or URL: only its hash is stored).
    struct ListedLink: Codable, Sendable {
        var id: String
        var agentId: String
        var createdAt: Date
        var createdBy: String?
        var expiresAt: Date
        var revokedAt: Date?
        var maxUses: Int
        var uses: Int
        var lastUsedAt: Date?
        var state: SelfTestLinkState

        init(_ link: SelfTestLink, now: Date) {
            id = link.id
            agentId = link.agentId
            createdAt = link.createdAt
            createdBy = link.createdBy
            expiresAt = link.expiresAt
            revokedAt = link.revokedAt
            maxUses = link.maxUses
            uses = link.uses
            lastUsedAt = link.lastUsedAt
            state = link.state(at: now)
        }
    }

    /// The address links start with: `--public-url`, else the request's `Host` (HTTPS when the server serves TLS).
    static func baseURL(_ request: Request, _ configuration: ServerConfiguration) -> String {
        if let base = configuration.publicBaseURL { return base }
        let scheme = configuration.tlsCertificate != nil ? "https" : "http"
        let host = request.head.authority ?? "\(configuration.host):\(configuration.port)"
        return "\(scheme)://\(host)"
    }

    /// `expires` (`7d`, `12h`, `30m`; default 7 days) and `max_uses` (1…100; default 5), checked.
    static func options(expires: String?, maxUses: Int?) throws -> (TimeInterval, Int) {
        var lifetime = SelfTestLinks.defaultLifetime
        if let expires {
            guard let parsed = SelfTestLinks.parseLifetime(expires) else {
                throw Problem.invalid("expires", "`expires` must be a duration such as 7d, 12h or 30m (1 minute to 90 days)")
            }
            lifetime = parsed
        }
        let uses = maxUses ?? SelfTestLinks.defaultMaxUses
        guard (1...100).contains(uses) else { throw Problem.invalid("max_uses", "`max_uses` must be 1…100") }
        return (lifetime, uses)
    }

    func add(to router: RouterGroup<ServerRequestContext>) {
        let limit = configuration.maxJSONBytes
        router.post("agents/:id/self-test-links") { request, context in
            let principal = try context.require(.admin)
            let id = try context.parameters.require("id")
            let buffer = try await request.bodyBytes(limit: limit)
            var body = NewLink()
            if buffer.readableBytes > 0 {
                do { body = try APICoding.decoder.decode(NewLink.self, from: Data(buffer.readableBytesView)) } catch {
                    throw Problem.decoding(error)
                }
            }
            let (lifetime, uses) = try Self.options(expires: body.expires, maxUses: body.maxUses)
            guard try await repository.agent(id: id) != nil else { throw Problem.notFound("agent", id) }
            let (link, url) = try await SelfTestLinks.create(
                agentId: id, lifetime: lifetime, maxUses: uses, createdBy: principal.actor,
                baseURL: Self.baseURL(request, configuration), backend: backend)
            context.logger.info("selftest.link.created", metadata: ["selftest.link": "\(link.id)", "agent.id": "\(id)"])
            return EditedResponse(
                status: .created,
                response: CreatedLink(id: link.id, agentId: id, url: url, expiresAt: link.expiresAt, maxUses: link.maxUses))
        }
        router.get("agents/:id/self-test-links") { request, context in
            _ = try context.require(.admin)
            let id = try context.parameters.require("id")
            guard try await repository.agent(id: id) != nil else { throw Problem.notFound("agent", id) }
            let now = Date()
            return ListResponse(items: try await backend.selfTestLinks(agentId: id).map { ListedLink($0, now: now) })
        }
        router.delete("self-test-links/:id") { request, context in
            _ = try context.require(.admin)
            let id = try context.parameters.require("id")
            guard let link = try await backend.revokeSelfTestLink(id: id, at: Date()) else {
                throw Problem.notFound("self-test link", id)
            }
            context.logger.info("selftest.link.revoked", metadata: ["selftest.link": "\(id)"])
            return EditedResponse(status: .ok, response: ListedLink(link, now: Date()))
        }
        // POST, not GET: it makes links (a GET must be safe to repeat), and admin POSTs are audited.
        router.post("campaigns/:id/self-test-links.csv") { request, context in
            let principal = try context.require(.admin)
            let id = try context.parameters.require("id")
            let query = request.uri.queryParameters
            let (lifetime, uses) = try Self.options(
                expires: query.get("expires"), maxUses: try query.get("max_uses").map {
                    guard let n = Int($0) else { throw Problem.invalid("max_uses", "`max_uses` must be a number") }
                    return n
                })
            guard try await repository.campaign(id: id) != nil else { throw Problem.notFound("campaign", id) }
            let base = Self.baseURL(request, configuration)
            var csv = "employee_id,name,url,expires_at\r\n"
            for agent in try await repository.campaignAgents(campaignId: id) {
                let (link, url) = try await SelfTestLinks.create(
                    agentId: agent.id, lifetime: lifetime, maxUses: uses, createdBy: principal.actor, baseURL: base,
                    backend: backend)
                csv += [agent.employeeId, agent.name, url, link.expiresAt.formatted(.iso8601)].map(Self.csvField)
                    .joined(separator: ",") + "\r\n"
            }
            return Response(
                status: .created,
                headers: [
                    .contentType: "text/csv; charset=utf-8", .cacheControl: "no-store",
                    .contentDisposition: "attachment; filename=\"self-test-links-\(id).csv\"",
                ], body: .init(byteBuffer: ByteBuffer(string: csv)))
        }
    }

    /// A CSV field, quoted when it holds a comma, quote or line break; a leading `=`, `+`, `-` or `@` is
    /// prefixed with `'` so spreadsheets do not run it as a formula.
    static func csvField(_ value: String) -> String {
        var value = value
        if let first = value.first, "=+-@".contains(first) { value = "'" + value }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

extension SelfTestLinkRoutes.ListedLink: ResponseEncodable {}
