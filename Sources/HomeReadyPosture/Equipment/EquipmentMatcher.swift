import HomeReadyModel

/// Matches the profile's equipment requirements against the collected facts.
public enum EquipmentMatcher {
    /// One result per known equipment kind (what was detected), marked `required` for the profile's
    /// requirements that apply to `role`, plus a finding for each required kind.
    public static func match(
        _ requirements: [EquipmentRequirement], role: String?, facts: FactSet
    ) -> (results: [EquipmentResult], findings: [Finding]) {
        let applicable = requirements.filter { $0.roles.isEmpty || role.map($0.roles.contains) == true }
        var results: [EquipmentResult] = []
        var findings: [Finding] = []
        for kind in EquipmentKind.allCases {
            let detection = detect(kind, facts: facts)
            let requirement = applicable.first { $0.kind == kind }
            results.append(
                EquipmentResult(
                    kind: kind.rawValue, present: detection.present ?? false, detail: detection.detail,
                    required: requirement == nil ? nil : true))
            guard let requirement else { continue }
            let status: FindingStatus
            switch detection.present {
            case true?: status = .pass
            case false?: status = .fail
            case nil: status = .warn
            }
            findings.append(
                Finding(
                    id: "equipment.\(kind.rawValue)", section: .equipment, severity: requirement.severity,
                    status: status,
                    measured: .text(detection.detail), message: message(kind, status),
                    remediation: status == .pass ? nil : requirement.remediation ?? defaultRemediation(kind, status)))
        }
        return (results, findings)
    }

    /// Whether the equipment is there (`nil` when this endpoint cannot tell), with what was seen.
    static func detect(_ kind: EquipmentKind, facts: FactSet) -> (present: Bool?, detail: String) {
        switch kind {
        case .secondScreen:
            guard case .number(let screens)? = facts["display.screens"] else {
                return (nil, "screen count unknown on this endpoint")
            }
            return (screens >= 2, "\(Int(screens)) screen\(screens == 1 ? "" : "s") connected")
        case .usbHeadset, .headset:
            guard case .flag(let present)? = facts[kind.factName] else { return (nil, "audio devices unknown") }
            let devices: String
            if case .list(let cards)? = facts["audio.devices"], !cards.isEmpty {
                devices = cards.joined(separator: ", ")
            } else {
                devices = "no sound card"
            }
            return (present, present ? devices : "no \(kind == .usbHeadset ? "USB " : "")headset among: \(devices)")
        case .wiredLink:
            guard case .flag(let present)? = facts["network.wired_up"] else { return (nil, "interfaces unknown") }
            let interfaces: String
            if case .list(let list)? = facts["network.interfaces"], !list.isEmpty {
                interfaces = list.joined(separator: ", ")
            } else {
                interfaces = "no physical interface"
            }
            return (present, interfaces)
        case .webcam:
            guard case .flag(let present)? = facts["usb.webcam"] else { return (nil, "USB devices unknown") }
            return (present, present ? "USB video device present" : "no USB video device")
        }
    }

    private static func message(_ kind: EquipmentKind, _ status: FindingStatus) -> String {
        let name: String
        switch kind {
        case .usbHeadset: name = "USB headset"
        case .headset: name = "Headset"
        case .wiredLink: name = "Wired network link"
        case .secondScreen: name = "Second screen"
        case .webcam: name = "Webcam"
        }
        switch status {
        case .pass: return "\(name) detected"
        case .fail: return "\(name) not detected"
        default: return "\(name): cannot tell on this endpoint"
        }
    }

    private static func defaultRemediation(_ kind: EquipmentKind, _ status: FindingStatus) -> String {
        if status == .warn {
            return "Check by hand that it is connected, and tell IT if this endpoint cannot detect it."
        }
        switch kind {
        case .usbHeadset, .headset:
            return "Plug in the headset IT shipped you (USB port, not a hub), then run the check again."
        case .wiredLink: return "Connect the laptop to your router with the network cable instead of Wi-Fi."
        case .secondScreen: return "Connect the second screen IT shipped you and switch it on."
        case .webcam: return "Plug in the webcam IT shipped you."
        }
    }
}
