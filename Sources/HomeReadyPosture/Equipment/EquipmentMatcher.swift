import HomeReadyModel

/// Detects the equipment the profile knows of from the collected facts. What it means for readiness is the
/// judge's (`EquipmentJudge`).
public enum EquipmentMatcher {
    /// One result per known equipment kind (what was detected), marked `required` for the profile's
    /// requirements that apply to `role`.
    public static func detect(_ requirements: [EquipmentRequirement], role: String?, facts: FactSet) -> [EquipmentResult] {
        let applicable = EquipmentRequirement.applicable(requirements, role: role)
        return EquipmentKind.allCases.map { kind in
            let detection = detect(kind, facts: facts)
            return EquipmentResult(
                kind: kind.rawValue, present: detection.present ?? false, detail: detection.detail,
                required: applicable.contains { $0.kind == kind } ? true : nil,
                undetermined: detection.present == nil ? true : nil,
                identities: kind == .usbHeadset || kind == .headset ? usbAudioIdentities(facts) : nil)
        }
    }

    /// USB identities (`VVVV:PPPP` or `VVVV:PPPP:SERIAL`) of the USB audio devices, from `audio.usb_devices`
    /// (each entry starts with the identity, the product name follows).
    static func usbAudioIdentities(_ facts: FactSet) -> [String]? {
        guard case .list(let devices)? = facts["audio.usb_devices"] else { return nil }
        return devices.compactMap { $0.split(separator: " ").first.map { String($0).lowercased() } }
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
}
