/// A posture check: a condition over rules, with what to do when it fails.
public struct PostureCheck: Codable, Sendable, Equatable {
    public var id: String
    public var title: String
    public var rationale: String?
    public var severity: Severity
    public var remediation: String?
    /// Requirement ids, e.g. `PCI-DSS-4.0:5.3.1`.
    public var references: [String]
    public var condition: PostureCondition
    public var rules: [PostureRule]
    /// Rules that must hold for the check to apply; otherwise the result is `not_applicable`.
    public var appliesWhen: [PostureRule]
    public var source: SourceLocation?

    public init(
        id: String, title: String, rationale: String? = nil, severity: Severity = .critical,
        remediation: String? = nil, references: [String] = [], condition: PostureCondition = .all,
        rules: [PostureRule], appliesWhen: [PostureRule] = [], source: SourceLocation? = nil
    ) {
        self.id = id
        self.title = title
        self.rationale = rationale
        self.severity = severity
        self.remediation = remediation
        self.references = references
        self.condition = condition
        self.rules = rules
        self.appliesWhen = appliesWhen
        self.source = source
    }

    enum CodingKeys: String, CodingKey {
        case id, title, rationale, severity, remediation, references, condition, rules
        case appliesWhen = "applies_when"
        case source
    }
}

/// How a check combines its rules.
public enum PostureCondition: String, Codable, Sendable, CaseIterable {
    case all, any, none
}

/// Profile-level gate: the profile applies only when these rules hold.
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
public struct PostureRule: Codable, Sendable, Equatable {
    public var kind: PostureRuleKind
    /// Path, process name, package name, sysctl key, module name, port number or fact name.
    public var target: String?
    /// Argument vector for `command` rules (run without a shell).
    public var argv: [String]?
    public var op: PostureOperator
    /// The operand: a regex, a text, a number or a version, as written.
    public var value: String?
    /// For `command` rules: the expected exit status.
    public var exitStatus: Int?
    public var timeoutSeconds: Double?
    public var source: SourceLocation?

    public init(
        kind: PostureRuleKind, target: String? = nil, argv: [String]? = nil, op: PostureOperator,
        value: String? = nil, exitStatus: Int? = nil, timeoutSeconds: Double? = nil, source: SourceLocation? = nil
    ) {
        self.kind = kind
        self.target = target
        self.argv = argv
        self.op = op
        self.value = value
        self.exitStatus = exitStatus
        self.timeoutSeconds = timeoutSeconds
        self.source = source
    }

    enum CodingKeys: String, CodingKey {
        case kind, target, argv, op = "operator", value
        case exitStatus = "exit_status"
        case timeoutSeconds = "timeout_seconds"
        case source
    }
}

/// What a rule inspects.
public enum PostureRuleKind: String, Codable, Sendable, CaseIterable {
    case file, directory, command, process, package, sysctl
    case kernelModule = "kernel_module"
    case port
    /// A built-in fact such as `disk.root_encrypted` or `os.version_id`.
    case fact
}

/// How a rule compares what it found with its value.
public enum PostureOperator: String, Codable, Sendable, CaseIterable {
    case exists
    case notExists = "not_exists"
    case matches
    case notMatches = "not_matches"
    case equals
    case notEquals = "not_equals"
    case contains
    case lessThan = "<"
    case lessOrEqual = "<="
    case numericEqual = "=="
    case greaterOrEqual = ">="
    case greaterThan = ">"
    case versionLessThan = "version<"
    case versionAtLeast = "version>="
    /// File mode at most as permissive as the octal value (e.g. 0640).
    case modeAtMost = "mode_at_most"
    case ownedBy = "owned_by"
    case running
    case notRunning = "not_running"
    case installed
    case notInstalled = "not_installed"
    case listening
    case notListening = "not_listening"
}
