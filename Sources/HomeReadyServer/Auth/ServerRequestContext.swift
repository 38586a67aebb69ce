import Foundation
import HomeReadyModel
import HomeReadySpeedTest
import Hummingbird
import NIOCore

/// The request context: who is calling, and JSON coders for the API's snake_case wire format.
public struct ServerRequestContext: RequestContext, RemoteAddressRequestContext, SpeedTestRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `AuthenticationMiddleware` when a valid token was sent.
    public var principal: Principal?
    /// The peer's address (rate limits key on it).
    public let remoteAddress: SocketAddress?
    /// The connection's event loop (the speed-test download keeps pace with it).
    public let connectionEventLoop: any EventLoop

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        principal = nil
        remoteAddress = source.channel.remoteAddress
        connectionEventLoop = source.channel.eventLoop
    }

    public var requestDecoder: JSONDecoder { APICoding.decoder }
    public var responseEncoder: JSONEncoder { APICoding.encoder }

    /// The caller when its role is one of `roles`; throws 401 without a token, 403 with another role.
    func require(_ roles: Principal.Role...) throws -> Principal {
        guard let principal else { throw Problem.unauthorized }
        guard roles.contains(principal.role) else { throw Problem.forbidden(principal.role) }
        return principal
    }
}

/// JSON coders for the API: snake_case keys, ISO-8601 times.
enum APICoding {
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    static var decoder: JSONDecoder {
        let decoder = ReportCoding.decoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }
}

/// Resolves `Authorization: Bearer TOKEN` to a principal (by the token's SHA-256, compared in constant time).
///
/// Found principals are cached for `cacheTTL` (default 5 s) per process, so a busy device costs one lookup per
/// TTL instead of one per request. The price: a token or device revoked in the database keeps working on an
/// instance for at most `cacheTTL`. Unknown tokens are never cached (a new token works at once).
struct AuthenticationMiddleware: RouterMiddleware {
    let repository: any InventoryRepository
    let cache: ExpiringCache<String, Principal>

    init(repository: any InventoryRepository, cacheTTL: Duration = .seconds(5)) {
        self.repository = repository
        self.cache = ExpiringCache(ttl: cacheTTL)
    }

    func handle(
        _ request: Request, context: ServerRequestContext,
        next: (Request, ServerRequestContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        if let header = request.headers[.authorization] {
            guard header.hasPrefix("Bearer ") else { throw Problem.unauthorized }
            let hash = Tokens.hash(String(header.dropFirst("Bearer ".count).trimmingSpaces))
            context.principal = try await principal(hash: hash)
        }
        return try await next(request, context)
    }

    /// The principal of a token hash, from the cache (keyed by the hash, so the cache never holds a secret) or
    /// the database; throws 401 when unknown or revoked.
    func principal(hash: String) async throws -> Principal {
        try await cache.value(for: hash) {
            guard let found = try await repository.principal(tokenHash: hash),
                Tokens.constantTimeEquals(found.storedHash, hash)
            else { throw Problem.unauthorized }
            return found.principal
        }
    }
}
