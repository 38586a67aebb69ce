import Foundation
import HomeReadyModel
import Hummingbird
import Synchronization

/// Readiness as an access signal (issue 20, point 6): the server's public key, and a signed, short-lived
/// statement of one agent's readiness that a contact-center platform or identity provider verifies offline.
struct ReadinessStatementRoutes {
    let repository: SQLRepository
    let configuration: ServerConfiguration
    let keys: ReadinessKeyCache

    init(repository: SQLRepository, configuration: ServerConfiguration) {
        self.repository = repository
        self.configuration = configuration
        self.keys = ReadinessKeyCache(repository: repository)
    }

    /// `GET /api/v1/readiness-key`: public material, no token (like `/openapi.yaml` and `/schemas/…`).
    struct PublishedKey: Codable, Sendable {
        /// `EdDSA` (RFC 8037).
        var algorithm: String
        /// `Ed25519`.
        var curve: String
        /// The RFC 7638 thumbprint, the `kid` of every statement signed with this key.
        var keyId: String
        /// The raw 32-byte public key, base64.
        var publicKey: String
        /// The same key as a JWK, for JOSE libraries.
        var jwk: JWK
        var createdAt: Date
        /// Seconds each statement counts for.
        var statementTtlSeconds: Int
    }

    /// An OKP JSON Web Key (RFC 8037).
    struct JWK: Codable, Sendable {
        var kty = "OKP"
        var crv = "Ed25519"
        var x: String
        var kid: String
        var alg = "EdDSA"
        var use = "sig"
    }

    /// `GET /api/v1/agents/{id}/readiness-statement` as JSON.
    struct Statement: Codable, Sendable {
        /// The compact JWS (`HEADER.PAYLOAD.SIGNATURE`): the only part a gate may trust.
        var statement: String
        var keyId: String
        var issuedAt: Date
        var expiresAt: Date
    }

    func add(to router: RouterGroup<ServerRequestContext>) {
        router.get("readiness-key") { _, _ -> Response in
            let key = try await keys.key()
            let x = Base64URL.encode(key.publicKey.rawRepresentation)
            let body = PublishedKey(
                algorithm: ReadinessSigningKey.algorithm, curve: "Ed25519", keyId: key.keyId,
                publicKey: key.publicKey.rawRepresentation.base64EncodedString(), jwk: JWK(x: x, kid: key.keyId),
                createdAt: key.createdAt, statementTtlSeconds: Int(configuration.readinessStatementSeconds))
            return try Self.json(body, cache: "public, max-age=300")
        }
        router.get("agents/:id/readiness-statement") { request, context -> Response in
            let id = try context.parameters.require("id")
            try authorizeAgent(id, context)
            guard let input = try await repository.readinessInput(agentId: id),
                let basis = try await repository.statementBasis(agentId: id)
            else { throw Problem.notFound("agent", id) }
            let key = try await keys.key()
            let now = Date()
            let result = Readiness.evaluate(input, now: now)
            let claims = ReadinessClaims(
                issuer: configuration.publicBaseURL ?? "homeready-server", agentId: id, employeeId: basis.employeeId,
                campaignId: basis.campaignId, status: result.status, evidence: input.evidence,
                reasons: result.reasons.map(\.code), reportId: basis.reportId, reportAt: basis.reportAt,
                issuedAt: now, expiresAt: now.addingTimeInterval(configuration.readinessStatementSeconds),
                keyId: key.keyId)
            let statement = try key.sign(claims)
            if let accept = request.headers[.accept], accept.contains("application/jwt") {
                return Response(
                    status: .ok, headers: [.contentType: "application/jwt", .cacheControl: "no-store"],
                    body: .init(byteBuffer: ByteBuffer(string: statement)))
            }
            return try Self.json(
                Statement(statement: statement, keyId: key.keyId, issuedAt: claims.issued, expiresAt: claims.expires),
                cache: "no-store")
        }
    }

    static func json(_ value: some Encodable, cache: String) throws -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json", .cacheControl: cache],
            body: .init(byteBuffer: ByteBuffer(bytes: try APICoding.encoder.encode(value))))
    }
}

/// The readiness key, read from the database once per process (it never changes while the server runs).
final class ReadinessKeyCache: Sendable {
    private let repository: SQLRepository
    private let cached = Mutex<ReadinessSigningKey?>(nil)

    init(repository: SQLRepository) { self.repository = repository }

    /// The key, loading (or, on a new database, creating) it on first use.
    func key() async throws -> ReadinessSigningKey {
        if let key = cached.withLock({ $0 }) { return key }
        let key = try await repository.readinessSigningKey(now: Date())
        cached.withLock { $0 = key }
        return key
    }
}
