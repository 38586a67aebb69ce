import Foundation

/// The record of one `homeready check` run: the product's main record and its external contract.
///
/// Encoded as JSON with snake_case keys and ISO-8601 UTC times (see `docs/report.md`). Sections that did not
/// run are `nil` and absent from the JSON, never zero.
public struct CheckReport: Codable, Sendable, Equatable {
    /// The schema version this build writes.
    public static let currentSchemaVersion = 1

    public var schemaVersion: Int
    /// Unique id of this run; the server deduplicates by it.
    public var reportID: UUID
    public var agent: AgentIdentity
    public var profile: ProfileReference
    public var startedAt: Date
    public var finishedAt: Date
    public var verdict: Verdict
    public var findings: [Finding]
    public var network: NetworkResult?
    public var voice: VoiceResult?
    public var vpn: [VPNResult]?
    /// The softphone's media path and the tunnel, as the VPN section measured them.
    public var vpnPath: VPNPathResult?
    public var posture: [PostureResult]?
    /// How the posture results were collected (this machine, or facts replayed from a file).
    public var postureContext: PostureContext?
    public var equipment: [EquipmentResult]?
    /// What the measuring code saw that is not a figure (a captive portal, an HTTP error, a proxy in the path),
    /// as findings; the judge keeps them among its findings.
    public var observations: [Finding]?
    /// The tool that produced the report.
    public var tool: ToolInfo?
    /// Where the report comes from; absent means `cli` (`homeready check`).
    public var source: ReportSource?
    /// What the browser self-test measured (`source` `browser` only).
    public var browser: BrowserResult?
    /// The softphone's path: SIP ALG, SBCs, TURN relays, NAT type.
    public var voicePath: VoicePathResult?

    public init(
        schemaVersion: Int = CheckReport.currentSchemaVersion,
        reportID: UUID = UUID(),
        agent: AgentIdentity,
        profile: ProfileReference,
        startedAt: Date,
        finishedAt: Date,
        verdict: Verdict,
        findings: [Finding] = [],
        network: NetworkResult? = nil,
        voice: VoiceResult? = nil,
        vpn: [VPNResult]? = nil,
        vpnPath: VPNPathResult? = nil,
        posture: [PostureResult]? = nil,
        postureContext: PostureContext? = nil,
        equipment: [EquipmentResult]? = nil,
        observations: [Finding]? = nil,
        tool: ToolInfo? = nil,
        source: ReportSource? = nil,
        browser: BrowserResult? = nil, voicePath: VoicePathResult? = nil
    ) {
        self.schemaVersion = schemaVersion
        self.reportID = reportID
        self.agent = agent
        self.profile = profile
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.verdict = verdict
        self.findings = findings
        self.network = network
        self.voice = voice
        self.vpn = vpn
        self.vpnPath = vpnPath
        self.posture = posture
        self.postureContext = postureContext
        self.equipment = equipment
        self.observations = observations
        self.tool = tool
        self.source = source
        self.browser = browser
        self.voicePath = voicePath
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version"
        case reportID = "report_id"
        case agent, profile
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case verdict, findings, network, voice, vpn
        case vpnPath = "vpn_path"
        case posture
        case postureContext = "posture_context"
        case equipment, observations, tool, source, browser
        case voicePath = "voice_path"
    }

    /// Reads a report; a decoder whose `userInfo` sets `skipsClaimedFindings` leaves `findings` empty (the
    /// server's judge makes its own and never reads the agent's).
    public init(from decoder: any Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try values.decode(Int.self, forKey: .schemaVersion)
        reportID = try values.decode(UUID.self, forKey: .reportID)
        agent = try values.decode(AgentIdentity.self, forKey: .agent)
        profile = try values.decode(ProfileReference.self, forKey: .profile)
        startedAt = try values.decode(Date.self, forKey: .startedAt)
        finishedAt = try values.decode(Date.self, forKey: .finishedAt)
        verdict = try values.decode(Verdict.self, forKey: .verdict)
        findings =
            decoder.userInfo[.skipsClaimedFindings] as? Bool == true
            ? [] : try values.decode([Finding].self, forKey: .findings)
        network = try values.decodeIfPresent(NetworkResult.self, forKey: .network)
        voice = try values.decodeIfPresent(VoiceResult.self, forKey: .voice)
        vpn = try values.decodeIfPresent([VPNResult].self, forKey: .vpn)
        vpnPath = try values.decodeIfPresent(VPNPathResult.self, forKey: .vpnPath)
        posture = try values.decodeIfPresent([PostureResult].self, forKey: .posture)
        postureContext = try values.decodeIfPresent(PostureContext.self, forKey: .postureContext)
        equipment = try values.decodeIfPresent([EquipmentResult].self, forKey: .equipment)
        observations = try values.decodeIfPresent([Finding].self, forKey: .observations)
        tool = try values.decodeIfPresent(ToolInfo.self, forKey: .tool)
        source = try values.decodeIfPresent(ReportSource.self, forKey: .source)
        browser = try values.decodeIfPresent(BrowserResult.self, forKey: .browser)
        voicePath = try values.decodeIfPresent(VoicePathResult.self, forKey: .voicePath)
    }
}

extension CodingUserInfoKey {
    /// True in a decoder's `userInfo`: `CheckReport` leaves the agent's own findings unread (see
    /// `ReportCoding.judgingDecoder()`).
    public static let skipsClaimedFindings = CodingUserInfoKey(rawValue: "homeready.skipsClaimedFindings")!
}

/// The kind of program that made a report.
public enum ReportSource: String, Codable, Sendable, CaseIterable {
    /// `homeready check` on the agent's computer: every section can be measured.
    case cli
    /// The self-test page in a browser: network, voice path and headset; no posture.
    case browser

    /// The evidence in plain words, for pages and exports ("the full check", "the browser self-test").
    public var evidenceLabel: String {
        switch self {
        case .cli: "the full check (homeready check)"
        case .browser: "the browser self-test"
        }
    }
}

/// Who ran the check.
public struct AgentIdentity: Codable, Sendable, Equatable {
    public var employeeID: String
    public var hostname: String
    /// The user account that ran the check (session-dependent facts are collected as this user).
    public var user: String?

    public init(employeeID: String, hostname: String, user: String? = nil) {
        self.employeeID = employeeID
        self.hostname = hostname
        self.user = user
    }

    enum CodingKeys: String, CodingKey {
        case employeeID = "employee_id"
        case hostname, user
    }
}

/// The profile a report was judged against.
public struct ProfileReference: Codable, Sendable, Equatable {
    public var id: String
    public var version: Int

    public init(id: String, version: Int) {
        self.id = id
        self.version = version
    }
}

/// The program that wrote a report.
public struct ToolInfo: Codable, Sendable, Equatable {
    public var name: String
    public var version: String
    public var platform: String

    public init(name: String = "homeready", version: String, platform: String) {
        self.name = name
        self.version = version
        self.platform = platform
    }
}

/// Overall outcome of a check.
public enum Verdict: String, Codable, Sendable, CaseIterable {
    case ready
    case readyWithWarnings = "ready_with_warnings"
    case notReady = "not_ready"
    case incomplete

    /// Decides the verdict from findings: a failed critical finding means not ready; an `error` on a critical
    /// finding (could not measure) means incomplete; failed warnings or `warn` statuses mean ready with warnings.
    public static func decide(from findings: [Finding]) -> Verdict {
        var verdict = Verdict.ready
        for finding in findings {
            switch (finding.status, finding.severity) {
            case (.fail, .critical):
                return .notReady
            case (.error, .critical), (.inconclusive, .critical):
                verdict = .incomplete
            case (.fail, _), (.warn, _), (.error, _), (.inconclusive, _):
                if verdict == .ready { verdict = .readyWithWarnings }
            default:
                break
            }
        }
        return verdict
    }

    /// Process exit code documented for `homeready check`: 0 ready (with or without warnings), 1 not ready,
    /// 3 incomplete. (2 is reserved for usage and configuration errors.)
    public var exitCode: Int32 {
        switch self {
        case .ready, .readyWithWarnings: return 0
        case .notReady: return 1
        case .incomplete: return 3
        }
    }

    /// Whether the agent may take calls from home with this verdict.
    public var passes: Bool { self == .ready || self == .readyWithWarnings }
}

/// JSON coders configured for the report contract (ISO-8601 UTC dates, sorted keys for stable output).
public enum ReportCoding {
    /// An encoder producing the documented wire format.
    public static func encoder(pretty: Bool = false) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = dateEncoding
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// A decoder accepting the documented wire format.
    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = dateDecoding
        return decoder
    }

    /// A decoder for the server's judge: the report's figures, states and evidence, without the agent's own
    /// findings. Reading those was two thirds of `JSONDecoder`'s time on a 24-finding report, only to be thrown
    /// away; `ReportEnvelope.read` checks their fields instead.
    public static func judgingDecoder() -> JSONDecoder {
        let decoder = decoder()
        decoder.userInfo[.skipsClaimedFindings] = true
        return decoder
    }

    /// The server judge's decoder: what `judgingDecoder()` reads, read by `CompactJSONDecoder` (a report's
    /// figures in about a third of `JSONDecoder`'s time; `CompactJSONDecoderTests` holds the two to the same
    /// values and errors).
    public static let judging = CompactJSONDecoder(userInfo: [.skipsClaimedFindings: true], decodeDate: decodeDate)

    /// A report's text with its `findings` value (at `range`, from `ReportEnvelope.read(json:findingsAt:)`) as
    /// an empty list, for `judgingDecoder()`: the findings are most of a report's text, and `JSONDecoder` scans
    /// the whole text before it decodes anything, even members it then skips.
    public static func withoutClaimedFindings(_ bytes: [UInt8], at range: Range<Int>) -> [UInt8] {
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count - range.count + 2)
        text.append(contentsOf: bytes[..<range.lowerBound])
        text.append(contentsOf: [UInt8(ascii: "["), UInt8(ascii: "]")])
        text.append(contentsOf: bytes[range.upperBound...])
        return text
    }

    /// ISO-8601 times as `parseISO8601` reads them. Foundation's `.iso8601` strategy looks up the machine's time
    /// zone on first use, which loads ICU's time-zone data: this one reads the agent's own files without it.
    public static let dateDecoding = JSONDecoder.DateDecodingStrategy.custom(decodeDate)

    /// Reads a report time (`parseISO8601`) from a decoder: `dateDecoding`'s reader, and `judging`'s.
    public static let decodeDate: @Sendable (any Decoder) throws -> Date = { decoder in
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        if let date = parseISO8601(text) { return date }
        throw DecodingError.dataCorruptedError(
            in: container, debugDescription: "expected an ISO-8601 UTC time such as 2026-11-24T16:00:00Z, got \"\(text)\"")
    }

    /// Parses ISO-8601 times with or without fractional seconds.
    ///
    /// The form the agent writes, `2026-11-24T16:00:00Z`, is read by hand (the server reads two per report);
    /// every other form goes to Foundation's parser, so what is accepted, and the time it means, does not change.
    public static func parseISO8601(_ text: String) -> Date? {
        if let seconds = utcSeconds(text) { return Date(timeIntervalSince1970: Double(seconds)) }
        if let date = try? Date(text, strategy: .iso8601) { return date }
        let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        return try? withFraction.parse(text)
    }

    /// Seconds since 1970 of a valid `YYYY-MM-DDTHH:MM:SSZ` time (years 1970–9999), or nil for anything else.
    static func utcSeconds(_ text: String) -> Int64? {
        text.utf8.withContiguousStorageIfAvailable { bytes -> Int64? in
            guard bytes.count == 20, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
                bytes[10] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
                bytes[19] == UInt8(ascii: "Z")
            else { return nil }
            func number(_ start: Int, _ count: Int) -> Int64? {
                var value: Int64 = 0
                for index in start..<start + count {
                    let digit = bytes[index] &- UInt8(ascii: "0")
                    guard digit < 10 else { return nil }
                    value = value * 10 + Int64(digit)
                }
                return value
            }
            guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
                let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
                year >= 1970, (1...12).contains(month), hour < 24, minute < 60, second < 60
            else { return nil }
            let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
            let monthDays: [Int64] = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
            guard day >= 1, day <= monthDays[Int(month) - 1] else { return nil }
            // Days from 1970-01-01 to the civil date (proleptic Gregorian; H. Hinnant's days_from_civil).
            let shifted = month <= 2 ? year - 1 : year
            let era = shifted / 400
            let yearOfEra = shifted - era * 400
            let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
            let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
            let days = era * 146_097 + dayOfEra - 719_468
            return days * 86_400 + hour * 3_600 + minute * 60 + second
        } ?? nil
    }

    /// ISO-8601 UTC times as `formatISO8601` writes them: the same text as Foundation's `.iso8601` strategy, which
    /// looks up the machine's time zone on first use and so loads ICU's time-zone data into every agent run.
    public static let dateEncoding = JSONEncoder.DateEncodingStrategy.custom { date, encoder in
        var container = encoder.singleValueContainer()
        try container.encode(formatISO8601(date))
    }

    /// `2026-11-24T16:00:00Z`: whole seconds (a fraction is dropped, as Foundation's `.iso8601` drops it), UTC.
    /// Times before 1970 or after 9999 go to Foundation's formatter (it writes dates before 1582 in the Julian
    /// calendar; no report holds one).
    public static func formatISO8601(_ date: Date) -> String {
        let interval = date.timeIntervalSince1970.rounded(.down)
        guard interval.isFinite, interval >= 0, interval < 253_402_300_800 else { return date.formatted(.iso8601) }
        let seconds = Int64(interval)
        let days = seconds / 86_400
        let secondOfDay = seconds - days * 86_400
        // The civil date of a day count from 1970-01-01 (H. Hinnant's civil_from_days).
        let shifted = days + 719_468
        let era = shifted / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func digits(_ value: Int64, _ count: Int) -> String { String(value, zeroPaddedTo: count) }
        return "\(digits(year, 4))-\(digits(month, 2))-\(digits(day, 2))T\(digits(secondOfDay / 3_600, 2)):"
            + "\(digits(secondOfDay / 60 % 60, 2)):\(digits(secondOfDay % 60, 2))Z"
    }
}
