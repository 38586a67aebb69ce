import Foundation
import HomeReadyModel
import Yams

/// How urgent an escalation is; policies compare them (`min_severity`, `except_severity`).
public enum EscalationSeverity: String, Codable, Sendable, CaseIterable, Comparable {
    case low, medium, high, critical

    var rank: Int { Self.allCases.firstIndex(of: self)! }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }
}

/// What can start an escalation (issue 20, point 1).
public enum EscalationEvent: String, Codable, Sendable, CaseIterable {
    /// A report made an agent who was ready no longer ready (raised at report ingestion).
    case agentRegressed = "agent_regressed"
    /// The agent's last full check is older than `older_than_hours`, within `within_days_of_cutover` of cutover.
    case checkStale = "check_stale"
    /// Equipment shipped to the agent more than `older_than_days` ago is still not delivered.
    case shipmentOverdue = "shipment_overdue"
    /// The agent did not answer a continuity drill (raised by the drills through `raiseEscalation`).
    case drillUnanswered = "drill_unanswered"
}

/// Who a step tells: the agent first, then up the chain.
public enum EscalationRole: String, Codable, Sendable, CaseIterable {
    case agent, supervisor, coordinator, director
}

/// A campaign's escalation policy: which events escalate and how severe they are, the chain of steps, grouping and
/// quiet hours. Read from YAML or JSON by `EscalationPolicy.parse`, which names the field at fault.
public struct EscalationPolicy: Codable, Sendable, Equatable {
    /// One event's settings.
    public struct EventRule: Codable, Sendable, Equatable {
        public var severity: EscalationSeverity
        /// `check_stale`: a full check older than this many hours is stale.
        public var olderThanHours: Int?
        /// `check_stale`: only from this many days before the campaign's cutover date to as many days after.
        public var withinDaysOfCutover: Int?
        /// `shipment_overdue`: days after shipping an undelivered item is overdue (default 5).
        public var olderThanDays: Int?

        enum CodingKeys: String, CodingKey {
            case severity
            case olderThanHours = "older_than_hours"
            case withinDaysOfCutover = "within_days_of_cutover"
            case olderThanDays = "older_than_days"
        }
    }

    /// One step of the chain: tell `notify` once the escalation has been open `afterMinutes`, if its severity is at
    /// least `minSeverity`.
    public struct Step: Codable, Sendable, Equatable {
        public var notify: EscalationRole
        public var afterMinutes: Int
        public var minSeverity: EscalationSeverity?

        enum CodingKeys: String, CodingKey {
            case notify
            case afterMinutes = "after_minutes"
            case minSeverity = "min_severity"
        }
    }

    /// Local hours in which messages (not the agent's in-app message) wait, unless severe enough.
    public struct QuietHours: Codable, Sendable, Equatable {
        public var from: LocalTime
        public var to: LocalTime
        public var timeZone: String
        /// Escalations at least this severe are sent during quiet hours too.
        public var exceptSeverity: EscalationSeverity?

        enum CodingKeys: String, CodingKey {
            case from, to
            case timeZone = "time_zone"
            case exceptSeverity = "except_severity"
        }

        /// Whether `date` falls in the quiet hours (`from` inclusive, `to` exclusive; may cross midnight).
        func contains(_ date: Date) -> Bool {
            guard let minute = Self.minuteOfDay(date, timeZone) else { return false }
            if from < to { return minute >= from.minuteOfDay && minute < to.minuteOfDay }
            return minute >= from.minuteOfDay || minute < to.minuteOfDay
        }

        /// The first instant at or after `date` outside the quiet hours.
        func end(after date: Date) -> Date {
            guard contains(date), let minute = Self.minuteOfDay(date, timeZone) else { return date }
            var wait = to.minuteOfDay - minute
            if wait <= 0 { wait += 1440 }
            // Whole minutes from the current minute's start (a DST change is absorbed by checking again next tick).
            let seconds = date.timeIntervalSince1970
            let minuteStart = seconds - seconds.truncatingRemainder(dividingBy: 60)
            return Date(timeIntervalSince1970: minuteStart + Double(wait) * 60)
        }

        private static func minuteOfDay(_ date: Date, _ zone: String) -> Int? {
            guard let zone = TimeZone(identifier: zone) else { return nil }
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            let parts = calendar.dateComponents([.hour, .minute], from: date)
            return (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
        }
    }

    public var events: [EscalationEvent: EventRule]
    public var steps: [Step]
    public var groupIntervalMinutes: Int
    public var quietHours: QuietHours?

    public static let defaultGroupIntervalMinutes = 15
    public static let defaultOverdueDays = 5

    enum CodingKeys: String, CodingKey {
        case events, steps
        case groupIntervalMinutes = "group_interval_minutes"
        case quietHours = "quiet_hours"
    }

    public init(
        events: [EscalationEvent: EventRule], steps: [Step], groupIntervalMinutes: Int = defaultGroupIntervalMinutes,
        quietHours: QuietHours? = nil
    ) {
        self.events = events
        self.steps = steps
        self.groupIntervalMinutes = groupIntervalMinutes
        self.quietHours = quietHours
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let raw = try container.decode([String: EventRule].self, forKey: .events)
        events = Dictionary(uniqueKeysWithValues: raw.compactMap { key, rule in
            EscalationEvent(rawValue: key).map { ($0, rule) }
        })
        steps = try container.decode([Step].self, forKey: .steps)
        groupIntervalMinutes = try container.decode(Int.self, forKey: .groupIntervalMinutes)
        quietHours = try container.decodeIfPresent(QuietHours.self, forKey: .quietHours)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(
            Dictionary(uniqueKeysWithValues: events.map { ($0.key.rawValue, $0.value) }), forKey: .events)
        try container.encode(steps, forKey: .steps)
        try container.encode(groupIntervalMinutes, forKey: .groupIntervalMinutes)
        try container.encodeIfPresent(quietHours, forKey: .quietHours)
    }

    /// The steps an escalation of `severity` goes through, with their positions in the policy.
    func steps(for severity: EscalationSeverity) -> [(position: Int, step: Step)] {
        steps.enumerated().compactMap { index, step in
            guard step.minSeverity.map({ severity >= $0 }) ?? true else { return nil }
            return (index, step)
        }
    }
}

/// A policy that does not validate: the field at fault (`steps[2].after_minutes`) and what was expected there.
public struct EscalationPolicyError: Error, Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var message: String

    public var description: String { "`\(field)`: \(message)" }
}

extension EscalationPolicy {
    /// Reads a policy from YAML (JSON is YAML too) or from JSON when `json` is true; every problem names its field.
    public static func parse(_ text: String, json: Bool = false) throws(EscalationPolicyError) -> EscalationPolicy {
        let tree: Any?
        do {
            if json {
                tree = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
            } else {
                tree = try Yams.load(yaml: text)
            }
        } catch {
            throw EscalationPolicyError(
                field: "body", message: "is not valid \(json ? "JSON" : "YAML"): \(error)")
        }
        return try parse(tree: tree)
    }

    /// Validates an already parsed YAML/JSON tree.
    public static func parse(tree: Any?) throws(EscalationPolicyError) -> EscalationPolicy {
        let root = try mapping(tree, "policy", known: ["events", "steps", "group_interval_minutes", "quiet_hours"])
        // Events.
        let rawEvents = try mapping(root["events"] ?? nil, "events", required: true, known: nil)
        guard !rawEvents.isEmpty else {
            throw EscalationPolicyError(
                field: "events", message: "must name at least one event (\(eventNames))")
        }
        var events: [EscalationEvent: EventRule] = [:]
        for (key, value) in rawEvents.sorted(by: { $0.key < $1.key }) {
            let field = "events.\(key)"
            guard let event = EscalationEvent(rawValue: key) else {
                throw EscalationPolicyError(field: field, message: "unknown event; known: \(eventNames)")
            }
            var known = ["severity"]
            switch event {
            case .checkStale: known += ["older_than_hours", "within_days_of_cutover"]
            case .shipmentOverdue: known += ["older_than_days"]
            case .agentRegressed, .drillUnanswered: break
            }
            let rule = try mapping(value, field, required: true, known: known)
            var parsed = EventRule(severity: try severity(rule["severity"], "\(field).severity", required: true)!)
            switch event {
            case .checkStale:
                parsed.olderThanHours = try integer(
                    rule["older_than_hours"], "\(field).older_than_hours", 1...8760, "hours", required: true)
                parsed.withinDaysOfCutover = try integer(
                    rule["within_days_of_cutover"], "\(field).within_days_of_cutover", 0...3650, "days")
            case .shipmentOverdue:
                parsed.olderThanDays = try integer(rule["older_than_days"], "\(field).older_than_days", 1...365, "days")
            case .agentRegressed, .drillUnanswered: break
            }
            events[event] = parsed
        }
        // Steps.
        guard let rawSteps = root["steps"] else {
            throw EscalationPolicyError(field: "steps", message: "is required: a list such as `- {notify: agent}`")
        }
        guard let list = rawSteps as? [Any?], !list.isEmpty else {
            throw EscalationPolicyError(field: "steps", message: "must be a non-empty list of steps")
        }
        var steps: [Step] = []
        for (index, value) in list.enumerated() {
            let field = "steps[\(index)]"
            let step = try mapping(value, field, required: true, known: ["notify", "after_minutes", "min_severity"])
            guard let notify = step["notify"] as? String, let role = EscalationRole(rawValue: notify) else {
                throw EscalationPolicyError(
                    field: "\(field).notify",
                    message: "must be one of \(EscalationRole.allCases.map(\.rawValue).joined(separator: ", "))"
                        + ", got \(describe(step["notify"]))")
            }
            if role == .agent, index != 0 {
                throw EscalationPolicyError(
                    field: "\(field).notify", message: "the agent is told first: `notify: agent` may only be steps[0]")
            }
            let after = try integer(step["after_minutes"], "\(field).after_minutes", 0...10_080, "minutes") ?? 0
            if let previous = steps.last, after < previous.afterMinutes {
                throw EscalationPolicyError(
                    field: "\(field).after_minutes",
                    message: "must not be less than the previous step's (\(previous.afterMinutes)), got \(after)")
            }
            steps.append(
                Step(notify: role, afterMinutes: after,
                     minSeverity: try severity(step["min_severity"], "\(field).min_severity", required: false)))
        }
        let interval =
            try integer(root["group_interval_minutes"], "group_interval_minutes", 1...1440, "minutes")
            ?? defaultGroupIntervalMinutes
        // Quiet hours.
        var quiet: QuietHours?
        if root["quiet_hours"] != nil {
            let raw = try mapping(
                root["quiet_hours"] ?? nil, "quiet_hours", required: true, known: ["from", "to", "time_zone", "except_severity"])
            func time(_ key: String) throws(EscalationPolicyError) -> LocalTime {
                if let number = raw[key] as? Int, type(of: raw[key]!!) != Bool.self {
                    // YAML 1.1 reads an unquoted 22:00 as the base-60 number 1320.
                    throw EscalationPolicyError(
                        field: "quiet_hours.\(key)",
                        message: "must be a local time \"HH:MM\" in quotes (YAML reads an unquoted "
                            + "\(number / 60):\(String(format: "%02d", number % 60)) as the number \(number))")
                }
                guard let text = raw[key] as? String, let time = LocalTime(text) else {
                    throw EscalationPolicyError(
                        field: "quiet_hours.\(key)", message: "must be a local time \"HH:MM\", got \(describe(raw[key]))")
                }
                return time
            }
            let from = try time("from")
            let to = try time("to")
            guard from != to else {
                throw EscalationPolicyError(field: "quiet_hours.to", message: "must differ from `from` (\(from))")
            }
            guard let zone = raw["time_zone"] as? String, TimeZone(identifier: zone) != nil else {
                throw EscalationPolicyError(
                    field: "quiet_hours.time_zone",
                    message: "must be an IANA time zone such as America/Mexico_City, got \(describe(raw["time_zone"]))")
            }
            quiet = QuietHours(
                from: from, to: to, timeZone: zone,
                exceptSeverity: try severity(raw["except_severity"], "quiet_hours.except_severity", required: false))
        }
        return EscalationPolicy(events: events, steps: steps, groupIntervalMinutes: interval, quietHours: quiet)
    }

    private static var eventNames: String { EscalationEvent.allCases.map(\.rawValue).joined(separator: ", ") }

    private static func mapping(_ value: Any?, _ field: String, required: Bool = true, known: [String]?)
        throws(EscalationPolicyError) -> [String: Any?]
    {
        guard let value, !(value is NSNull) else {
            if required { throw EscalationPolicyError(field: field, message: "is required (a mapping)") }
            return [:]
        }
        let dictionary: [String: Any?]
        if let map = value as? [String: Any] {
            dictionary = map.mapValues { Optional($0) }
        } else if let map = value as? [AnyHashable: Any] {
            var converted: [String: Any?] = [:]
            for (key, value) in map { converted["\(key)"] = value }
            dictionary = converted
        } else {
            throw EscalationPolicyError(field: field, message: "must be a mapping, got \(describe(value))")
        }
        if let known {
            for key in dictionary.keys.sorted() where !known.contains(key) {
                throw EscalationPolicyError(
                    field: field == "policy" ? key : "\(field).\(key)",
                    message: "unknown key; known: \(known.joined(separator: ", "))")
            }
        }
        return dictionary
    }

    private static func severity(_ value: Any??, _ field: String, required: Bool)
        throws(EscalationPolicyError) -> EscalationSeverity?
    {
        guard let value = value ?? nil, !(value is NSNull) else {
            if required {
                throw EscalationPolicyError(field: field, message: "is required: one of \(severityNames)")
            }
            return nil
        }
        guard let text = value as? String, let severity = EscalationSeverity(rawValue: text) else {
            throw EscalationPolicyError(field: field, message: "must be one of \(severityNames), got \(describe(value))")
        }
        return severity
    }

    private static var severityNames: String { EscalationSeverity.allCases.map(\.rawValue).joined(separator: ", ") }

    private static func integer(
        _ value: Any??, _ field: String, _ range: ClosedRange<Int>, _ unit: String, required: Bool = false
    ) throws(EscalationPolicyError) -> Int? {
        guard let value = value ?? nil, !(value is NSNull) else {
            if required {
                throw EscalationPolicyError(
                    field: field, message: "is required: a whole number of \(unit), \(range.lowerBound)…\(range.upperBound)")
            }
            return nil
        }
        let number: Int?
        if type(of: value) == Bool.self {
            number = nil
        } else if let int = value as? Int {
            number = int
        } else if let double = value as? Double, double.rounded() == double, abs(double) < 1e9 {
            number = Int(double)
        } else {
            number = nil
        }
        guard let number, range.contains(number) else {
            throw EscalationPolicyError(
                field: field,
                message: "must be a whole number of \(unit), \(range.lowerBound)…\(range.upperBound), got \(describe(value))")
        }
        return number
    }

    private static func describe(_ value: Any??) -> String {
        guard let value = value ?? nil, !(value is NSNull) else { return "nothing" }
        if let text = value as? String { return "\"\(text)\"" }
        if value is [Any] { return "a list" }
        if value is [String: Any] || value is [AnyHashable: Any] { return "a mapping" }
        return "\(value)"
    }
}
