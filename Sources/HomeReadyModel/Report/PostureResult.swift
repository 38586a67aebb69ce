/// The result of one posture check of the profile.
public struct PostureResult: Codable, Sendable, Equatable {
    public var id: String
    public var title: String
    public var status: FindingStatus
    public var severity: Severity
    /// The short evidence that decided the result (a matching line, an excerpt of output, why it errored).
    public var evidence: String?
    public var remediation: String?
    /// Requirement ids such as `PCI-DSS-4.0:8.2.8` or `CIS-Ubuntu-22.04:1.4.1`.
    public var references: [String]?

    public init(
        id: String, title: String, status: FindingStatus, severity: Severity, evidence: String? = nil,
        remediation: String? = nil, references: [String]? = nil
    ) {
        self.id = id
        self.title = title
        self.status = status
        self.severity = severity
        self.evidence = evidence
        self.remediation = remediation
        self.references = references
    }
}

/// Whether a piece of required equipment was detected.
public struct EquipmentResult: Codable, Sendable, Equatable {
    /// Equipment kind, e.g. `usb_headset`, `wired_link`, `second_screen`.
    public var kind: String
    public var present: Bool
    public var detail: String?
    /// Whether the profile requires it for this role.
    public var required: Bool?
    /// True when this endpoint cannot tell whether the equipment is there (`present` is then false).
    public var undetermined: Bool?
    /// USB identities of the devices of this kind that were seen, `VVVV:PPPP` or `VVVV:PPPP:SERIAL` (hex vendor
    /// and product ids), so the server can match them against the item shipped to the agent.
    public var identities: [String]?

    public init(
        kind: String, present: Bool, detail: String? = nil, required: Bool? = nil, undetermined: Bool? = nil,
        identities: [String]? = nil
    ) {
        self.kind = kind
        self.present = present
        self.detail = detail
        self.required = required
        self.undetermined = undetermined
        self.identities = identities
    }
}

/// How the posture section collected what it judged.
public struct PostureContext: Codable, Sendable, Equatable {
    /// Where the facts came from.
    public var collection: PostureCollection
    /// The outcome of the profile's `requirements` gate, when it has one.
    public var requirements: PostureGate?

    public init(collection: PostureCollection, requirements: PostureGate? = nil) {
        self.collection = collection
        self.requirements = requirements
    }
}

/// Where posture facts came from. Only `live` counts toward readiness.
public enum PostureCollection: String, Codable, Sendable, CaseIterable {
    /// Read from the machine the check ran on.
    case live
    /// Replayed from a facts file (`homeready check --facts FILE`).
    case recordedFacts = "recorded_facts"
    /// File rules read under a prepared folder instead of `/` (`--root DIR`).
    case preparedRoot = "prepared_root"
}

/// Whether the profile applies to the endpoint at all.
public struct PostureGate: Codable, Sendable, Equatable {
    /// `pass` (applies), `not_applicable` (does not), or `error` (cannot tell).
    public var status: FindingStatus
    public var evidence: String?

    public init(status: FindingStatus, evidence: String? = nil) {
        self.status = status
        self.evidence = evidence
    }
}
