import HomeReadyModel

/// Judges posture results against the profile's posture checks: severity, title and remediation come from the
/// profile, only the status and evidence from the report. Pure.
public enum PostureJudge {
    /// The gate finding when the profile has requirements that did not pass, then one finding per check of the
    /// profile (an `error` for a check the report has no result for). Nothing when posture was not run.
    public static func findings(_ results: [PostureResult]?, context: PostureContext?, profile: Profile) -> [Finding] {
        guard let results else { return [] }
        if profile.requirements != nil, let gate = context?.requirements, gate.status != .pass {
            let title = profile.requirements?.title ?? "Profile \(profile.id) applies to this endpoint"
            if gate.status == .notApplicable {
                return [
                    Finding(
                        id: "posture.requirements", section: .posture, severity: .info, status: .notApplicable,
                        message: "\(title): no (\(gate.evidence ?? "")); posture checks not applicable")
                ]
            }
            return [
                Finding(
                    id: "posture.requirements", section: .posture, severity: .critical, status: .error,
                    message: "\(title): cannot tell (\(gate.evidence ?? ""))",
                    remediation: "Fix the profile's requirements, or run the check where they can be evaluated.")
            ]
        }
        return profile.posture.map { check in
            guard let result = results.first(where: { $0.id == check.id }) else {
                return Finding(
                    id: "posture.\(check.id)", section: .posture, severity: check.severity, status: .error,
                    message: "\(check.title): not evaluated",
                    remediation: "Run the full check (`homeready check`) so every posture check is evaluated.")
            }
            let message: String
            switch result.status {
            case .pass: message = check.title
            case .notApplicable: message = "\(check.title): not applicable"
            default: message = result.evidence.map { "\(check.title): \($0)" } ?? check.title
            }
            return Finding(
                id: "posture.\(check.id)", section: .posture, severity: check.severity, status: result.status,
                message: message,
                remediation: result.status == .fail || result.status == .error ? check.remediation : nil)
        }
    }
}
