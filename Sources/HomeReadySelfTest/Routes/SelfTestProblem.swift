import Foundation
import HomeReadyHTTP
import Hummingbird

/// A refused self-test request as RFC 9457 `application/problem+json`, in the same shape as the rest of the API
/// (`type`, `title`, `status`, `detail`, `field`) plus `code`, a stable reason the page turns into a sentence in the
/// agent's language (`link_unknown`, `link_expired`, `link_revoked`, `link_used_up`, …).
public struct SelfTestProblem: Error, HTTPResponseError, Sendable, Equatable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var title: String
    public var detail: String
    public var field: String?
    public var code: String?

    public init(_ status: HTTPResponse.Status, _ title: String, detail: String, field: String? = nil, code: String? = nil) {
        self.status = status
        self.title = title
        self.detail = detail
        self.field = field
        self.code = code
    }

    public var description: String { "\(status.code) \(title): \(detail)" }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        try ProblemDocument(status: status, title: title, detail: detail, field: field, code: code)
            .response(headers: SelfTestRoutes.securityHeaders)
    }

    /// The link is not known (never made, or mistyped).
    static let unknownLink = SelfTestProblem(
        .notFound, "Link not found",
        detail: "no self-test link has this address; ask your supervisor or IT for a new link", code: "link_unknown")

    /// The link can no longer be used.
    static func unusable(_ state: SelfTestLinkState) -> SelfTestProblem {
        switch state {
        case .expired:
            return SelfTestProblem(
                .gone, "Link expired", detail: "this self-test link has expired; ask your supervisor or IT for a new link",
                code: "link_expired")
        case .revoked:
            return SelfTestProblem(
                .gone, "Link revoked", detail: "this self-test link was cancelled; ask your supervisor or IT for a new link",
                code: "link_revoked")
        case .usedUp, .active:
            return SelfTestProblem(
                .gone, "Link used up",
                detail: "this self-test link has been used as many times as it allows; ask your supervisor or IT for a new link",
                code: "link_used_up")
        }
    }
}
