import Foundation

/// An instruction IT sends from the dashboard's form: a check now or a message (in Spanish, English or both) to
/// one agent, a team or a campaign.
public struct DashboardInstructionRequest: Sendable, Equatable {
    /// `agent`, `team` or `campaign`.
    public var targetType: String
    /// The agent's id, or the team's or campaign's id or name.
    public var target: String
    /// `check_now` or `message`.
    public var kind: String
    /// The message by language (`es`, `en`); empty for a check.
    public var texts: [String: String]

    public init(targetType: String, target: String, kind: String, texts: [String: String]) {
        self.targetType = targetType
        self.target = target
        self.kind = kind
        self.texts = texts
    }
}

/// An instruction as sent, for the list under the form.
public struct DashboardSentInstruction: Sendable, Equatable {
    public var kind: String
    public var targetType: String
    public var targetId: String
    public var text: String?
    public var recipients: Int
    public var fetched: Int
    public var acknowledged: Int
    public var createdAt: Date
    public var createdBy: String?

    public init(
        kind: String, targetType: String, targetId: String, text: String?, recipients: Int, fetched: Int,
        acknowledged: Int, createdAt: Date, createdBy: String?
    ) {
        self.kind = kind
        self.targetType = targetType
        self.targetId = targetId
        self.text = text
        self.recipients = recipients
        self.fetched = fetched
        self.acknowledged = acknowledged
        self.createdAt = createdAt
        self.createdBy = createdBy
    }
}

/// Sends instructions from IT to agents through the server's instruction logic (the same checks and fan-out as
/// `POST /api/v1/instructions`). Without one the dashboard shows no instruction page.
public protocol DashboardInstructions: Sendable {
    /// Sends one; returns how many agents it went to. Throws `DashboardFieldError` for bad input.
    func sendInstruction(_ request: DashboardInstructionRequest, by user: String) async throws -> Int
    /// The latest instructions sent, newest first.
    func sentInstructions(limit: Int) async throws -> [DashboardSentInstruction]
}
