import HomeReadyModel

/// Findings for the TURN relays and the NAT type.
enum RelayPathJudge {
    static func findings(turn: [TURNResult], natType: NATTypeResult?, profile: Profile) -> [Finding] {
        []
    }
}
