import Foundation
import HomeReadyModel
import Testing

/// Where `systemd-analyze` is, if installed (it validates the generated calendar expressions).
private let systemdAnalyze = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].first {
    FileManager.default.isExecutableFile(atPath: $0)
}

@Suite("Shift schedules")
struct ShiftScheduleTests {
    static let mexico = "America/Mexico_City"

    static func decode(_ json: String) throws -> ShiftSchedule {
        try JSONDecoder().decode(ShiftSchedule.self, from: Data(json.utf8))
    }

    static func error(_ json: String) -> ShiftScheduleError? {
        do {
            _ = try decode(json)
            return nil
        } catch {
            return error as? ShiftScheduleError
        }
    }

    @Test("JSON shifts read into canonical windows: day names, ranges, overnight, defaults")
    func decodes() throws {
        let schedule = try Self.decode(
            """
            {"shifts": [
              {"name": "morning", "weekdays": "mon..fri", "start": "07:00", "end": "15:00", "time_zone": "\(Self.mexico)"},
              {"weekdays": ["Saturday", "sun", "sat"], "start": "22:00", "end": "6:00", "time_zone": "UTC"}
            ]}
            """)
        #expect(schedule.leadMinutes == 30 && schedule.everyMinutes == 60)
        #expect(schedule.shifts[0].weekdays == [.monday, .tuesday, .wednesday, .thursday, .friday])
        #expect(schedule.shifts[0].name == "morning" && !schedule.shifts[0].crossesMidnight)
        #expect(schedule.shifts[1].weekdays == [.saturday, .sunday])
        #expect(schedule.shifts[1].end.description == "06:00" && schedule.shifts[1].crossesMidnight)
        #expect(schedule.shifts[1].lengthMinutes == 480)
        let again = try JSONDecoder().decode(ShiftSchedule.self, from: JSONEncoder().encode(schedule))
        #expect(again == schedule)
    }

    @Test("errors name the field and what was expected", arguments: [
        (#"{"shifts": [{"weekdays": ["mon", "fir"], "start": "07:00", "end": "15:00", "time_zone": "UTC"}]}"#,
         "shifts[0].weekdays[1]", "weekday", "fir"),
        (#"{"shifts": [{"weekdays": "mon..fri", "start": "08:00", "end": "08:00", "time_zone": "UTC"}]}"#,
         "shifts[0].end", "other than the start", "08:00"),
        (#"{"shifts": [{"weekdays": "mon", "start": "08:00", "end": "09:00", "time_zone": "Mars/Olympus_Mons"}]}"#,
         "shifts[0].time_zone", "IANA time zone", "Mars/Olympus_Mons"),
        (#"{"shifts": [{"weekdays": "mon", "start": "25:00", "end": "09:00", "time_zone": "UTC"}]}"#,
         "shifts[0].start", "HH:MM", "25:00"),
        (#"{"shifts": [{"weekdays": "fri..mon", "start": "08:00", "end": "09:00", "time_zone": "UTC"}]}"#,
         "shifts[0].weekdays", "earlier to a later day", "fri..mon"),
        (#"{"shifts": [{"start": "08:00", "end": "09:00", "time_zone": "UTC"}]}"#, "shifts[0].weekdays", "list of weekdays", nil),
        (#"{"shifts": [], "every_minutes": 2}"#, "every_minutes", "5 to 720", "2"),
        (#"{"lead_minutes": 30}"#, "shifts", "list of shifts", nil),
    ] as [(String, String, String, String?)])
    func errors(json: String, field: String, expected: String, got: String?) {
        let error = Self.error(json)
        #expect(error?.field == field, "\(String(describing: error))")
        #expect(error?.expected.contains(expected) == true, "\(String(describing: error))")
        #expect(error?.got == got)
        #expect(error?.description.hasPrefix("`\(field)` must be") == true)
    }

    @Test("OnCalendar: a check 30 minutes before the start, then every N minutes until the end, in the shift's zone")
    func onCalendarDayShift() throws {
        let shift = try ShiftWindow(
            weekdays: [.monday, .tuesday, .wednesday, .thursday, .friday], start: LocalTime("08:00")!,
            end: LocalTime("16:00")!, timeZone: Self.mexico)
        let schedule = try ShiftSchedule(shifts: [shift], leadMinutes: 30, everyMinutes: 30)
        #expect(schedule.onCalendarExpressions() == [
            "Mon..Fri *-*-* 07:30:00 America/Mexico_City",
            "Mon..Fri *-*-* 08..15:00,30:00 America/Mexico_City",
        ])
        let sparse = try ShiftSchedule(shifts: [shift], leadMinutes: 60, everyMinutes: 120)
        #expect(sparse.onCalendarExpressions() == ["Mon..Fri *-*-* 07..08,10,12,14:00:00 America/Mexico_City"])
        let text = schedule.timerDropIn(source: "test")
        #expect(text.contains("[Timer]\nOnCalendar=\nOnCalendar=Mon..Fri *-*-* 07:30:00 America/Mexico_City\n"))
    }

    @Test("OnCalendar: an overnight shift continues on the next day (Sunday night ends on Monday); a lead before midnight moves back a day")
    func onCalendarOvernight() throws {
        let night = try ShiftWindow(
            weekdays: [.friday, .saturday, .sunday], start: LocalTime("22:00")!, end: LocalTime("02:00")!,
            timeZone: "UTC")
        #expect(try ShiftSchedule(shifts: [night], leadMinutes: 15, everyMinutes: 60).onCalendarExpressions() == [
            "Fri..Sun *-*-* 21:45:00 UTC",
            "Fri..Sun *-*-* 22..23:00:00 UTC",
            "Mon,Sat,Sun *-*-* 00..01:00:00 UTC",
        ])
        let early = try ShiftWindow(weekdays: [.monday], start: LocalTime("00:10")!, end: LocalTime("01:00")!, timeZone: "UTC")
        #expect(try ShiftSchedule(shifts: [early], leadMinutes: 30, everyMinutes: 20).onCalendarExpressions() == [
            "Sun *-*-* 23:40:00 UTC",
            "Mon *-*-* 00:10,30,50:00 UTC",
        ])
    }

    /// Runs `systemd-analyze calendar` for one expression; the elapses (UTC) it lists, or its refusal.
    static func elapses(_ expression: String, from base: String, iterations: Int) throws -> (status: Int32, dates: [Date], output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: systemdAnalyze!)
        process.arguments = ["calendar", "--iterations=\(iterations)", "--base-time=\(base)", expression]
        process.environment = ["TZ": "UTC", "LANG": "C", "SYSTEMD_COLORS": "0"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE yyyy-MM-dd HH:mm:ss 'UTC'"
        let dates = output.split(separator: "\n").compactMap { line -> Date? in
            guard line.contains("Next elapse:") || line.contains("Iter. #"), let colon = line.firstIndex(of: ":") else { return nil }
            return formatter.date(from: line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        return (process.terminationStatus, dates, output)
    }

    /// The check times of one week from `base`, computed independently with Foundation's calendar.
    static func expectedChecks(_ schedule: ShiftSchedule, from base: Date, days: Int) -> Set<Date> {
        var result = Set<Date>()
        for shift in schedule.shifts {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: shift.timeZone)!
            for dayOffset in -1...days {
                let day = calendar.startOfDay(for: base.addingTimeInterval(Double(dayOffset) * 86_400))
                let weekday = (calendar.component(.weekday, from: day) + 5) % 7 + 1  // Sunday 1 → 7
                guard shift.weekdays.contains(Weekday(rawValue: weekday)!) else { continue }
                let start = calendar.date(bySettingHour: shift.start.hour, minute: shift.start.minute, second: 0, of: day)!
                if schedule.leadMinutes > 0 { result.insert(start.addingTimeInterval(Double(-schedule.leadMinutes * 60))) }
                var minute = 0
                while minute < shift.lengthMinutes {
                    result.insert(start.addingTimeInterval(Double(minute * 60)))
                    minute += schedule.everyMinutes
                }
            }
        }
        return result.filter { $0 >= base && $0 < base.addingTimeInterval(Double(days) * 86_400) }
    }

    @Test(
        "systemd-analyze accepts every expression, and over a week it fires exactly at the checks Foundation computes",
        .enabled(if: systemdAnalyze != nil, "systemd-analyze is not installed (Debian package systemd)"),
        arguments: [
            (#"{"lead_minutes": 30, "every_minutes": 30, "shifts": [{"weekdays": "mon..fri", "start": "08:00", "end": "16:00", "time_zone": "America/Mexico_City"}]}"#),
            (#"{"lead_minutes": 45, "every_minutes": 90, "shifts": [{"weekdays": ["fri", "sat", "sun"], "start": "22:15", "end": "06:00", "time_zone": "America/Bogota"}, {"weekdays": "mon,wed", "start": "00:20", "end": "03:00", "time_zone": "Europe/Madrid"}]}"#),
            (#"{"lead_minutes": 30, "every_minutes": 120, "shifts": [{"weekdays": "mon..fri", "start": "07:00", "end": "15:00", "time_zone": "America/Mexico_City"}, {"weekdays": "sat", "start": "19:30", "end": "23:30", "time_zone": "America/Mexico_City"}]}"#),
            (#"{"lead_minutes": 0, "every_minutes": 25, "shifts": [{"weekdays": "sun", "start": "23:00", "end": "01:10", "time_zone": "Asia/Kolkata"}]}"#),
        ])
    func systemdAgrees(json: String) throws {
        let schedule = try Self.decode(json)
        let baseText = "2026-12-07 00:00:00 UTC"  // a Monday
        let base = Date(timeIntervalSince1970: 1_796_601_600)
        var fired = Set<Date>()
        for expression in schedule.onCalendarExpressions() {
            let run = try Self.elapses(expression, from: baseText, iterations: 400)
            #expect(run.status == 0, "systemd-analyze refused \(expression): \(run.output)")
            #expect(!run.dates.isEmpty, "\(run.output)")
            fired.formUnion(run.dates.filter { $0 < base.addingTimeInterval(7 * 86_400) })
        }
        let expected = Self.expectedChecks(schedule, from: base, days: 7)
        #expect(!expected.isEmpty)
        #expect(fired == expected, "extra: \(fired.subtracting(expected).sorted()), missing: \(expected.subtracting(fired).sorted())")
    }

    @Test(
        "systemd-analyze refuses an unknown zone, which validation refuses first",
        .enabled(if: systemdAnalyze != nil, "systemd-analyze is not installed (Debian package systemd)"))
    func unknownZone() throws {
        #expect(try Self.elapses("Mon *-*-* 08:00:00 Mars/Olympus_Mons", from: "2026-12-07 00:00:00 UTC", iterations: 1).status != 0)
        #expect(!ShiftWindow.isKnownTimeZone("Mars/Olympus_Mons"))
        #expect(ShiftWindow.isKnownTimeZone("America/Mexico_City") && ShiftWindow.isKnownTimeZone("UTC"))
    }
}
