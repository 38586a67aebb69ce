/// A profile: the configuration protocol an agent's home setup is verified against.
///
/// Profiles are YAML files (see `docs/profiles.md`); `HomeReadyProfiles` loads, validates and resolves
/// `extends`. A resolved profile has no `extends` left to apply.
public struct Profile: Codable, Sendable, Equatable {
    public var id: String
    public var title: String
    public var version: Int
    /// The id of the profile this one inherits from and overrides.
    public var extends: String?
    public var description: String?
    /// Conditions that gate whether the profile applies to this endpoint at all.
    public var requirements: PostureRequirements?
    public var network: NetworkThresholds
    public var vpn: VPNSettings
    public var stunServers: [STUNServer]
    public var posture: [PostureCheck]
    public var equipment: [EquipmentRequirement]
    /// The profile's own texts in other languages: language code → text path → text, e.g.
    /// `es` → `posture.disk-encryption.remediation` → "…". Paths: `<finding id>.title` and
    /// `<finding id>.remediation` (docs/i18n.md).
    public var translations: [String: [String: String]]?

    public init(
        id: String, title: String, version: Int, extends: String? = nil, description: String? = nil,
        requirements: PostureRequirements? = nil, network: NetworkThresholds = NetworkThresholds(),
        vpn: VPNSettings = VPNSettings(), stunServers: [STUNServer] = [], posture: [PostureCheck] = [],
        equipment: [EquipmentRequirement] = [], translations: [String: [String: String]]? = nil
    ) {
        self.id = id
        self.title = title
        self.version = version
        self.extends = extends
        self.description = description
        self.requirements = requirements
        self.network = network
        self.vpn = vpn
        self.stunServers = stunServers
        self.posture = posture
        self.equipment = equipment
        self.translations = translations
    }

    /// A text the profile author wrote (in English or in the agents' language), with its translations:
    /// `path` is `<finding id>.title` or `<finding id>.remediation`.
    public func text(_ path: String, written: String?) -> LocalizedText? {
        LocalizedText.written(written, path: path, translations: translations)
    }

    enum CodingKeys: String, CodingKey {
        case id, title, version, extends, description, requirements, network, vpn
        case stunServers = "stun_servers"
        case posture, equipment, translations
    }
}

/// Where a value was written in a profile file, for error messages and evidence.
public struct SourceLocation: Codable, Sendable, Equatable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}
