/// One judged item of a check: a measured value against a profile limit, with what to do when it fails.
public struct Finding: Codable, Sendable, Equatable, Identifiable {
    /// Stable id, e.g. `network.download`, `vpn.corp-ssl`, `posture.disk-encryption`.
    public var id: String
    public var section: Section
    public var severity: Severity
    public var status: FindingStatus
    public var measured: FindingValue?
    public var limit: FindingValue?
    /// Unit of `measured` and `limit`, e.g. `Mbit/s`, `ms`, `%`.
    public var unit: String?
    /// One sentence a person at home can read.
    public var message: String
    /// What to do about it; present for every failure.
    public var remediation: String?
    /// `message` for every reader's language (`message` is its English rendering, for JSON readers).
    public var messageText: LocalizedText?
    /// `remediation` for every reader's language.
    public var remediationText: LocalizedText?

    enum CodingKeys: String, CodingKey {
        case id, section, severity, status, measured, limit, unit, message, remediation
        case messageText = "message_text"
        case remediationText = "remediation_text"
    }

    public init(
        id: String, section: Section, severity: Severity, status: FindingStatus,
        measured: FindingValue? = nil, limit: FindingValue? = nil, unit: String? = nil,
        message: String, remediation: String? = nil,
        messageText: LocalizedText? = nil, remediationText: LocalizedText? = nil
    ) {
        self.id = id
        self.section = section
        self.severity = severity
        self.status = status
        self.measured = measured
        self.limit = limit
        self.unit = unit
        self.message = message
        self.remediation = remediation
        self.messageText = messageText
        self.remediationText = remediationText
    }

    /// The part of a check a finding belongs to.
    public enum Section: String, Codable, Sendable, CaseIterable {
        case network, voice, vpn, posture, equipment, general
    }
}

/// How much a failure matters.
public enum Severity: String, Codable, Sendable, CaseIterable, Comparable {
    case critical, warning, info

    public static func < (lhs: Severity, rhs: Severity) -> Bool {
        lhs.rank < rhs.rank
    }

    private var rank: Int {
        switch self {
        case .info: return 0
        case .warning: return 1
        case .critical: return 2
        }
    }
}

/// The outcome of one finding.
public enum FindingStatus: String, Codable, Sendable, CaseIterable {
    case pass, fail, warn, error
    case notApplicable = "not_applicable"
    case skipped
    /// The measurement could not tell pass from fail: the limit lies inside the figure's 95% confidence interval.
    case inconclusive
}

/// A measured value or limit: a number, a text or a flag.
public enum FindingValue: Codable, Sendable, Equatable, CustomStringConvertible {
    case number(Double)
    case text(String)
    case flag(Bool)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        // Numbers first: they are nearly every value, and each failed attempt costs a thrown DecodingError.
        // (A JSON number never decodes as a Bool, nor `true` as a Double.)
        if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let flag = try? container.decode(Bool.self) {
            self = .flag(flag)
        } else {
            self = .text(try container.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .number(let value): try container.encode(value)
        case .text(let value): try container.encode(value)
        case .flag(let value): try container.encode(value)
        }
    }

    public var description: String {
        switch self {
        case .number(let value):
            return value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(format2: value)
        case .text(let value): return value
        case .flag(let value): return value ? "yes" : "no"
        }
    }
}

extension String {
    /// Formats a number with at most two decimals, without Foundation's locale.
    init(format2 value: Double) {
        let scaled = (value * 100).rounded() / 100
        var text = String(scaled)
        if text.hasSuffix(".0") { text.removeLast(2) }
        self = text
    }
}
