/// A piece of equipment a role needs at home.
public struct EquipmentRequirement: Codable, Sendable, Equatable {
    public var kind: EquipmentKind
    public var severity: Severity
    public var remediation: String?
    /// Roles this applies to; empty means every role using the profile.
    public var roles: [String]

    public init(kind: EquipmentKind, severity: Severity = .critical, remediation: String? = nil, roles: [String] = []) {
        self.kind = kind
        self.severity = severity
        self.remediation = remediation
        self.roles = roles
    }
}

/// Equipment the agent's own check can detect.
public enum EquipmentKind: String, Codable, Sendable, CaseIterable {
    case usbHeadset = "usb_headset"
    case headset
    case wiredLink = "wired_link"
    case secondScreen = "second_screen"
    case webcam
}
