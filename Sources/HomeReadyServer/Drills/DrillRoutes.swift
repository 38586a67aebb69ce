import Foundation
import HomeReadyDashboard
import HomeReadyModel
import Hummingbird

/// Continuity drills (issue 20, point 4): `POST /api/v1/drills` starts one over a campaign or a site with a
/// deadline (the RTO) and asks every agent in scope to check; `GET /api/v1/drills/{id}` follows it; `GET
/// /api/v1/drills` is the history with the KPIs. Design: docs/drills.md.
struct DrillRoutes {
    let drills: Drills
    let configuration: ServerConfiguration

    init(repository: SQLRepository, configuration: ServerConfiguration) {
        drills = Drills(repository: repository, now: configuration.drillClock)
        self.configuration = configuration
    }

    /// `POST /api/v1/drills`: exactly one of `campaign_id`, `site_id`.
    struct Start: Decodable {
        var campaignId: String?
        var siteId: String?
        var deadlineMinutes: Int?
        var targetReadyShare: Double?
        var name: String?
    }

    func add(to router: RouterGroup<ServerRequestContext>) {
        router.post("drills") { request, context in
            let principal = try context.require(.admin, .planner)
            let body = try await request.decodeJSON(Start.self, limit: configuration.maxJSONBytes)
            let new: NewDrill
            do {
                new = try Drills.validate(
                    campaignId: body.campaignId, siteId: body.siteId, deadlineMinutes: body.deadlineMinutes,
                    targetReadyShare: body.targetReadyShare, name: body.name, createdBy: principal.actor)
            } catch let error as DashboardFieldError {
                throw Problem.invalid(error.field, error.message)
            }
            return EditedResponse(status: .created, response: try await drills.start(new))
        }
        router.get("drills") { request, context in
            _ = try context.require(.admin, .planner)
            let limit = request.uri.queryParameters.get("limit", as: Int.self) ?? 50
            guard (1...500).contains(limit) else { throw Problem.invalid("limit", "`limit` must be 1…500") }
            return ListResponse(items: try await drills.drills(limit: limit))
        }
        router.get("drills/:id") { _, context in
            _ = try context.require(.admin, .planner)
            let id = try context.parameters.require("id")
            guard let detail = try await drills.drill(id: id) else { throw Problem.notFound("drill", id) }
            return detail
        }
    }
}

extension DrillDetail: ResponseEncodable {}
extension DrillSummary: ResponseEncodable {}
