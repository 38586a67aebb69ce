import Foundation

/// A day of the week, Monday first (ISO 8601), as systemd spells it in calendar expressions.
public enum Weekday: Int, Sendable, CaseIterable, Comparable, Codable {
    case monday = 1, tuesday, wednesday, thursday, friday, saturday, sunday

    /// The short lowercase name used on the wire and in YAML (`mon` … `sun`).
    public var name: String { ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][rawValue - 1] }
    /// systemd's spelling (`Mon` … `Sun`).
    public var systemdName: String { name.prefix(1).uppercased() + name.dropFirst() }
    /// The next day (Sunday → Monday).
    public var next: Weekday { Weekday(rawValue: rawValue % 7 + 1)! }
    /// The day before (Monday → Sunday).
    public var previous: Weekday { Weekday(rawValue: (rawValue + 5) % 7 + 1)! }
    /// The bit of this day in a weekday mask (bit 0 Monday … bit 6 Sunday).
    public var bit: Int { 1 << (rawValue - 1) }

    /// Reads `mon`, `Monday`, `MON` …; nil for anything else.
    public init?(name: String) {
        let text = name.trimmingCharacters(in: .whitespaces).lowercased()
        let full = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
        if let index = full.firstIndex(where: { $0 == text || ($0.prefix(3) == text) }) {
            self.init(rawValue: index + 1)
        } else {
            return nil
        }
    }

    /// The days of a mask (bit 0 Monday … bit 6 Sunday).
    public static func days(mask: Int) -> [Weekday] { allCases.filter { mask & $0.bit != 0 } }
    /// The mask of a set of days.
    public static func mask(_ days: [Weekday]) -> Int { days.reduce(0) { $0 | $1.bit } }

    public static func < (lhs: Weekday, rhs: Weekday) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let day = Weekday(name: text) else {
            throw ShiftScheduleError(
                field: ShiftScheduleError.path(decoder.codingPath), expected: Self.expectedText, got: text)
        }
        self = day
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(name)
    }

    /// What a weekday must look like, for messages.
    public static let expectedText = "a weekday (mon, tue, wed, thu, fri, sat, sun) or a range like mon..fri"
}

/// A wall-clock time of day, to the minute (`07:30`).
public struct LocalTime: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Minutes after midnight, 0…1439.
    public var minuteOfDay: Int

    public init?(minuteOfDay: Int) {
        guard (0..<1440).contains(minuteOfDay) else { return nil }
        self.minuteOfDay = minuteOfDay
    }

    public init?(hour: Int, minute: Int) {
        guard (0..<24).contains(hour), (0..<60).contains(minute) else { return nil }
        self.minuteOfDay = hour * 60 + minute
    }

    /// Reads `HH:MM` (24-hour clock, `7:30` also accepted); nil for anything else.
    public init?(_ text: String) {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...2).contains(parts[0].count), parts[1].count == 2,
            parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            let hour = Int(parts[0]), let minute = Int(parts[1])
        else { return nil }
        self.init(hour: hour, minute: minute)
    }

    public var hour: Int { minuteOfDay / 60 }
    public var minute: Int { minuteOfDay % 60 }
    /// `07:30`.
    public var description: String { String(format: "%02d:%02d", hour, minute) }

    public static func < (lhs: LocalTime, rhs: LocalTime) -> Bool { lhs.minuteOfDay < rhs.minuteOfDay }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = (try? container.decode(String.self)) ?? (try? container.decode(Int.self)).map { "\($0)" } ?? "?"
        guard let time = LocalTime(text) else {
            throw ShiftScheduleError(
                field: ShiftScheduleError.path(decoder.codingPath), expected: "a time of day HH:MM (00:00…23:59)",
                got: text)
        }
        self = time
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// One shift window of a campaign: on these weekdays, from `start` to `end` local time in `timeZone`. An end
/// earlier than the start crosses midnight (22:00–06:00 on Monday ends on Tuesday morning).
public struct ShiftWindow: Sendable, Equatable, Codable {
    /// A label for people (`morning`); optional.
    public var name: String?
    /// The days the shift starts on, Monday first, without repeats.
    public var weekdays: [Weekday]
    public var start: LocalTime
    public var end: LocalTime
    /// An IANA time zone name (`America/Mexico_City`).
    public var timeZone: String

    /// Validates the window; throws `ShiftScheduleError` naming the field under `field` at fault.
    public init(
        name: String? = nil, weekdays: [Weekday], start: LocalTime, end: LocalTime, timeZone: String,
        field: String = "shift"
    ) throws(ShiftScheduleError) {
        guard !weekdays.isEmpty else {
            throw ShiftScheduleError(field: "\(field).weekdays", expected: "at least one weekday")
        }
        guard end != start else {
            throw ShiftScheduleError(
                field: "\(field).end",
                expected: "a time other than the start \(start) (a shift ending earlier than it starts crosses midnight)",
                got: end.description)
        }
        guard ShiftWindow.isKnownTimeZone(timeZone) else {
            throw ShiftScheduleError(
                field: "\(field).time_zone", expected: "an IANA time zone name such as America/Mexico_City or UTC",
                got: timeZone)
        }
        self.name = name
        self.weekdays = Array(Set(weekdays)).sorted()
        self.start = start
        self.end = end
        self.timeZone = timeZone
    }

    /// Whether the shift ends on the day after it starts.
    public var crossesMidnight: Bool { end < start }
    /// The shift's length in minutes.
    public var lengthMinutes: Int { (end.minuteOfDay - start.minuteOfDay + 1440) % 1440 }

    /// Whether the zone is an IANA name Foundation knows and systemd will too: in Foundation's (ICU's) list, or a
    /// file of this machine's tz database (`/usr/share/zoneinfo`, what systemd reads: ICU still says
    /// `Asia/Calcutta` where tzdata has `Asia/Kolkata`), or UTC.
    public static func isKnownTimeZone(_ name: String, zoneinfo: String = "/usr/share/zoneinfo") -> Bool {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+-/")
        guard !name.isEmpty, name.allSatisfy(allowed.contains), !name.hasPrefix("/"), !name.contains(".."),
            TimeZone(identifier: name) != nil
        else { return false }
        if name == "UTC" || TimeZone.knownTimeZoneIdentifiers.contains(name) { return true }
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: "\(zoneinfo)/\(name)", isDirectory: &isDirectory)
            && !isDirectory.boolValue
    }

    enum CodingKeys: String, CodingKey {
        case name, weekdays, start, end
        case timeZone = "time_zone"
    }

    public init(from decoder: any Decoder) throws {
        let path = ShiftScheduleError.path(decoder.codingPath)
        let container = try ShiftScheduleError.keyed(
            decoder, CodingKeys.self, expected: "a shift: weekdays, start, end, time_zone")
        func require<T: Decodable>(_ key: CodingKeys, _ type: T.Type, _ expected: String) throws -> T {
            let field = path.isEmpty ? key.rawValue : "\(path).\(key.rawValue)"
            guard container.contains(key) else { throw ShiftScheduleError(field: field, expected: expected) }
            do { return try container.decode(T.self, forKey: key) } catch let error as ShiftScheduleError {
                throw error
            } catch { throw ShiftScheduleError(field: field, expected: expected) }
        }
        let days = try require(.weekdays, WeekdayList.self, "a list of weekdays such as [mon, tue] or mon..fri")
        let name = try? container.decodeIfPresent(String.self, forKey: .name)
        try self.init(
            name: name ?? nil, weekdays: days.days,
            start: require(.start, LocalTime.self, "a time of day HH:MM"),
            end: require(.end, LocalTime.self, "a time of day HH:MM"),
            timeZone: require(.timeZone, String.self, "an IANA time zone name such as America/Mexico_City"),
            field: path.isEmpty ? "shift" : path)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(name, forKey: .name)
        try container.encode(weekdays, forKey: .weekdays)
        try container.encode(start, forKey: .start)
        try container.encode(end, forKey: .end)
        try container.encode(timeZone, forKey: .timeZone)
    }
}

/// Weekdays as written: a list of names and ranges (`[mon, wed..fri]`) or one string (`mon..fri`, `sat,sun`).
struct WeekdayList: Decodable {
    var days: [Weekday]

    init(from decoder: any Decoder) throws {
        let path = ShiftScheduleError.path(decoder.codingPath)
        var items: [(String, String)] = []
        if var list = try? decoder.unkeyedContainer() {
            var index = 0
            while !list.isAtEnd {
                guard let text = try? list.decode(String.self) else {
                    throw ShiftScheduleError(field: "\(path)[\(index)]", expected: Weekday.expectedText)
                }
                items.append(("\(path)[\(index)]", text))
                index += 1
            }
        } else if let text = try? decoder.singleValueContainer().decode(String.self) {
            items = text.split(separator: ",").map { (path, String($0)) }
        } else {
            throw ShiftScheduleError(field: path, expected: "a list of weekdays such as [mon, tue] or mon..fri")
        }
        var days: [Weekday] = []
        for (field, text) in items {
            let bounds = text.components(separatedBy: "..")
            guard (1...2).contains(bounds.count), let first = Weekday(name: bounds[0]),
                let last = Weekday(name: bounds[bounds.count - 1])
            else { throw ShiftScheduleError(field: field, expected: Weekday.expectedText, got: text) }
            guard first <= last else {
                throw ShiftScheduleError(field: field, expected: "a range from an earlier to a later day (mon..fri)", got: text)
            }
            days += (first.rawValue...last.rawValue).compactMap(Weekday.init(rawValue:))
        }
        guard !days.isEmpty else { throw ShiftScheduleError(field: path, expected: "at least one weekday") }
        self.days = days
    }
}

/// A campaign's shifts and how the agent's timer follows them: a check `leadMinutes` before each shift starts,
/// then every `everyMinutes` while it lasts.
public struct ShiftSchedule: Sendable, Equatable, Codable {
    public var shifts: [ShiftWindow]
    /// Minutes before a shift's start for the first check (0…720, default 30).
    public var leadMinutes: Int
    /// Minutes between checks during a shift (5…720, default 60).
    public var everyMinutes: Int

    public static let defaultLeadMinutes = 30
    public static let defaultEveryMinutes = 60
    public static let leadRange = 0...720
    public static let everyRange = 5...720
    /// At most this many shifts per campaign.
    public static let maxShifts = 50

    public init(
        shifts: [ShiftWindow], leadMinutes: Int = ShiftSchedule.defaultLeadMinutes,
        everyMinutes: Int = ShiftSchedule.defaultEveryMinutes
    ) throws(ShiftScheduleError) {
        guard Self.leadRange.contains(leadMinutes) else {
            throw ShiftScheduleError(
                field: "lead_minutes", expected: "a number of minutes from 0 to 720", got: "\(leadMinutes)")
        }
        guard Self.everyRange.contains(everyMinutes) else {
            throw ShiftScheduleError(
                field: "every_minutes", expected: "a number of minutes from 5 to 720", got: "\(everyMinutes)")
        }
        guard shifts.count <= Self.maxShifts else {
            throw ShiftScheduleError(field: "shifts", expected: "at most \(Self.maxShifts) shifts", got: "\(shifts.count)")
        }
        self.shifts = shifts
        self.leadMinutes = leadMinutes
        self.everyMinutes = everyMinutes
    }

    enum CodingKeys: String, CodingKey {
        case shifts
        case leadMinutes = "lead_minutes"
        case everyMinutes = "every_minutes"
    }

    public init(from decoder: any Decoder) throws {
        let container = try ShiftScheduleError.keyed(
            decoder, CodingKeys.self, expected: "an object with shifts, lead_minutes, every_minutes")
        func minutes(_ key: CodingKeys, _ fallback: Int) throws -> Int {
            guard container.contains(key) else { return fallback }
            guard let value = try? container.decode(Int.self, forKey: key) else {
                throw ShiftScheduleError(field: key.rawValue, expected: "a whole number of minutes")
            }
            return value
        }
        guard container.contains(.shifts) else {
            throw ShiftScheduleError(field: "shifts", expected: "a list of shifts (an empty list removes the schedule)")
        }
        let shifts: [ShiftWindow]
        do { shifts = try container.decode([ShiftWindow].self, forKey: .shifts) } catch let error as ShiftScheduleError {
            throw error
        } catch { throw ShiftScheduleError(field: "shifts", expected: "a list of shifts") }
        try self.init(
            shifts: shifts, leadMinutes: minutes(.leadMinutes, Self.defaultLeadMinutes),
            everyMinutes: minutes(.everyMinutes, Self.defaultEveryMinutes))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(shifts, forKey: .shifts)
        try container.encode(leadMinutes, forKey: .leadMinutes)
        try container.encode(everyMinutes, forKey: .everyMinutes)
    }
}

/// A schedule that cannot be used, naming the field (`shifts[1].weekdays[0]`) and what it must be.
public struct ShiftScheduleError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The path of the field at fault (`shifts[0].time_zone`).
    public var field: String
    /// What the field must be.
    public var expected: String
    /// What was written, when there was something.
    public var got: String?

    public init(field: String, expected: String, got: String? = nil) {
        self.field = field
        self.expected = expected
        self.got = got
    }

    public var description: String {
        "`\(field)` must be \(expected)" + (got.map { ", got \"\($0)\"" } ?? "")
    }

    /// `shifts[0].weekdays[2]` from a coding path.
    static func path(_ codingPath: [any CodingKey]) -> String {
        codingPath.reduce(into: "") { text, key in
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
    }

    static func keyed<Key: CodingKey>(_ decoder: any Decoder, _ keys: Key.Type, expected: String) throws
        -> KeyedDecodingContainer<Key>
    {
        do { return try decoder.container(keyedBy: keys) } catch {
            let field = Self.path(decoder.codingPath)
            throw ShiftScheduleError(field: field.isEmpty ? "schedule" : field, expected: expected)
        }
    }
}
