import Foundation
import HomeReadyModel
import HomeReadyProfiles
import Hummingbird

/// A campaign's shift windows (issue 20, point 5): `PUT/GET /api/v1/campaigns/{id}/shifts`. Admins and planners
/// set and read them; enrolled devices receive them with their profile (`GET /api/v1/device/profile`).
struct ShiftRoutes {
    let repository: any ShiftScheduleRepository
    let inventory: any InventoryRepository
    let configuration: ServerConfiguration

    /// The answer of both routes.
    struct Schedule: Encodable, Sendable, ResponseEncodable {
        var campaignId: String
        var shifts: [ShiftWindow]
        var leadMinutes: Int
        var everyMinutes: Int
        /// The `OnCalendar=` values the agents' timers will use, for review.
        var onCalendar: [String]
        var updatedAt: Date?
        var updatedBy: String?

        init(campaignId: String, stored: StoredShiftSchedule?) {
            let schedule = stored?.schedule
            self.campaignId = campaignId
            shifts = schedule?.shifts ?? []
            leadMinutes = schedule?.leadMinutes ?? ShiftSchedule.defaultLeadMinutes
            everyMinutes = schedule?.everyMinutes ?? ShiftSchedule.defaultEveryMinutes
            onCalendar = schedule?.onCalendarExpressions() ?? []
            updatedAt = stored?.updatedAt
            updatedBy = stored?.updatedBy
        }
    }

    func add(to router: RouterGroup<ServerRequestContext>) {
        router.get("campaigns/:id/shifts") { _, context -> Schedule in
            _ = try context.require(.admin, .planner)
            let id = try context.parameters.require("id")
            guard try await inventory.campaign(id: id) != nil else { throw Problem.notFound("campaign", id) }
            return Schedule(campaignId: id, stored: try await repository.shiftSchedule(campaignId: id))
        }
        router.put("campaigns/:id/shifts") { request, context -> Schedule in
            let principal = try context.require(.admin, .planner)
            let id = try context.parameters.require("id")
            guard try await inventory.campaign(id: id) != nil else { throw Problem.notFound("campaign", id) }
            let schedule = try await Self.read(request, limit: configuration.maxJSONBytes)
            do {
                try await repository.setShiftSchedule(campaignId: id, schedule, actor: principal.actor, at: Date())
            } catch let error as StorageError {
                throw Problem(error)
            }
            context.logger.info(
                "campaign.shifts_set", metadata: ["campaign.id": "\(id)", "shifts.count": "\(schedule.shifts.count)"])
            return Schedule(campaignId: id, stored: try await repository.shiftSchedule(campaignId: id))
        }
    }

    /// The body as JSON, or YAML when the content type says so; problems name the field at fault.
    static func read(_ request: Request, limit: Int) async throws -> ShiftSchedule {
        let buffer = try await request.bodyBytes(limit: limit)
        let data = Data(buffer.readableBytesView)
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        do {
            if contentType.contains("yaml") {
                return try ShiftSchedule.load(yaml: String(decoding: data, as: UTF8.self), name: "body")
            }
            return try JSONDecoder().decode(ShiftSchedule.self, from: data)
        } catch let error as ShiftScheduleError {
            throw Problem.invalid(error.field, error.description)
        } catch {
            throw Problem(.badRequest, "Malformed JSON", detail: "the body is not valid JSON: \(error)")
        }
    }
}
