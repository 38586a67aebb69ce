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
    /// The softphone's SBCs and TURN relays (`voice:`).
    public var voice: VoicePathSettings
    public var posture: [PostureCheck]
    public var equipment: [EquipmentRequirement]
    /// The profile's own texts in other languages: language code → text path → text, e.g.
    /// `es` → `posture.disk-encryption.remediation` → "…". Paths: `<finding id>.title` and
    /// `<finding id>.remediation` (docs/i18n.md).
    public var translations: [String: [String: String]]?

    public init(
        id: String, title: String, version: Int, extends: String? = nil, description: String? = nil,
        requirements: PostureRequirements? = nil, network: NetworkThresholds = NetworkThresholds(),
        vpn: VPNSettings = VPNSettings(), stunServers: [STUNServer] = [], voice: VoicePathSettings = VoicePathSettings(), posture: [PostureCheck] = [],
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
        self.voice = voice
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
        case voice, posture, equipment, translations
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

extension Profile {
    /// Decodes a profile; `voice` may be missing (profiles stored before it existed).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try container.decode(String.self, forKey: .id),
            title: try container.decode(String.self, forKey: .title),
            version: try container.decode(Int.self, forKey: .version),
            extends: try container.decodeIfPresent(String.self, forKey: .extends),
            description: try container.decodeIfPresent(String.self, forKey: .description),
            requirements: try container.decodeIfPresent(PostureRequirements.self, forKey: .requirements),
            network: try container.decode(NetworkThresholds.self, forKey: .network),
            vpn: try container.decode(VPNSettings.self, forKey: .vpn),
            stunServers: try container.decode([STUNServer].self, forKey: .stunServers),
            voice: try container.decodeIfPresent(VoicePathSettings.self, forKey: .voice) ?? VoicePathSettings(),
            posture: try container.decode([PostureCheck].self, forKey: .posture),
            equipment: try container.decode([EquipmentRequirement].self, forKey: .equipment),
            translations: try container.decodeIfPresent([String: [String: String]].self, forKey: .translations))
    }
}
