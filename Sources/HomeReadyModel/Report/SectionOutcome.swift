/// What one section of a check (network, VPN, posture and equipment) contributes to the report.
///
/// Each measuring library returns one; `HomeReadyAgent` merges them into a `CheckReport`.
public struct SectionOutcome: Sendable, Equatable {
    /// What the measuring code saw that is not a figure (a captive portal, an HTTP error, a proxy): carried in
    /// the report as `observations`, and passed through by the judge.
    public var observations: [Finding]
    public var network: NetworkResult?
    public var vpn: [VPNResult]?
    public var vpnPath: VPNPathResult?
    public var posture: [PostureResult]?
    public var postureContext: PostureContext?
    public var equipment: [EquipmentResult]?
    public var voicePath: VoicePathResult?

    public init(
        observations: [Finding] = [], network: NetworkResult? = nil, vpn: [VPNResult]? = nil,
        vpnPath: VPNPathResult? = nil, posture: [PostureResult]? = nil, postureContext: PostureContext? = nil,
        equipment: [EquipmentResult]? = nil, voicePath: VoicePathResult? = nil
    ) {
        self.observations = observations
        self.network = network
        self.vpn = vpn
        self.vpnPath = vpnPath
        self.posture = posture
        self.postureContext = postureContext
        self.equipment = equipment
        self.voicePath = voicePath
    }
}

extension CheckReport {
    /// Adds a section's raw results and observations to the report (findings and verdict come from the judge).
    public mutating func merge(_ outcome: SectionOutcome) {
        if !outcome.observations.isEmpty { observations = (observations ?? []) + outcome.observations }
        if let value = outcome.network { network = value }
        if let value = outcome.vpn { vpn = (vpn ?? []) + value }
        if let value = outcome.vpnPath { vpnPath = value }
        if let value = outcome.posture { posture = (posture ?? []) + value }
        if let value = outcome.postureContext { postureContext = value }
        if let value = outcome.equipment { equipment = (equipment ?? []) + value }
        if let value = outcome.voicePath { voicePath = value }
    }
}

/// A progress event for live output on a terminal (never part of `--json` output).
public struct CheckProgress: Sendable, Equatable {
    /// Section and phase, e.g. `network.download`.
    public var phase: String
    public var message: String
    /// A current figure, e.g. Mbit/s so far.
    public var value: Double?
    public var unit: String?

    public init(phase: String, message: String, value: Double? = nil, unit: String? = nil) {
        self.phase = phase
        self.message = message
        self.value = value
        self.unit = unit
    }
}

/// Receives progress events; must be cheap and thread-safe.
public typealias ProgressHandler = @Sendable (CheckProgress) -> Void
