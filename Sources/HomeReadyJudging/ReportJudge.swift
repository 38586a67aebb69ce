import HomeReadyModel
import HomeReadyScoring

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

/// What the judge knows of the agent besides the report: their role and the items shipped to them.
public struct JudgingContext: Sendable, Equatable {
    /// The agent's role, for role-specific equipment requirements.
    public var role: String?
    /// What IT shipped to the agent (the server knows; the agent's own check does not).
    public var shipped: ShippedEquipment

    public init(role: String? = nil, shipped: ShippedEquipment = .unknown) {
        self.role = role
        self.shipped = shipped
    }
}

/// Judges what a check measured against a profile. Pure (no I/O): `homeready check` and the inventory server call
/// this same code, so the server's verdict on a report equals the agent's for the same figures.
public enum ReportJudge {
    /// Judges the raw figures, states and evidence of `report` against `profile`. The report's own findings,
    /// voice estimate and verdict are ignored; its observations (faults the measurement saw) are kept when they
    /// are failures, so a report can never raise its own verdict with them.
    public static func judge(_ report: CheckReport, profile: Profile, context: JudgingContext = JudgingContext())
        -> Judgement
    {
        var findings = (report.observations ?? []).filter { $0.status != .pass }
        var voice: VoiceResult?
        if let network = report.network {
            voice = NetworkJudge.voice(network: network, thresholds: profile.network, tunnel: TunnelOverhead.forProfile(profile))
            findings += NetworkJudge.findings(
                network: network, voice: voice, thresholds: profile.network,
                unmeasurable: report.source == .browser ? BrowserJudge.unmeasurableNetworkChecks : [],
                translations: profile.translations)
        }
        if report.vpn != nil || report.vpnPath != nil {
            findings += VPNJudge.findings(gateways: report.vpn ?? [], path: report.vpnPath, profile: profile)
        }
        if let voicePath = report.voicePath {
            findings += VoicePathJudge.findings(voicePath, profile: profile)
        }
        findings += PostureJudge.findings(report.posture, context: report.postureContext, profile: profile)
        if let equipment = report.equipment {
            findings += EquipmentJudge.findings(
                equipment, requirements: profile.equipment, role: context.role, shipped: context.shipped,
                translations: profile.translations)
        }
        if let browser = report.browser {
            findings += BrowserJudge.findings(browser: browser, profile: profile)
        }
        return Judgement(findings: findings, voice: voice, verdict: Verdict.decide(from: findings))
    }

    /// `report` with the judge's findings, voice estimate and verdict in place of its own.
    public static func judged(_ report: CheckReport, profile: Profile, context: JudgingContext = JudgingContext())
        -> CheckReport
    {
        let judgement = judge(report, profile: profile, context: context)
        var report = report
        report.findings = judgement.findings
        report.voice = judgement.voice
        report.verdict = judgement.verdict
        return report
    }
}
