import HomeReadyModel

/// One section's results with the judge's findings: what a check that ran only that section reports.
public struct JudgedSection: Sendable, Equatable {
    public var outcome: SectionOutcome
    public var judgement: Judgement

    public var findings: [Finding] { judgement.findings }
    public var voice: VoiceResult? { judgement.voice }
    public var network: NetworkResult? { outcome.network }
    public var vpn: [VPNResult]? { outcome.vpn }
    public var vpnPath: VPNPathResult? { outcome.vpnPath }
    public var posture: [PostureResult]? { outcome.posture }
    public var postureContext: PostureContext? { outcome.postureContext }
    public var equipment: [EquipmentResult]? { outcome.equipment }
}

extension SectionOutcome {
    /// This section judged alone against `profile`, as in a report of a check that ran only this section.
    public func judged(by profile: Profile, context: JudgingContext = JudgingContext()) -> JudgedSection {
        var report = CheckReport(
            agent: AgentIdentity(employeeID: "", hostname: ""),
            profile: ProfileReference(id: profile.id, version: profile.version),
            startedAt: .distantPast, finishedAt: .distantPast, verdict: .incomplete)
        report.merge(self)
        return JudgedSection(outcome: self, judgement: ReportJudge.judge(report, profile: profile, context: context))
    }
}
