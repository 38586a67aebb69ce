import Foundation
import HomeReadyVoicePath

extension ServerClient {
    /// Fetches short-lived TURN credentials for this device's agent (`GET /api/v1/device/turn-credentials`), for
    /// the voice path's TURN check. Throws `AgentError.serverRefused` when the server has no relay configured (404)
    /// or refuses the device.
    public func turnCredentials() async throws(AgentError) -> TURNCredentials {
        let response = try await exchange(
            HTTPExchange.Request(
                method: "GET", url: serverURL.appendingPathComponent("api/v1/device/turn-credentials"),
                headers: authorization, timeoutSeconds: 20))
        guard response.status == 200 else {
            throw AgentError.serverRefused(status: response.status, detail: response.problemDetail)
        }
        struct Wire: Decodable {
            var username: String
            var password: String
        }
        guard let wire = try? JSONDecoder().decode(Wire.self, from: response.body) else {
            throw AgentError.serverRefused(status: response.status, detail: "the TURN credentials answer is not what this agent reads")
        }
        return TURNCredentials(username: wire.username, password: wire.password)
    }
}

extension EnrolledAgent {
    /// TURN credentials for the enrolled device from its server.
    public func turnCredentials(_ enrollment: DeviceEnrollment) async throws(AgentError) -> TURNCredentials {
        guard let url = URL(string: enrollment.serverURL) else {
            throw AgentError.invalidConfiguration("bad server URL in enrollment")
        }
        let client = ServerClient(serverURL: url, transport: makeTransport(enrollment.trust), token: enrollment.token)
        return try await client.turnCredentials()
    }
}
