import Foundation

/// Events IT acts on, each sent to the webhooks subscribed to it.
public enum WebhookEvent: String, Codable, Sendable, CaseIterable {
    /// An agent's last check turned from passing (or none) to not ready / incomplete.
    case agentNotReady = "agent.not_ready"
    /// A shipment passed the overdue threshold without delivery (sent once per item).
    case shipmentOverdue = "shipment.overdue"
    case equipmentFaulty = "equipment.faulty"
    case equipmentLost = "equipment.lost"
    /// A report moved an agent's server-judged readiness across `ready` (ready → at risk, not ready or unknown,
    /// or back), with the old and the new status.
    case agentReadinessChanged = "agent.readiness_changed"
}

/// A registered webhook.
public struct WebhookRecord: Codable, Sendable, Equatable {
    public var id: String
    public var url: String
    public var events: [WebhookEvent]
}

/// One event to one webhook and where its delivery stands.
public struct DeliveryRecord: Codable, Sendable, Equatable {
    public var id: String
    public var webhookId: String
    public var event: String
    public var payload: String
    public var attempts: Int
    public var nextAttemptAt: Date?
    public var deliveredAt: Date?
    public var lastStatus: Int?
    public var lastError: String?
}

/// A delivery due now, with what is needed to send it.
struct DueDelivery: Sendable {
    var id: String
    var url: String
    var secret: String
    var event: String
    var payload: String
    var attempts: Int
}

/// The JSON body of every webhook POST.
struct WebhookPayload<Data: Encodable & Sendable>: Encodable, Sendable {
    var event: String
    var at: Date
    var data: Data
}
