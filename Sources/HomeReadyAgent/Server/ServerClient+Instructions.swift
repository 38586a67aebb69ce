import Foundation
import HomeReadyModel

extension ServerClient {
    /// Polls `GET /api/v1/device/instructions`; nil when the server answered `304` to `etag` (nothing new).
    public func instructions(ifNoneMatch etag: String?) async throws(AgentError) -> DeviceInstructions? {
        guard let response = try await conditionalGet("api/v1/device/instructions", ifNoneMatch: etag) else {
            return nil
        }
        guard let answer = try? ReportCoding.decoder().decode(DeviceInstructions.self, from: response.body) else {
            throw AgentError.serverRefused(
                status: response.status, detail: "the instructions answer is not what this agent reads")
        }
        return answer
    }

    /// `POST /api/v1/device/instructions/{id}/ack`: the instruction was handled and is not delivered again.
    public func acknowledgeInstruction(id: String) async throws(AgentError) {
        let escaped = id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? id
        let path = "api/v1/device/instructions/\(escaped)/ack"
        let response = try await exchange(
            HTTPExchange.Request(
                method: "POST", url: serverURL.appendingPathComponent(path), headers: authorization, body: Data(),
                timeoutSeconds: 20))
        guard response.status == 200 else {
            throw AgentError.serverRefused(status: response.status, detail: response.problemDetail)
        }
    }
}
