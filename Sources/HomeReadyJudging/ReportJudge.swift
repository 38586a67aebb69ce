import HomeReadyModel

/// What the judge decided for one report: every finding, the voice estimate and the verdict.
public struct Judgement: Sendable, Equatable {
    public var findings: [Finding]
    public var voice: VoiceResult?
    public var verdict: Verdict

    public init(findings: [Finding], voice: VoiceResult?, verdict: Verdict) {
        self.findings = findings
        self.voice = voice
        self.verdict = verdict
    }
}

/// Judges what a check measured against a profile. Pure (no I/O): `homeready check` and the inventory server call
/// this same code, so the server's verdict on a report equals the agent's for the same figures.
public enum ReportJudge {
    /// Judges the raw figures, states and evidence of `report` (its own findings, voice and verdict are ignored,
    /// but for the measurement observations it carries) against `profile`, for an agent of `role`.
    public static func judge(_ report: CheckReport, profile: Profile, role: String? = nil) -> Judgement {
        var findings: [Finding] = []
        if let browser = report.browser {
            findings += BrowserJudge.findings(browser: browser, profile: profile)
        }
        return Judgement(findings: findings, voice: nil, verdict: Verdict.decide(from: findings))
    }
}
