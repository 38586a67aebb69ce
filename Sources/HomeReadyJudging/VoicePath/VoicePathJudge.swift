import HomeReadyModel

/// Judges the voice path (SIP ALG, SBCs, TURN relays, NAT type) against the profile. Pure.
enum VoicePathJudge {
    static func findings(_ path: VoicePathResult, profile: Profile) -> [Finding] {
        SIPPathJudge.findings(sipALG: path.sipALG, sbc: path.sbc ?? [], profile: profile)
            + RelayPathJudge.findings(turn: path.turn ?? [], natType: path.natType, profile: profile)
    }
}
