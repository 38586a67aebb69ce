import HomeReadyLocalization
import HomeReadyModel

/// Renders a report for the person at the computer, in their language: the verdict first, then every finding with
/// its fix. Each figure is said once, in human units. Technical detail (check ids, raw figures, facts and device
/// names the posture rules read) appears only with `verbose`, for IT.
public enum ReportRenderer {
    /// Texts whose variant without technical detail is what the agent reads; `--verbose` shows the detailed one.
    public static let plainVariants = [
        "finding.posture.fail_detail": "finding.posture.fail",
        "finding.posture.error_detail": "finding.posture.error",
        "finding.posture.warn_detail": "finding.posture.warn",
        "finding.vpn.gateway_detail": "finding.vpn.gateway",
        "finding.equipment.wrong_item_detail": "finding.equipment.wrong_item",
        "finding.vpn.stun.pass_nat": "finding.vpn.stun.pass",
        "finding.vpn.stun.pass_open": "finding.vpn.stun.pass",
    ]

    public static func render(_ report: CheckReport, localizer: Localizer = .english, verbose: Bool = false) -> String {
        let say = localizer
        var lines: [String] = []
        lines.append(
            say("check.title", [
                "agent": .text(report.agent.employeeID), "host": .text(report.agent.hostname),
                "profile": .text(report.profile.id), "version": .text(String(report.profile.version)),
            ]))
        lines.append(say("check.verdict", ["verdict": .term("verdict.\(report.verdict.rawValue)")]))
        lines.append("")
        for finding in report.findings {
            lines.append("  [\(say("mark.\(finding.status.rawValue)"))] \(message(finding, say, verbose: verbose))")
            if verbose {
                var facts = [finding.id]
                if let measured = finding.measured { facts.append("measured \(measured)\(finding.unit.map { " \($0)" } ?? "")") }
                if let limit = finding.limit { facts.append("limit \(limit)\(finding.unit.map { " \($0)" } ?? "")") }
                lines.append("         (\(facts.joined(separator: "; ")))")
            }
            if finding.status == .fail || finding.status == .warn || finding.status == .error,
                let fix = fix(finding, say)
            {
                lines.append("         \(fix)")
            }
        }
        if !verbose {
            lines.append("")
            lines.append(say("check.details_hint"))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The finding's sentence in the reader's language (the English `message` for reports made before findings
    /// carried their text).
    static func message(_ finding: Finding, _ say: Localizer, verbose: Bool) -> String {
        guard var text = finding.messageText else { return finding.message }
        if !verbose, let key = text.key, let plain = plainVariants[key] { text.key = plain }
        return say.render(text)
    }

    /// "Fix: …", or "Ask IT: …" when the profile says an administrator must do it.
    static func fix(_ finding: Finding, _ say: Localizer) -> String? {
        guard let text = finding.remediationText else {
            return finding.remediation.map { say("check.fix", ["fix": .text($0)]) }
        }
        if text.key == "check.fix.ask_it" { return say.render(text) }
        return say("check.fix", ["fix": .localized(text)])
    }
}
