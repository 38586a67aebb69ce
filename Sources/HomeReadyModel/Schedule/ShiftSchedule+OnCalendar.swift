import Foundation

extension ShiftSchedule {
    /// The check times of one shift, as local minutes of the day grouped by how many days after the shift's start
    /// day they fall (-1: the lead check of a shift starting just after midnight; +1: past midnight).
    func checkMinutes(of shift: ShiftWindow) -> [Int: Set<Int>] {
        var byOffset: [Int: Set<Int>] = [:]
        func add(_ minute: Int) {
            let offset = minute < 0 ? -1 : minute / 1440
            byOffset[offset, default: []].insert(minute - offset * 1440)
        }
        if leadMinutes > 0 { add(shift.start.minuteOfDay - leadMinutes) }
        var minute = shift.start.minuteOfDay
        while minute < shift.start.minuteOfDay + shift.lengthMinutes {
            add(minute)
            minute += everyMinutes
        }
        return byOffset
    }

    /// systemd `OnCalendar=` values (without the key) that run a check `leadMinutes` before each shift starts and
    /// every `everyMinutes` from its start until it ends, each in the shift's own time zone (the time zone suffix,
    /// systemd 235 and later), so the machine's own zone and daylight saving time do not matter.
    ///
    /// `Mon..Fri *-*-* 07:30:00 America/Mexico_City`, `Mon..Fri *-*-* 08..15:00,30:00 America/Mexico_City`.
    public func onCalendarExpressions() -> [String] {
        var lines: [String] = []
        for shift in shifts {
            for (offset, minutes) in checkMinutes(of: shift).sorted(by: { $0.key < $1.key }) {
                let days = shift.weekdays.map { day in
                    offset < 0 ? day.previous : offset > 0 ? day.next : day
                }
                let dayText = Self.systemdDays(days)
                for time in Self.systemdTimes(minutes) {
                    let line = "\(dayText) *-*-* \(time) \(shift.timeZone)"
                    if !lines.contains(line) { lines.append(line) }
                }
            }
        }
        return lines
    }

    /// `Mon..Fri`, `Sat,Sun`, `Mon,Wed,Fri..Sun`.
    static func systemdDays(_ days: [Weekday]) -> String {
        let sorted = Array(Set(days)).sorted()
        var runs: [[Weekday]] = []
        for day in sorted {
            if let last = runs.last?.last, last.rawValue + 1 == day.rawValue {
                runs[runs.count - 1].append(day)
            } else {
                runs.append([day])
            }
        }
        return runs.map { run in
            run.count >= 3
                ? "\(run[0].systemdName)..\(run[run.count - 1].systemdName)"
                : run.map(\.systemdName).joined(separator: ",")
        }.joined(separator: ",")
    }

    /// The time parts for a set of minutes of the day: hours with the same minutes share one part, their hours
    /// written as runs (`08..15:00,30:00`, `07,09,11,13:00:00`).
    static func systemdTimes(_ minutes: Set<Int>) -> [String] {
        var byHour: [Int: [Int]] = [:]
        for minute in minutes { byHour[minute / 60, default: []].append(minute % 60) }
        var groups: [(minutes: [Int], hours: [Int])] = []
        for hour in byHour.keys.sorted() {
            let these = byHour[hour]!.sorted()
            if let index = groups.firstIndex(where: { $0.minutes == these }) {
                groups[index].hours.append(hour)
            } else {
                groups.append((these, [hour]))
            }
        }
        return groups.map { group in
            var runs: [(first: Int, last: Int)] = []
            for hour in group.hours {
                if let last = runs.last?.last, last + 1 == hour {
                    runs[runs.count - 1].last = hour
                } else {
                    runs.append((hour, hour))
                }
            }
            let hours = runs.map { run in
                run.first == run.last
                    ? String(format: "%02d", run.first) : String(format: "%02d..%02d", run.first, run.last)
            }.joined(separator: ",")
            let minutes = group.minutes.map { String(format: "%02d", $0) }.joined(separator: ",")
            return "\(hours):\(minutes):00"
        }
    }

    /// The body of the timer drop-in that makes the check follow the shifts: the first `OnCalendar=` is empty,
    /// which clears every trigger of the shipped timer (its `OnBootSec=` and `OnUnitActiveSec=` too: systemd keeps
    /// them in one list), then one `OnCalendar=` per expression.
    public func timerDropIn(source: String) -> String {
        var text = """
            # Written by homeready from the campaign's shifts (\(source)).
            # Do not edit: the next check rewrites it. Without shifts the check removes it.
            [Timer]
            OnCalendar=

            """
        for expression in onCalendarExpressions() { text += "OnCalendar=\(expression)\n" }
        return text
    }
}
