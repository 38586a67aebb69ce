import HomeReadyModel

/// Judges detected equipment against the profile's requirements for the agent's role and, where the server knows
/// it, against the very items shipped to the agent. Pure.
public enum EquipmentJudge {
    /// One finding per requirement that applies to `role`.
    public static func findings(
        _ results: [EquipmentResult], requirements: [EquipmentRequirement], role: String?, shipped: ShippedEquipment
    ) -> [Finding] {
        EquipmentRequirement.applicable(requirements, role: role).map { requirement in
            let kind = requirement.kind
            let result = results.first { $0.kind == kind.rawValue }
            var status: FindingStatus
            var message: String
            switch (result?.present, result?.undetermined == true) {
            case (nil, _):
                status = .error
                message = "\(name(kind)): not checked"
            case (_, true):
                status = .warn
                message = "\(name(kind)): cannot tell on this endpoint"
            case (true?, _):
                status = .pass
                message = "\(name(kind)) detected"
            case (false?, _):
                status = .fail
                message = "\(name(kind)) not detected"
            }
            var remediation = requirement.remediation ?? defaultRemediation(kind, status)
            if status == .pass, let expected = shipped.identities[kind], !expected.isEmpty {
                let seen = result?.identities ?? []
                if !expected.contains(where: { wanted in seen.contains { ShippedEquipment.matches(seen: $0, expected: wanted) } }) {
                    status = .fail
                    message = "A \(name(kind).lowercased()) is connected, but not the one IT shipped you (expected "
                        + "\(expected.joined(separator: " or ")), seen \(seen.isEmpty ? "no USB audio device" : seen.joined(separator: ", ")))"
                    remediation = "Plug in the headset IT shipped you (check the label on the box); if you use another one, ask IT to record it."
                }
            }
            return Finding(
                id: "equipment.\(kind.rawValue)", section: .equipment, severity: requirement.severity, status: status,
                measured: result?.detail.map(FindingValue.text), message: message,
                remediation: status == .pass ? nil : remediation)
        }
    }

    private static func name(_ kind: EquipmentKind) -> String {
        switch kind {
        case .usbHeadset: return "USB headset"
        case .headset: return "Headset"
        case .wiredLink: return "Wired network link"
        case .secondScreen: return "Second screen"
        case .webcam: return "Webcam"
        }
    }

    private static func defaultRemediation(_ kind: EquipmentKind, _ status: FindingStatus) -> String {
        if status == .warn {
            return "Check by hand that it is connected, and tell IT if this endpoint cannot detect it."
        }
        if status == .error { return "Run the full check (`homeready check`) so the equipment is detected." }
        switch kind {
        case .usbHeadset, .headset:
            return "Plug in the headset IT shipped you (USB port, not a hub), then run the check again."
        case .wiredLink: return "Connect the laptop to your router with the network cable instead of Wi-Fi."
        case .secondScreen: return "Connect the second screen IT shipped you and switch it on."
        case .webcam: return "Plug in the webcam IT shipped you."
        }
    }
}

/// The identities of the items shipped to one agent, by kind, as IT recorded them (`VVVV:PPPP` or
/// `VVVV:PPPP:SERIAL`, hex). Empty when nothing was recorded: then any device of the kind counts.
public struct ShippedEquipment: Sendable, Equatable {
    public var identities: [EquipmentKind: [String]]

    public init(identities: [EquipmentKind: [String]] = [:]) {
        self.identities = identities
    }

    /// Nothing recorded.
    public static let unknown = ShippedEquipment()

    /// Whether a seen identity is the expected one: vendor and product equal, and the serial too when the
    /// expected identity has one. Case does not matter.
    public static func matches(seen: String, expected: String) -> Bool {
        let seenParts = seen.lowercased().split(separator: ":", omittingEmptySubsequences: false)
        let wanted = expected.lowercased().split(separator: ":", omittingEmptySubsequences: false)
        guard seenParts.count >= 2, wanted.count >= 2, seenParts[0] == wanted[0], seenParts[1] == wanted[1] else {
            return false
        }
        return wanted.count < 3 || wanted[2].isEmpty || (seenParts.count >= 3 && seenParts[2] == wanted[2])
    }

    /// Whether `identity` is written as `VVVV:PPPP` or `VVVV:PPPP:SERIAL` with four-digit hex ids.
    public static func isValid(_ identity: String) -> Bool {
        let parts = identity.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || (parts.count == 3 && !parts[2].isEmpty) else { return false }
        return parts.prefix(2).allSatisfy { $0.count == 4 && $0.allSatisfy(\.isHexDigit) }
    }
}
