/// A posture check: a condition over rules, with what to do when it fails.
///
/// The rule language is documented in `docs/posture.md`.
public struct PostureCheck: Codable, Sendable, Equatable {
    public var id: String
    public var title: String
    public var rationale: String?
    public var severity: Severity
    public var remediation: String?
    /// Who can apply the remediation: an agent on their own, or IT (an administrator); the agent's screen then
    /// says "Ask IT" first. Default: IT, since security settings need administrator rights on managed computers.
    public var fixedBy: FixedBy
    /// Requirement ids, e.g. `PCI-DSS-4.0:5.3.1`.
    public var references: [String]
    public var condition: PostureCondition
    public var rules: [PostureRule]
    /// Rules that must all hold for the check to apply; otherwise the result is `not_applicable`.
    public var appliesWhen: [PostureRule]
    public var source: SourceLocation?

    public init(
        id: String, title: String, rationale: String? = nil, severity: Severity = .critical,
        remediation: String? = nil, fixedBy: FixedBy = .it, references: [String] = [], condition: PostureCondition = .all,
        rules: [PostureRule], appliesWhen: [PostureRule] = [], source: SourceLocation? = nil
    ) {
        self.id = id
        self.title = title
        self.rationale = rationale
        self.severity = severity
        self.remediation = remediation
        self.fixedBy = fixedBy
        self.references = references
        self.condition = condition
        self.rules = rules
        self.appliesWhen = appliesWhen
        self.source = source
    }

    enum CodingKeys: String, CodingKey {
        case id, title, rationale, severity, remediation, references, condition, rules
        case fixedBy = "fixed_by"
        case appliesWhen = "applies_when"
        case source
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        title = try container.decode(String.self, forKey: .title)
        rationale = try container.decodeIfPresent(String.self, forKey: .rationale)
        severity = try container.decode(Severity.self, forKey: .severity)
        remediation = try container.decodeIfPresent(String.self, forKey: .remediation)
        fixedBy = try container.decodeIfPresent(FixedBy.self, forKey: .fixedBy) ?? .it
        references = try container.decodeIfPresent([String].self, forKey: .references) ?? []
        condition = try container.decode(PostureCondition.self, forKey: .condition)
        rules = try container.decode([PostureRule].self, forKey: .rules)
        appliesWhen = try container.decodeIfPresent([PostureRule].self, forKey: .appliesWhen) ?? []
        source = try container.decodeIfPresent(SourceLocation.self, forKey: .source)
    }
}

/// Who applies a posture check's remediation.
public enum FixedBy: String, Codable, Sendable, CaseIterable {
    /// The agent can do it without administrator rights (e.g. turn on the screen lock).
    case agent
    /// It needs IT or administrator rights.
    case it
}

/// How a check combines its rules: `all` must hold, `any` one must hold, `none` may hold.
public enum PostureCondition: String, Codable, Sendable, CaseIterable {
    case all, any, none
}

/// Profile-level gate: the profile's posture checks apply only when these rules hold.
public struct PostureRequirements: Codable, Sendable, Equatable {
    public var title: String?
    public var condition: PostureCondition
    public var rules: [PostureRule]

    public init(title: String? = nil, condition: PostureCondition = .all, rules: [PostureRule]) {
        self.title = title
        self.condition = condition
        self.rules = rules
    }
}

/// One structured rule: a kind, a target, an operator and a value.
///
/// Examples (YAML): `{kind: file, target: /etc/ssh/sshd_config, operator: matches, value: '^PermitRootLogin\s+no'}`,
/// `{kind: command, argv: [fdesetup, status], operator: contains, value: FileVault is On}`,
/// `{kind: fact, target: memory.total_mb, operator: '>=', value: '8192'}`.
public struct PostureRule: Codable, Sendable, Equatable {
    public var kind: PostureRuleKind
    /// Path, process name, package name, sysctl key, module name, port (`22`, `53/udp`) or fact name.
    public var target: String?
    /// Argument vector for `command` rules (run without a shell).
    public var argv: [String]?
    /// How the observed value is judged. `nil` only for `command` rules judged by `exit_status` alone.
    public var op: PostureOperator?
    /// The operand: a regex, a text, a number, a version, an octal mode or an owner, as written.
    public var value: String?
    /// A regex whose first capture group (or whole match) on the first matching line is the compared value
    /// (file, directory and command rules with comparison or equality operators).
    public var capture: String?
    /// For `directory` rules: only files whose names match this regex are searched by `matches`/`not_matches`.
    public var files: String?
    /// For `command` rules: the expected exit status (checked in addition to the operator).
    public var exitStatus: Int?
    /// For `command` rules: how long the command may run (default 10 s, at most 60 s).
    public var timeoutSeconds: Double?
    /// For `group` rules (written `all: [...]`, `any: [...]` or `none: [...]`): how the nested rules combine.
    public var condition: PostureCondition?
    /// For `group` rules: the nested rules.
    public var rules: [PostureRule]?
    public var source: SourceLocation?

    public init(
        kind: PostureRuleKind, target: String? = nil, argv: [String]? = nil, op: PostureOperator?,
        value: String? = nil, capture: String? = nil, files: String? = nil, exitStatus: Int? = nil,
        timeoutSeconds: Double? = nil, condition: PostureCondition? = nil, rules: [PostureRule]? = nil,
        source: SourceLocation? = nil
    ) {
        self.kind = kind
        self.target = target
        self.argv = argv
        self.op = op
        self.value = value
        self.capture = capture
        self.files = files
        self.exitStatus = exitStatus
        self.timeoutSeconds = timeoutSeconds
        self.condition = condition
        self.rules = rules
        self.source = source
    }

    /// A nested group of rules combined by `condition` (YAML: `any: [rule, ...]`).
    public static func group(_ condition: PostureCondition, _ rules: [PostureRule], source: SourceLocation? = nil)
        -> PostureRule
    {
        PostureRule(kind: .group, op: nil, condition: condition, rules: rules, source: source)
    }

    enum CodingKeys: String, CodingKey {
        case kind, target, argv
        case op = "operator"
        case value, capture, files
        case exitStatus = "exit_status"
        case timeoutSeconds = "timeout_seconds"
        case condition, rules
        case source
    }
}

/// What a rule inspects.
public enum PostureRuleKind: String, Codable, Sendable, CaseIterable {
    case file, directory, command, process, package, sysctl
    case kernelModule = "kernel_module"
    case port
    /// A built-in fact such as `disk.root.encrypted` or `os.version_id` (see `PostureFactCatalog`).
    case fact
    /// Nested rules combined by a condition, written `all:`, `any:` or `none:` in YAML.
    case group

    /// The operators this kind of rule accepts.
    public var operators: [PostureOperator] {
        let order: [PostureOperator] = [.lessThan, .lessOrEqual, .numericEqual, .greaterOrEqual, .greaterThan]
        let versions: [PostureOperator] = [.versionLessThan, .versionLessOrEqual, .versionAtLeast, .versionGreaterThan]
        let text: [PostureOperator] = [.matches, .notMatches, .contains, .notContains, .equals, .notEquals]
        switch self {
        case .file: return [.exists, .notExists, .modeAtMost, .ownedBy] + text + order + versions
        case .directory:
            return [.exists, .notExists, .contains, .notContains, .matches, .notMatches, .modeAtMost, .ownedBy]
        case .command: return text + order + versions
        case .process: return [.running, .notRunning]
        case .package: return [.installed, .notInstalled] + order + versions
        case .sysctl, .fact: return [.exists, .notExists] + text + order + versions
        case .kernelModule: return [.loaded, .notLoaded]
        case .port: return [.listening, .notListening]
        case .group: return []
        }
    }
}

/// How a rule compares what it found with its value.
public enum PostureOperator: String, Codable, Sendable, CaseIterable {
    case exists
    case notExists = "not_exists"
    /// A line matches the regex (file, directory, command output, sysctl or fact text).
    case matches
    case notMatches = "not_matches"
    /// The text holds the value as a substring; for a directory, an entry with that name; for a list fact, an item.
    case contains
    case notContains = "not_contains"
    /// The (trimmed) text is exactly the value; flags compare as true/false.
    case equals
    case notEquals = "not_equals"
    case lessThan = "<"
    case lessOrEqual = "<="
    case numericEqual = "=="
    case greaterOrEqual = ">="
    case greaterThan = ">"
    case versionLessThan = "version<"
    case versionLessOrEqual = "version<="
    case versionAtLeast = "version>="
    case versionGreaterThan = "version>"
    /// File mode at most as permissive as the octal value (e.g. 0640).
    case modeAtMost = "mode_at_most"
    /// Owner `user` or `user:group` (names or numeric ids).
    case ownedBy = "owned_by"
    case running
    case notRunning = "not_running"
    case installed
    case notInstalled = "not_installed"
    case loaded
    case notLoaded = "not_loaded"
    case listening
    case notListening = "not_listening"

    /// Whether this operator orders numbers (`<`, `<=`, `==`, `>=`, `>`).
    public var isOrdering: Bool {
        switch self {
        case .lessThan, .lessOrEqual, .numericEqual, .greaterOrEqual, .greaterThan: return true
        default: return false
        }
    }

    /// Whether this operator orders versions (`version<` ... `version>`).
    public var isVersionOrdering: Bool {
        switch self {
        case .versionLessThan, .versionLessOrEqual, .versionAtLeast, .versionGreaterThan: return true
        default: return false
        }
    }

    /// Whether this operator judges text with a regular expression.
    public var takesRegex: Bool { self == .matches || self == .notMatches }

    /// Whether this operator needs a `value`.
    public var needsValue: Bool {
        switch self {
        case .exists, .notExists, .running, .notRunning, .installed, .notInstalled, .loaded, .notLoaded,
            .listening, .notListening:
            return false
        default: return true
        }
    }
}

/// The built-in facts a `fact` rule can name (collected by `homeready facts`).
public enum PostureFactCatalog {
    /// Every built-in fact name with a one-line description.
    public static let facts: [(name: String, description: String)] = [
        ("os.family", "linux or macos"),
        ("os.id", "os-release ID, e.g. debian, ubuntu, fedora"),
        ("os.id_like", "os-release ID_LIKE, e.g. debian"),
        ("os.name", "os-release NAME"),
        ("os.pretty_name", "os-release PRETTY_NAME"),
        ("os.version_id", "os-release VERSION_ID, e.g. 22.04"),
        ("os.version_codename", "os-release VERSION_CODENAME"),
        ("os.release", "ID and VERSION_ID together, e.g. `ubuntu 22.04`, for lists of supported releases"),
        ("kernel.name", "Linux"),
        ("kernel.release", "uname -r, e.g. 6.1.0-18-amd64"),
        ("cpu.model", "CPU model name"),
        ("cpu.count", "logical CPUs"),
        ("memory.total_mb", "installed RAM in MiB"),
        ("memory.available_mb", "available RAM in MiB"),
        ("disk.root.device", "block device holding /"),
        ("disk.root.lineage", "device stack under /, e.g. dm-1 < dm-0 [CRYPT-LUKS2] < nvme0n1p3"),
        ("disk.root.encrypted", "/ sits on dm-crypt (LUKS or plain) at every leaf, LVM included"),
        ("disk.root.free_gb", "free space on / in GiB"),
        ("disk.root.total_gb", "size of / in GiB"),
        ("disk.home.device", "block device holding /home"),
        ("disk.home.lineage", "device stack under /home"),
        ("disk.home.encrypted", "/home sits on dm-crypt"),
        ("disk.home.free_gb", "free space on /home in GiB"),
        ("firewall.backend", "nftables, ufw, iptables or none"),
        ("firewall.active", "a firewall has rules loaded or is enabled"),
        ("firewall.default_deny", "inbound traffic is dropped unless allowed"),
        ("firewall.evidence", "what decided the firewall facts"),
        ("screen_lock.session", "desktop of the running session (GNOME, KDE Plasma, XFCE, ...) or none"),
        ("screen_lock.state", "enabled, disabled or unknown"),
        ("screen_lock.enabled", "the session locks when idle; absent unless the running desktop's locker was read"),
        ("screen_lock.source", "what the screen-lock facts were read from"),
        ("screen_lock.evidence", "one sentence: session, source and, when unknown, why"),
        ("screen_lock.idle_delay_seconds", "idle time before the screen blanks, 0 = never"),
        ("screen_lock.lock_delay_seconds", "extra time before the lock after blanking"),
        ("screen_lock.user", "the user whose settings were read"),
        ("updates.automatic", "security updates install automatically"),
        ("updates.mechanism", "unattended-upgrades, dnf-automatic, ... or none"),
        ("edr.running", "EDR/antivirus products confirmed running (process in its active service, or its binary)"),
        ("edr.any_running", "at least one known EDR/antivirus product is confirmed running"),
        ("edr.unconfirmed", "processes named like an EDR that were not confirmed, with why"),
        ("edr.evidence", "what confirmed each EDR product"),
        ("network.interfaces", "physical interfaces as name:wired|wifi:up|down"),
        ("network.wired_up", "a wired interface has carrier"),
        ("network.wifi_up", "a Wi-Fi interface is connected"),
        ("network.wifi_signal_dbm", "Wi-Fi signal level in dBm"),
        ("network.default_interface", "interface of the default route"),
        ("network.default_kind", "wired, wifi or other: the kind of the default route's interface"),
        ("audio.devices", "sound cards (ALSA)"),
        ("audio.usb_headset", "a USB audio device is plugged in"),
        ("audio.headset", "a headset is present (USB, or a card named headset/headphone)"),
        ("audio.usb_devices", "USB audio devices as vvvv:pppp[:serial] name (the first word is the identity)"),
        ("usb.devices", "USB devices as vendor:product name"),
        ("usb.webcam", "a USB video device is plugged in"),
        ("display.screens", "connected screens (DRM connectors), absent when unknown"),
        ("user.name", "the user that ran the check"),
    ]

    /// Whether `name` is a built-in fact or a custom one (`custom.*`, supplied by a facts file).
    public static func isKnown(_ name: String) -> Bool {
        name.hasPrefix("custom.") || facts.contains { $0.name == name }
    }
}
