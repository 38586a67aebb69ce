import Foundation
import Hummingbird

/// Sites, campaigns, teams and roles: admins write, admins and planners read.
struct OrganisationRoutes {
    let repository: any InventoryRepository
    let configuration: ServerConfiguration

    struct NewSite: Decodable { var name: String; var timezone: String? }
    struct NewCampaign: Decodable {
        var name: String
        var profileId: String
        var cutoverDate: String
        var freshnessHours: Int?
        /// Whether a browser self-test report can make an agent ready (default false: a CLI check is required).
        var browserReportsCount: Bool?
    }
    struct CampaignChange: Decodable { var browserReportsCount: Bool? }
    struct NewTeam: Decodable { var name: String; var siteId: String? }
    struct NewRole: Decodable { var name: String; var kit: [String] }

    func add(to router: RouterGroup<ServerRequestContext>) {
        let limit = configuration.maxJSONBytes
        router.post("sites") { request, context in
            _ = try context.require(.admin)
            let body = try await request.decodeJSON(NewSite.self, limit: limit)
            try requireText(body.name, "name")
            return EditedResponse(status: .created, response: try await repository.createSite(name: body.name, timezone: body.timezone))
        }
        router.get("sites") { request, context in
            _ = try context.require(.admin, .planner)
            let (after, n) = try request.pagination
            return makePage(try await repository.sites(after: after, limit: n), limit: n, id: \.id)
        }
        router.post("campaigns") { request, context in
            _ = try context.require(.admin)
            let body = try await request.decodeJSON(NewCampaign.self, limit: limit)
            try requireText(body.name, "name")
            try requireText(body.profileId, "profile_id")
            guard (try? Date(body.cutoverDate + "T00:00:00Z", strategy: .iso8601)) != nil, body.cutoverDate.count == 10 else {
                throw Problem.invalid("cutover_date", "`cutover_date` must be a date such as 2026-12-01")
            }
            let hours = body.freshnessHours ?? 72
            guard hours > 0 else { throw Problem.invalid("freshness_hours", "`freshness_hours` must be positive") }
            var campaign = try await repository.createCampaign(
                name: body.name, profileId: body.profileId, cutoverDate: body.cutoverDate, freshnessHours: hours)
            if body.browserReportsCount == true {
                campaign = try await repository.setBrowserReportsCount(campaignId: campaign.id, true) ?? campaign
            }
            return EditedResponse(status: .created, response: campaign)
        }
        router.patch("campaigns/:id") { request, context in
            _ = try context.require(.admin)
            let id = try context.parameters.require("id")
            let body = try await request.decodeJSON(CampaignChange.self, limit: limit)
            guard let counts = body.browserReportsCount else {
                throw Problem(
                    .badRequest, "Missing field", detail: "`browser_reports_count` is required",
                    field: "browser_reports_count")
            }
            guard let campaign = try await repository.setBrowserReportsCount(campaignId: id, counts) else {
                throw Problem.notFound("campaign", id)
            }
            return campaign
        }
        router.get("campaigns") { request, context in
            _ = try context.require(.admin, .planner)
            let (after, n) = try request.pagination
            return makePage(try await repository.campaigns(after: after, limit: n), limit: n, id: \.id)
        }
        router.get("campaigns/:id") { request, context in
            _ = try context.require(.admin, .planner)
            let id = try context.parameters.require("id")
            guard let campaign = try await repository.campaign(id: id) else { throw Problem.notFound("campaign", id) }
            return campaign
        }
        router.post("teams") { request, context in
            _ = try context.require(.admin)
            let body = try await request.decodeJSON(NewTeam.self, limit: limit)
            try requireText(body.name, "name")
            return EditedResponse(status: .created, response: try await repository.createTeam(name: body.name, siteId: body.siteId))
        }
        router.get("teams") { request, context in
            _ = try context.require(.admin, .planner)
            let (after, n) = try request.pagination
            return makePage(try await repository.teams(after: after, limit: n), limit: n, id: \.id)
        }
        router.post("roles") { request, context in
            _ = try context.require(.admin)
            let body = try await request.decodeJSON(NewRole.self, limit: limit)
            try requireText(body.name, "name")
            for (index, kind) in body.kit.enumerated() { try requireText(kind, "kit[\(index)]") }
            return EditedResponse(status: .created, response: try await repository.createRole(name: body.name, kit: body.kit))
        }
        router.get("roles") { request, context in
            _ = try context.require(.admin, .planner)
            let (after, n) = try request.pagination
            return makePage(try await repository.roles(after: after, limit: n), limit: n, id: \.id)
        }
    }
}
