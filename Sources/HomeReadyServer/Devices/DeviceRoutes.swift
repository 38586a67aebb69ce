import Crypto
import Foundation
import HomeReadyModel
import HomeReadyProfiles
import Hummingbird

/// Device administration and the enrolled device's own endpoints.
struct DeviceRoutes {
    let repository: any InventoryRepository
    let devices: any DeviceRepository
    let configuration: ServerConfiguration

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
    }

    func add(to router: RouterGroup<ServerRequestContext>) {
        router.post("devices/:id/revoke") { request, context in
            _ = try context.require(.admin)
            let id = try context.parameters.require("id")
            let body = (try? await request.decodeJSON(Revoke.self, limit: configuration.maxJSONBytes)) ?? Revoke()
            guard let device = try await devices.revokeDevice(id: id, reason: body.reason, at: Date()) else {
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
            guard let yaml = Self.profileText(id: campaign.profileId, directories: configuration.profileDirectories) else {
                throw Problem(
                    .notFound, "Profile not found",
                    detail: "profile \"\(campaign.profileId)\" of campaign \(campaign.name) is not in the server's profile folders; add it with --profiles DIR")
            }
            let etag = SHA256.hash(data: Data(yaml.utf8)).prefix(16).hexEncoded
            if let match = request.headers[.ifNoneMatch], match.trimmingCharacters(in: CharacterSet(charactersIn: "\" ")) == etag {
                return Response(status: .notModified, headers: [.eTag: "\"\(etag)\""])
            }
            let version = (try? ProfileLoader().load(yaml: yaml, name: campaign.profileId).version) ?? 1
            let body = AssignedProfile(profileId: campaign.profileId, version: version, etag: etag, yaml: yaml)
            var response = try body.response(from: request, context: context)
            response.headers[.eTag] = "\"\(etag)\""
            return response
        }
    }

    /// The YAML of profile `id` from `directories`, then ./Profiles, then the built-in set.
    static func profileText(id: String, directories: [String]) -> String? {
        guard id.range(of: "^[A-Za-z0-9._-]+$", options: .regularExpression) != nil, !id.hasPrefix(".") else { return nil }
        var folders = directories.map { URL(fileURLWithPath: $0) }
        folders.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("Profiles"))
        if let builtin = ProfileSearchPath.builtinDirectory { folders.append(builtin) }
        for folder in folders {
            for name in ["\(id).yaml", "\(id).yml"] {
                if let text = try? String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8) { return text }
            }
        }
        return nil
    }
}
