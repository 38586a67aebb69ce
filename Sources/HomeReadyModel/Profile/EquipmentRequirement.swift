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

    /// The requirements that apply to an agent of `role` (all role-free ones, and those naming the role).
    public static func applicable(_ requirements: [EquipmentRequirement], role: String?) -> [EquipmentRequirement] {
        requirements.filter { $0.roles.isEmpty || role.map($0.roles.contains) == true }
    }
}

/// Equipment the agent's own check can detect, each decided by one built-in fact.
public enum EquipmentKind: String, Codable, Sendable, CaseIterable {
    /// A USB audio device (`audio.usb_headset`).
    case usbHeadset = "usb_headset"
    /// Any headset: USB, or a sound card named headset/headphone (`audio.headset`).
    case headset
    /// A wired network link with carrier (`network.wired_up`).
    case wiredLink = "wired_link"
    /// Two or more connected screens (`display.screens >= 2`).
    case secondScreen = "second_screen"
    /// A USB video device (`usb.webcam`).
    case webcam

    /// The fact that decides this kind.
    public var factName: String {
        switch self {
        case .usbHeadset: return "audio.usb_headset"
        case .headset: return "audio.headset"
        case .wiredLink: return "network.wired_up"
        case .secondScreen: return "display.screens"
        case .webcam: return "usb.webcam"
        }
    }
}
