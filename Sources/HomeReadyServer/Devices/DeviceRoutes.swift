import Crypto
import Foundation
import HomeReadyModel
import HomeReadyProfiles
import Hummingbird

/// Device administration and the enrolled device's own endpoints.
struct DeviceRoutes {
    let repository: any ServerRepository
    let configuration: ServerConfiguration
    /// The assigned profiles as served (each version served is recorded, so reports are judged with it).
    let profiles: AssignedProfiles

    struct Revoke: Decodable { var reason: String? }
    struct Revoked: Codable, Sendable, ResponseEncodable {
        var deviceId: String
        var agentId: String
        var revokedAt: Date?
    }
    struct AssignedProfile: Codable, Sendable, ResponseEncodable {
        var profileId: String
        var version: Int
        var etag: String
        var yaml: String
        /// The campaign's shifts, which the agent's timer follows (issue 20, point 5); absent without shifts.
        var schedule: ShiftSchedule?
    }

    func add(to router: RouterGroup<ServerRequestContext>) {
        router.post("devices/:id/revoke") { request, context in
            _ = try context.require(.admin)
            let id = try context.parameters.require("id")
            let body = (try? await request.decodeJSON(Revoke.self, limit: configuration.maxJSONBytes)) ?? Revoke()
            guard let device = try await repository.revokeDevice(id: id, reason: body.reason, at: Date()) else {
                throw Problem.notFound("device", id)
            }
            context.logger.info("device.revoked", metadata: ["device.id": "\(id)"])
            return Revoked(deviceId: device.id, agentId: device.agentId, revokedAt: device.revokedAt)
        }
        router.get("device/profile") { request, context in
            let principal = try context.require(.device)
            guard let agentId = principal.agentId, let agent = try await repository.agent(id: agentId) else {
                throw Problem.unauthorized
            }
            guard let campaignId = agent.campaignId, let campaign = try await repository.campaign(id: campaignId) else {
                throw Problem(
                    .notFound, "No profile assigned",
                    detail: "agent \(agent.employeeId) has no campaign, so no profile is assigned; IT sets the campaign")
            }
            guard let served = try await profiles.served(campaign.profileId) else {
                throw Problem(
                    .notFound, "Profile not found",
                    detail: "profile \"\(campaign.profileId)\" of campaign \(campaign.name) is not in the server's profile folders; add it with --profiles DIR")
            }
            let schedule = try await (repository as? any ShiftScheduleRepository)?.shiftSchedule(campaignId: campaignId)
            let etag = Self.etag(profileDigest: served.digest, schedule: schedule?.schedule)
            if let match = request.headers[.ifNoneMatch], match.trimmingCharacters(in: CharacterSet(charactersIn: "\" ")) == etag {
                return Response(status: .notModified, headers: [.eTag: "\"\(etag)\""])
            }
            let body = AssignedProfile(
                profileId: campaign.profileId, version: served.current.version, etag: etag, yaml: served.yaml,
                schedule: schedule?.schedule)
            var response = try body.response(from: request, context: context)
            response.headers[.eTag] = "\"\(etag)\""
            return response
        }
    }

    /// The profile's ETag: its digest, joined with the schedule's when the campaign has shifts, so a changed
    /// schedule reaches devices that hold the profile.
    static func etag(profileDigest: String, schedule: ShiftSchedule?) -> String {
        guard let schedule, let data = try? ShiftCoding.encoder.encode(schedule) else { return profileDigest }
        return profileDigest + "-" + SHA256.hash(data: data).prefix(8).hexEncoded
    }
}

/// Stable JSON for digests of a schedule.
enum ShiftCoding {
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}
