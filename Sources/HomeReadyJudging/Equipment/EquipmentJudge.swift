import HomeReadyModel

/// Judges detected equipment against the profile's requirements for the agent's role and, where the server knows
/// it, against the very items shipped to the agent. Pure.
public enum EquipmentJudge {
    /// One finding per requirement that applies to `role`. `translations` are the profile's translations of its
    /// remediations (`Profile.translations`).
    public static func findings(
        _ results: [EquipmentResult], requirements: [EquipmentRequirement], role: String?, shipped: ShippedEquipment,
        translations: [String: [String: String]]? = nil
    ) -> [Finding] {
        EquipmentRequirement.applicable(requirements, role: role).map { requirement in
            let kind = requirement.kind
            let id = "equipment.\(kind.rawValue)"
            let item = TextArgument.term("equipment.\(kind.rawValue)")
            let result = results.first { $0.kind == kind.rawValue }
            var status: FindingStatus
            var text: LocalizedText
            switch (result?.present, result?.undetermined == true) {
            case (nil, _):
                status = .error
                text = LocalizedText("finding.equipment.not_checked", ["item": item])
            case (_, true):
                status = .warn
                text = LocalizedText("finding.equipment.undetermined", ["item": item])
            case (true?, _):
                status = .pass
                text = LocalizedText("finding.equipment.pass", ["item": item])
            case (false?, _):
                status = .fail
                text = LocalizedText("finding.equipment.fail", ["item": item])
            }
            var fix = LocalizedText.written(requirement.remediation, path: "\(id).remediation", translations: translations)
                ?? defaultRemediation(kind, status)
            if status == .pass, let expected = shipped.identities[kind], !expected.isEmpty {
                let seen = result?.identities ?? []
                if !expected.contains(where: { wanted in seen.contains { ShippedEquipment.matches(seen: $0, expected: wanted) } }) {
                    status = .fail
                    // What IT needs to tell the items apart; the agent's screen shows it with --verbose.
                    let detail = "expected \(expected.joined(separator: " or ")), seen "
                        + (seen.isEmpty ? "no USB audio device" : seen.joined(separator: ", "))
                    text = LocalizedText("finding.equipment.wrong_item_detail", ["item": item, "detail": .text(detail)])
                    fix = .key("fix.equipment.wrong_item")
                }
            }
            return Finding(
                id: id, section: .equipment, severity: requirement.severity, status: status,
                measured: result?.detail.map(FindingValue.text), text: text, fix: status == .pass ? nil : fix)
        }
    }

    private static func defaultRemediation(_ kind: EquipmentKind, _ status: FindingStatus) -> LocalizedText {
        if status == .warn { return .key("fix.equipment.undetermined") }
        if status == .error { return .key("fix.equipment.not_checked") }
        switch kind {
        case .usbHeadset, .headset: return .key("fix.equipment.headset")
        case .wiredLink: return .key("fix.equipment.wired_link")
        case .secondScreen: return .key("fix.equipment.second_screen")
        case .webcam: return .key("fix.equipment.webcam")
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
