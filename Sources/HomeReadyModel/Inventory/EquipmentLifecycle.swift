import Foundation

/// The lifecycle of one equipment item as a value: transitions are `mutating` and return what the caller must do.
///
/// requested → allocated → shipped → delivered → accepted → verified, and from any state with the agent
/// (delivered, accepted, verified) or in transit: returned | lost | faulty. A lost or faulty item asks for a
/// replacement (a new item, requested). Impossible transitions throw `InventoryError` and change nothing.
public struct EquipmentLifecycle: Sendable, Equatable {
    public private(set) var state: EquipmentState
    public private(set) var carrier: String?
    public private(set) var trackingNumber: String?
    public private(set) var shippedAt: Date?
    public private(set) var deliveredAt: Date?

    /// What the caller must do after a transition.
    public enum Action: Sendable, Equatable {
        /// Append to the audit log.
        case audit(from: EquipmentState, to: EquipmentState)
        /// Create a replacement item of the same kind for the same agent.
        case requestReplacement
        /// Tell IT (webhook): the item is faulty.
        case notifyFaulty
        /// Tell IT (webhook): the item is lost.
        case notifyLost
    }

    public init(
        state: EquipmentState = .requested, carrier: String? = nil, trackingNumber: String? = nil,
        shippedAt: Date? = nil, deliveredAt: Date? = nil
    ) {
        self.state = state
        self.carrier = carrier
        self.trackingNumber = trackingNumber
        self.shippedAt = shippedAt
        self.deliveredAt = deliveredAt
    }

    /// The state an event leads to from `state`, or nil when the event is impossible there.
    public static func target(of event: EquipmentEventKind, from state: EquipmentState) -> EquipmentState? {
        switch (state, event) {
        case (.requested, .allocate): return .allocated
        case (.allocated, .ship): return .shipped
        case (.shipped, .deliver): return .delivered
        case (.delivered, .accept): return .accepted
        case (.delivered, .verify), (.accepted, .verify): return .verified
        case (.delivered, .return), (.accepted, .return), (.verified, .return), (.allocated, .return): return .returned
        case (.shipped, .reportLost), (.delivered, .reportLost), (.accepted, .reportLost), (.verified, .reportLost):
            return .lost
        case (.allocated, .reportFaulty), (.delivered, .reportFaulty), (.accepted, .reportFaulty),
            (.verified, .reportFaulty):
            return .faulty
        default: return nil
        }
    }

    /// The events possible from a state, in lifecycle order.
    public static func allowedEvents(from state: EquipmentState) -> [EquipmentEventKind] {
        EquipmentEventKind.allCases.filter { target(of: $0, from: state) != nil }
    }

    /// Applies an event at a time; throws without changing anything when the transition is impossible.
    @discardableResult
    public mutating func apply(_ event: EquipmentEvent, at time: Date) throws(InventoryError) -> [Action] {
        guard let next = Self.target(of: event.kind, from: state) else {
            throw .impossibleTransition(from: state, event: event.kind.rawValue)
        }
        if event.kind == .ship {
            guard let carrier = event.carrier, !carrier.isEmpty else { throw .missingField("carrier") }
            guard let tracking = event.trackingNumber, !tracking.isEmpty else { throw .missingField("tracking_number") }
            self.carrier = carrier
            self.trackingNumber = tracking
            shippedAt = time
        }
        if event.kind == .deliver { deliveredAt = time }
        let previous = state
        state = next
        var actions: [Action] = [.audit(from: previous, to: next)]
        if next == .lost { actions += [.notifyLost, .requestReplacement] }
        if next == .faulty { actions += [.notifyFaulty, .requestReplacement] }
        return actions
    }

    /// Whether a shipped item is overdue: shipped more than `days` days before `now` and not delivered.
    public func isOverdue(now: Date, days: Int) -> Bool {
        guard state == .shipped, let shippedAt else { return false }
        return now.timeIntervalSince(shippedAt) > Double(days) * 86_400
    }
}
