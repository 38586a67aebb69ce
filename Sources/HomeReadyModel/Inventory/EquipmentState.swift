/// Where an equipment item stands in its life from request to return.
public enum EquipmentState: String, Codable, Sendable, CaseIterable {
    case requested, allocated, shipped, delivered, accepted, verified, returned, lost, faulty

    /// States that end an item's life with an agent; `lost` and `faulty` items may get a replacement.
    public var isTerminal: Bool {
        switch self {
        case .returned, .lost, .faulty: return true
        default: return false
        }
    }

    /// Whether the item has physically reached the agent and is still with them.
    public var isWithAgent: Bool {
        self == .delivered || self == .accepted || self == .verified
    }
}

/// Something that happens to an equipment item.
public enum EquipmentEventKind: String, Codable, Sendable, CaseIterable {
    case allocate, ship, deliver, accept, verify
    case `return`
    case reportLost = "report_lost"
    case reportFaulty = "report_faulty"
}

/// An event with the values it carries.
public struct EquipmentEvent: Codable, Sendable, Equatable {
    public var kind: EquipmentEventKind
    /// Carrier name, for `ship`.
    public var carrier: String?
    /// Tracking number, for `ship`.
    public var trackingNumber: String?
    /// Free text kept in the audit log.
    public var note: String?
    /// The USB identity of the very device (`VVVV:PPPP` or `VVVV:PPPP:SERIAL`, hex), recorded by IT at
    /// shipment or acceptance.
    public var usbIdentity: String?

    public init(
        _ kind: EquipmentEventKind, carrier: String? = nil, trackingNumber: String? = nil, note: String? = nil,
        usbIdentity: String? = nil
    ) {
        self.kind = kind
        self.carrier = carrier
        self.trackingNumber = trackingNumber
        self.note = note
        self.usbIdentity = usbIdentity
    }

    enum CodingKeys: String, CodingKey {
        case kind = "event"
        case carrier
        case trackingNumber = "tracking_number"
        case note
        case usbIdentity = "usb_identity"
    }
}
