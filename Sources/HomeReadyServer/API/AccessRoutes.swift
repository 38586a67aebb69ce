import Foundation
import Hummingbird

/// Tokens, enrollment codes and device enrollment.
struct AccessRoutes {
    let repository: any InventoryRepository
    let configuration: ServerConfiguration

    struct NewToken: Decodable { var role: Principal.Role; var label: String? }
    struct IssuedToken: Codable, Sendable, ResponseEncodable { var id: String; var token: String; var role: Principal.Role }
    struct NewCode: Decodable { var employeeId: String; var ttlHours: Int? }
    struct IssuedCode: Codable, Sendable, ResponseEncodable { var code: String; var agentId: String; var expiresAt: Date }
    struct Enrollment: Decodable {
        var code: String
        /// Base64 of the raw 32-byte Ed25519 public key.
        var publicKey: String?
        var hostname: String?
    }
    struct Enrolled: Codable, Sendable, ResponseEncodable {
        var deviceId: String
        var agentId: String
        var employeeId: String
        var token: String
        var profileId: String?
    }

    func add(to router: RouterGroup<ServerRequestContext>) {
        let limit = configuration.maxJSONBytes
        router.post("tokens") { request, context in
            _ = try context.require(.admin)
            let body = try await request.decodeJSON(NewToken.self, limit: limit)
            guard body.role != .device else {
                throw Problem.invalid("role", "device tokens come from enrollment (POST /api/v1/enroll)")
            }
            let secret = Tokens.generate()
            let id = try await repository.createToken(
                hash: Tokens.hash(secret), role: body.role, deviceId: nil, label: body.label, at: Date())
            return EditedResponse(status: .created, response: IssuedToken(id: id, token: secret, role: body.role))
        }
        router.post("enrollment-codes") { request, context in
            _ = try context.require(.admin)
            let body = try await request.decodeJSON(NewCode.self, limit: limit)
            let hours = body.ttlHours ?? 72
            guard (1...24 * 30).contains(hours) else {
                throw Problem.invalid("ttl_hours", "`ttl_hours` must be 1…720")
            }
            guard let agent = try await repository.agent(employeeId: body.employeeId) else {
                throw Problem.invalid("employee_id", "no agent has employee id \"\(body.employeeId)\"")
            }
            let code = Tokens.generate(prefix: "enr_")
            let now = Date()
            let expires = now.addingTimeInterval(Double(hours) * 3600)
            try await repository.createEnrollmentCode(hash: Tokens.hash(code), agentId: agent.id, expiresAt: expires, at: now)
            return EditedResponse(status: .created, response: IssuedCode(code: code, agentId: agent.id, expiresAt: expires))
        }
        router.post("enroll") { request, context in try await enroll(request, context: context) }
    }

    /// `POST /api/v1/enroll` (no token: the code is the credential): spends the code, creates the device and its
    /// token, and tells the agent its profile.
    func enroll(_ request: Request, context: ServerRequestContext) async throws -> EditedResponse<Enrolled> {
        let body = try await request.decodeJSON(Enrollment.self, limit: configuration.maxJSONBytes)
        if let key = body.publicKey {
            guard let raw = Data(base64Encoded: key), raw.count == 32 else {
                throw Problem.invalid("public_key", "`public_key` must be the base64 of a raw 32-byte Ed25519 key")
            }
        }
        let token = Tokens.generate()
        guard
            let device = try await repository.enroll(
                codeHash: Tokens.hash(body.code), publicKey: body.publicKey, hostname: body.hostname,
                tokenHash: Tokens.hash(token), at: Date())
        else {
            throw Problem(
                .forbidden, "Enrollment refused",
                detail: "the code is unknown, used or expired; ask IT for a new enrollment code", field: "code")
        }
        let agent = try await repository.agent(id: device.agentId)
        var profileId: String?
        if let campaignId = agent?.campaignId { profileId = try await repository.campaign(id: campaignId)?.profileId }
        return EditedResponse(
            status: .created,
            response: Enrolled(
                deviceId: device.id, agentId: device.agentId, employeeId: agent?.employeeId ?? "", token: token,
                profileId: profileId))
    }
}
