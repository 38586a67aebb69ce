extension VPNState {
    /// What the agent or IT should do about this state (`fix.vpn.state.*` in the message catalog, the texts of
    /// `docs/vpn.md`). Nil when the gateway is reachable.
    public func remediationText(for gateway: VPNGateway) -> LocalizedText? {
        guard self != .reachable else { return nil }
        let port = "\(gateway.transport == .tls || gateway.transport == .tcp ? "TCP" : "UDP") \(gateway.port)"
        return LocalizedText("fix.vpn.state.\(rawValue)", ["port": .text(port), "host": .text(gateway.host)])
    }
}
