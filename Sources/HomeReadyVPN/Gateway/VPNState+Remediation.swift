import HomeReadyLocalization
import HomeReadyModel

extension VPNState {
    /// The remediation in English, as the report's raw gateway result carries it (`remediationText(for:)` in
    /// every language).
    public func remediation(for gateway: VPNGateway) -> String? {
        remediationText(for: gateway).map { Localizer.english.render($0) }
    }
}
