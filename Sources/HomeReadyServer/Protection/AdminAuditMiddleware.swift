import Foundation
import Hummingbird
import Logging
import Synchronization

/// Writes an audit entry for every POST, PUT, PATCH or DELETE made with an admin token, whatever its outcome.
///
/// Runs after `AuthenticationMiddleware`. A failure to write the entry is logged at error level and does not
/// change the response.
struct AdminAuditMiddleware: RouterMiddleware {
    let repository: any AdminAuditRepository
    let sequence = AuditSequence()
    static var mutating: Set<HTTPRequest.Method> { [.post, .put, .patch, .delete] }

    func handle(
        _ request: Request, context: ServerRequestContext,
        next: (Request, ServerRequestContext) async throws -> Response
    ) async throws -> Response {
        guard Self.mutating.contains(request.method), let principal = context.principal, principal.role == .admin
        else { return try await next(request, context) }
        do {
            let response = try await next(request, context)
            await record(request, context: context, tokenId: principal.tokenId, status: Int(response.status.code))
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            await record(request, context: context, tokenId: principal.tokenId, status: Int(status))
            throw error
        }
    }

    private func record(_ request: Request, context: ServerRequestContext, tokenId: String, status: Int) async {
        let now = Date()
        let entry = AdminAuditEntry(
            id: SQLRepository.auditID(at: now, sequence: sequence.next()), at: now, tokenId: tokenId, tokenLabel: nil,
            method: request.method.rawValue, path: request.uri.path, status: status, requestId: context.id)
        do {
            try await repository.recordAdminAction(entry)
        } catch {
            context.logger.error(
                "audit.write_failed",
                metadata: ["http.method": "\(entry.method)", "http.path": "\(entry.path)", "error": "\(error)"])
        }
    }
}

/// Numbers this process's audit entries in order.
final class AuditSequence: Sendable {
    private let value = Mutex(0)

    func next() -> Int {
        value.withLock { value in
            value = (value + 1) % 10_000_000_000
            return value
        }
    }
}

/// `GET /api/v1/audit`: the admin audit trail, newest first, paginated (admin only).
struct AdminAuditRoutes {
    let repository: any AdminAuditRepository

    func add(to router: RouterGroup<ServerRequestContext>) {
        router.get("audit") { request, context in
            _ = try context.require(.admin)
            let (after, limit) = try request.pagination
            let items = try await repository.adminAudit(after: after, limit: limit)
            return makePage(items, limit: limit, id: \.id)
        }
    }
}

extension AdminAuditEntry: ResponseEncodable {}
