import Foundation
import Hummingbird

/// Adds load shedding and the per-address rate limits; goes before authentication so refused requests cost no
/// database work.
func addTrafficProtection(to router: Router<ServerRequestContext>, configuration: ServerConfiguration) {
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
}

/// Adds the admin audit trail; goes after authentication (it needs the principal).
func addAdminAudit(to router: Router<ServerRequestContext>, repository: any AdminAuditRepository) {
    router.add(middleware: AdminAuditMiddleware(repository: repository))
}
