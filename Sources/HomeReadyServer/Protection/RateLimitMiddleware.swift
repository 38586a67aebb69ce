import Foundation
import Hummingbird
import NIOCore

/// Rate-limits chosen routes (by method and exact path) per client address with token buckets.
struct RateLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    /// One limited route.
    struct Rule: Sendable {
        var method: HTTPRequest.Method
        var path: String
        var limiter: TokenBucketLimiter
    }

    let rules: [Rule]
    /// A header set by a trusted reverse proxy holding the client address (e.g. `X-Real-IP`); nil uses the peer.
    let clientAddressHeader: String?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let path = request.uri.path
        guard let rule = rules.first(where: { $0.method == request.method && $0.path == path }) else {
            return try await next(request, context)
        }
        let client = clientKey(request, context: context)
        if case .refused(let seconds) = rule.limiter.acquire(client) {
            context.logger.notice("server.rate_limited", metadata: ["http.path": "\(path)", "client": "\(client)"])
            throw TooManyRequests(
                retryAfter: seconds,
                detail: "too many attempts from this address (\(rule.limiter.limit.burst) at once, "
                    + "\(Int(rule.limiter.limit.perMinute)) a minute); retry after \(seconds) s")
        }
        return try await next(request, context)
    }

    func clientKey(_ request: Request, context: Context) -> String {
        if let name = clientAddressHeader?.lowercased(),
            let value = request.headers.first(where: { $0.name.canonicalName == name })?.value
        {
            // A proxy's X-Forwarded-For lists hops; the last one is the address the proxy saw.
            let last = value.split(separator: ",").last.map { String($0.trimmingSpaces) } ?? ""
            if !last.isEmpty { return last }
        }
        if let address = (context as? any RemoteAddressRequestContext)?.remoteAddress {
            return address.ipAddress ?? address.description
        }
        return "unknown"
    }
}
