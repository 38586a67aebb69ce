/// A refused inventory operation: an impossible equipment transition or an invalid value.
public struct InventoryError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: Sendable, Equatable {
        case impossibleTransition(from: EquipmentState, event: String)
        case missingField(String)
    }

    private let code: Code

    /// The event cannot happen in the item's current state (e.g. delivering an item that was never shipped).
    public static func impossibleTransition(from state: EquipmentState, event: String) -> InventoryError {
        InventoryError(code: .impossibleTransition(from: state, event: event))
    }

    /// A transition needs a value that was not given (e.g. a tracking number to ship).
    public static func missingField(_ name: String) -> InventoryError {
        InventoryError(code: .missingField(name))
    }

    /// The field the error is about, when it is about one.
    public var field: String? {
        switch code {
        case .impossibleTransition: return "state"
        case .missingField(let name): return name
        }
    }

    public var description: String {
        switch code {
        case .impossibleTransition(let state, let event):
            let allowed = EquipmentLifecycle.allowedEvents(from: state).map(\.rawValue)
            let hint = allowed.isEmpty ? "no further transitions are possible" : "possible now: \(allowed.joined(separator: ", "))"
            return "cannot \(event) an item that is \(state.rawValue); \(hint)"
        case .missingField(let name):
            return "`\(name)` is required for this transition"
        }
    }
}
