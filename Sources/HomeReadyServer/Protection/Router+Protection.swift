import Foundation
import Hummingbird

/// Adds load shedding, rate limits, authentication and the admin audit trail, in that order.
func addProtection(
    to router: Router<ServerRequestContext>, repository: any InventoryRepository, configuration: ServerConfiguration
) {
    if configuration.maxInFlightRequests > 0 {
        router.add(
            middleware: LoadSheddingMiddleware<ServerRequestContext>(
                maxInFlight: configuration.maxInFlightRequests, retryAfterSeconds: configuration.shedRetryAfterSeconds))
    }
    router.add(
        middleware: RateLimitMiddleware<ServerRequestContext>(
            rules: [
                RateLimitMiddleware<ServerRequestContext>.Rule(
                    method: .post, path: "/api/v1/enroll", limiter: TokenBucketLimiter(limit: configuration.enrollRateLimit)),
                RateLimitMiddleware<ServerRequestContext>.Rule(
                    method: .post, path: "/login", limiter: TokenBucketLimiter(limit: configuration.signInRateLimit)),
            ],
            clientAddressHeader: configuration.clientAddressHeader))
    router.add(middleware: AuthenticationMiddleware(repository: repository))
    if let audit = repository as? any AdminAuditRepository {
        router.add(middleware: AdminAuditMiddleware(repository: audit))
    }
}
