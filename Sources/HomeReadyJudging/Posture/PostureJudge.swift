import HomeReadyModel

/// Judges posture results against the profile's posture checks: severity, title and remediation come from the
/// profile, only the status and evidence from the report. Pure.
public enum PostureJudge {
    /// The gate finding when the profile has requirements that did not pass, then one finding per check of the
    /// profile (an `error` for a check the report has no result for). Nothing when posture was not run.
    public static func findings(_ results: [PostureResult]?, context: PostureContext?, profile: Profile) -> [Finding] {
        guard let results else { return [] }
        if profile.requirements != nil, let gate = context?.requirements, gate.status != .pass {
            let title = profile.text(
                "posture.requirements.title",
                written: profile.requirements?.title ?? "Profile \(profile.id) applies to this endpoint")!
            let args: [String: TextArgument] = ["title": .localized(title), "evidence": .text(gate.evidence ?? "")]
            if gate.status == .notApplicable {
                return [
                    Finding(
                        id: "posture.requirements", section: .posture, severity: .info, status: .notApplicable,
                        text: LocalizedText("finding.posture.requirements.not_applicable", args))
                ]
            }
            return [
                Finding(
                    id: "posture.requirements", section: .posture, severity: .critical, status: .error,
                    text: LocalizedText("finding.posture.requirements.error", args),
                    fix: .key("fix.posture.requirements"))
            ]
        }
        return profile.posture.map { check in
            let id = "posture.\(check.id)"
            let title = TextArgument.localized(profile.text("\(id).title", written: check.title)!)
            guard let result = results.first(where: { $0.id == check.id }) else {
                return Finding(
                    id: id, section: .posture, severity: check.severity, status: .error,
                    text: LocalizedText("finding.posture.not_evaluated", ["title": title]),
                    fix: .key("fix.posture.not_evaluated"))
            }
            let text: LocalizedText
            switch result.status {
            case .pass: text = LocalizedText("finding.posture.pass", ["title": title])
            case .notApplicable: text = LocalizedText("finding.posture.not_applicable", ["title": title])
            default:
                let kind = result.status == .fail ? "fail" : result.status == .error ? "error" : "warn"
                text = result.evidence.map {
                    LocalizedText("finding.posture.\(kind)_detail", ["title": title, "evidence": .text($0)])
                } ?? LocalizedText("finding.posture.\(kind)", ["title": title])
            }
            var fix: LocalizedText?
            if result.status == .fail || result.status == .error,
                let remediation = profile.text("\(id).remediation", written: check.remediation)
            {
                fix = check.fixedBy == .it ? LocalizedText("check.fix.ask_it", ["fix": .localized(remediation)]) : remediation
            }
            return Finding(
                id: id, section: .posture, severity: check.severity, status: result.status, text: text, fix: fix)
        }
    }
}
