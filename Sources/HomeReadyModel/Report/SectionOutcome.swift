/// What one section of a check (network, VPN, posture and equipment) contributes to the report.
///
/// Each measuring library returns one; `HomeReadyAgent` merges them into a `CheckReport`.
public struct SectionOutcome: Sendable, Equatable {
    public var findings: [Finding]
    public var network: NetworkResult?
    public var voice: VoiceResult?
    public var vpn: [VPNResult]?
    public var posture: [PostureResult]?
    public var equipment: [EquipmentResult]?

    public init(
        findings: [Finding] = [], network: NetworkResult? = nil, voice: VoiceResult? = nil, vpn: [VPNResult]? = nil,
        posture: [PostureResult]? = nil, equipment: [EquipmentResult]? = nil
    ) {
        self.findings = findings
        self.network = network
        self.voice = voice
        self.vpn = vpn
        self.posture = posture
        self.equipment = equipment
    }
}

extension CheckReport {
    /// Adds a section's results and findings to the report (the verdict is decided separately).
    public mutating func merge(_ outcome: SectionOutcome) {
        findings += outcome.findings
        if let value = outcome.network { network = value }
        if let value = outcome.voice { voice = value }
        if let value = outcome.vpn { vpn = (vpn ?? []) + value }
        if let value = outcome.posture { posture = (posture ?? []) + value }
        if let value = outcome.equipment { equipment = (equipment ?? []) + value }
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
