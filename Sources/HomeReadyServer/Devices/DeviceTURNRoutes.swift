import Foundation
import HomeReadySelfTest
import Hummingbird

/// `GET /api/v1/device/turn-credentials`: short-lived TURN REST credentials for the enrolled device's agent, so
/// `homeready check` can allocate on the company's relays (the profile's `voice: turn:`) without ever holding
/// coturn's secret. The same minting as the browser self-test (`TURNCredentials.make`: username `EXPIRY:AGENTID`,
/// password base64(HMAC-SHA1(secret, username))), valid for `SelfTestConfiguration.turnCredentialSeconds`.
struct DeviceTURNRoutes {
    let repository: any ServerRepository
    let configuration: ServerConfiguration
    /// The clock the expiry is counted from.
    var now: @Sendable () -> Date = { Date() }

    /// What the device receives.
    struct Issued: Codable, Sendable, ResponseEncodable {
        var username: String
        var password: String
        var expiresAt: Date
        var ttlSeconds: Int
    }

    func add(to router: RouterGroup<ServerRequestContext>) {
        router.get("device/turn-credentials") { _, context in
            let principal = try context.require(.device)
            guard let agentId = principal.agentId, try await repository.agent(id: agentId) != nil else {
                throw Problem.unauthorized
            }
            guard let secret = configuration.turnSecret else {
                throw Problem(
                    .notFound, "No relay configured",
                    detail: "this server has no TURN secret (serve --turn-secret-file FILE with coturn's static-auth-secret), so it cannot hand out relay credentials")
            }
            let lifetime = configuration.selfTest.turnCredentialSeconds
            let credentials = TURNCredentials.make(secret: secret, agentId: agentId, now: now(), lifetime: lifetime)
            context.logger.debug("device.turn_credentials.issued", metadata: ["agent.id": "\(agentId)"])
            return Issued(
                username: credentials.username, password: credentials.credential, expiresAt: credentials.expiresAt,
                ttlSeconds: Int(lifetime))
        }
    }
}
