import Foundation
import HomeReadyDashboard
import HomeReadyModel

/// The dashboard's instruction form over the server's instruction logic: the same checks as
/// `POST /api/v1/instructions` (`InstructionRoutes.validate`) and the same fan-out (`sendInstruction`).
struct DashboardInstructionSender: DashboardInstructions {
    let repository: SQLRepository

    func sendInstruction(_ request: DashboardInstructionRequest, by user: String) async throws -> Int {
        let texts = request.texts.compactMapValues {
            let text = $0.trimmingCharacters(in: .whitespacesAndNewlines)
            return text.isEmpty ? nil : text
        }
        var body = InstructionRoutes.Send(kind: request.kind)
        switch request.targetType {
        case "agent": body.agentId = request.target
        case "team": body.team = request.target
        case "campaign": body.campaignId = request.target
        default: throw DashboardFieldError(field: "target", message: "choose an agent, a team or a campaign")
        }
        guard ["check_now", "message"].contains(request.kind) else {
            throw DashboardFieldError(field: "kind", message: "choose a check now or a message")
        }
        if request.kind == "message" {
            // The text shown when the agent's language has none: English, else Spanish.
            body.text = texts["en"] ?? texts["es"]
            body.texts = texts.isEmpty ? nil : texts
        }
        do {
            let new = try InstructionRoutes.validate(body, now: Date(), actor: "dashboard:\(user)")
            return try await repository.sendInstruction(new, now: Date()).recipients
        } catch let problem as Problem {
            throw DashboardFieldError(field: problem.field ?? "target", message: problem.detail)
        } catch let error as StorageError {
            throw DashboardFieldError(field: error.field ?? "target", message: error.message)
        }
    }

    func sentInstructions(limit: Int) async throws -> [DashboardSentInstruction] {
        try await repository.instructions(limit: limit).map {
            DashboardSentInstruction(
                kind: $0.kind.rawValue, targetType: $0.targetType, targetId: $0.targetId, text: $0.text,
                recipients: $0.recipients, fetched: $0.fetched, acknowledged: $0.acknowledged, createdAt: $0.createdAt,
                createdBy: $0.createdBy)
        }
    }
}
