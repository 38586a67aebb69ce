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
        var profileGraceHours: Int?
        var browserReportsCount: Bool?
    }
    struct CampaignSettings: Decodable {
        var profileGraceHours: Int?
        var browserReportsCount: Bool?
    }
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
            try Self.validate(graceHours: body.profileGraceHours)
            var campaign = try await repository.createCampaign(
                name: body.name, profileId: body.profileId, cutoverDate: body.cutoverDate, freshnessHours: hours)
            if body.profileGraceHours != nil || body.browserReportsCount != nil {
                campaign = try await repository.updateCampaign(
                    id: campaign.id, profileGraceHours: body.profileGraceHours,
                    browserReportsCount: body.browserReportsCount) ?? campaign
            }
            return EditedResponse(status: .created, response: campaign)
        }
        router.patch("campaigns/:id") { request, context in
            _ = try context.require(.admin)
            let id = try context.parameters.require("id")
            let body = try await request.decodeJSON(CampaignSettings.self, limit: limit)
            try Self.validate(graceHours: body.profileGraceHours)
            guard
                let campaign = try await repository.updateCampaign(
                    id: id, profileGraceHours: body.profileGraceHours, browserReportsCount: body.browserReportsCount)
            else { throw Problem.notFound("campaign", id) }
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
        if let shifts = repository as? any ShiftScheduleRepository {
            ShiftRoutes(repository: shifts, inventory: repository, configuration: configuration).add(to: router)
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

    static func validate(graceHours: Int?) throws {
        if let graceHours, !(0...8_760).contains(graceHours) {
            throw Problem.invalid("profile_grace_hours", "`profile_grace_hours` must be 0…8760 hours")
        }
    }
}
