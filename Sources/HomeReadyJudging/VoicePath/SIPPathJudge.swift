import HomeReadyModel

/// Findings for SIP through the home router (ALG) and the SBCs.
enum SIPPathJudge {
    static func findings(sipALG: SIPALGResult?, sbc: [SBCResult], profile: Profile) -> [Finding] {
        []
    }
}
