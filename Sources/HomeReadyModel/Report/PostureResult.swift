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

    public init(kind: String, present: Bool, detail: String? = nil, required: Bool? = nil) {
        self.kind = kind
        self.present = present
        self.detail = detail
        self.required = required
    }
}
