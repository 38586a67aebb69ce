import Foundation
import HomeReadyModel
import Logging

/// How the VPN section runs.
public struct VPNCheckOptions: Sendable {
    /// Binds probes to this interface.
    public var interface: String?
    /// Default per-gateway timeout, in seconds, when the profile gives none.
    public var timeoutSeconds: Double
    /// The UDP echo peer used for path MTU probes when a gateway offers none.
    public var echoHost: String?
    public var echoPort: Int?

    public init(interface: String? = nil, timeoutSeconds: Double = 5, echoHost: String? = nil, echoPort: Int? = nil) {
        self.interface = interface
        self.timeoutSeconds = timeoutSeconds
        self.echoHost = echoHost
        self.echoPort = echoPort
    }
}

/// The VPN section of `homeready check`: gateways, tunnel state, STUN media path and MTU.
public enum VPNSection {
    /// Checks every gateway of the profile. Never throws: each problem is a state with a remediation.
    public static func run(
        profile: Profile, options: VPNCheckOptions, progress: @escaping ProgressHandler, logger: Logger
    ) async -> SectionOutcome {
        // Placeholder until the VPN checks land (issue 4).
        SectionOutcome(findings: [
            Finding(
                id: "vpn.not_implemented", section: .vpn, severity: .info, status: .skipped,
                message: "The VPN check is not available in this build.")
        ])
    }
}
