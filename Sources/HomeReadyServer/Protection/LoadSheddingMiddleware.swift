import Foundation
import Hummingbird

/// Refuses requests beyond `maxInFlight` at once with 429 and `Retry-After` instead of queueing them until the
/// server collapses; `/healthz` and `/metrics` always pass so monitoring sees an overloaded server.
struct LoadSheddingMiddleware<Context: RequestContext>: RouterMiddleware {
    let gate: InFlightGate
    let retryAfterSeconds: Int
    static var exempt: Set<String> { ["/healthz", "/metrics"] }

    init(maxInFlight: Int, retryAfterSeconds: Int) {
        gate = InFlightGate(maximum: maxInFlight)
        self.retryAfterSeconds = retryAfterSeconds
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        if Self.exempt.contains(request.uri.path) { return try await next(request, context) }
        guard gate.enter() else {
            context.logger.notice("server.shed", metadata: ["server.in_flight": "\(gate.maximum)"])
            throw TooManyRequests(
                retryAfter: retryAfterSeconds,
                detail: "the server is busy (\(gate.maximum) requests in progress); retry after \(retryAfterSeconds) s")
        }
        defer { gate.leave() }
        return try await next(request, context)
    }
}

/// A 429 problem with a `Retry-After` header.
struct TooManyRequests: Error, HTTPResponseError {
    var retryAfter: Int
    var detail: String

    var status: HTTPResponse.Status { .tooManyRequests }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try Problem(.tooManyRequests, "Too many requests", detail: detail)
            .response(from: request, context: context)
        response.headers[.retryAfter] = String(retryAfter)
        return response
    }
}
