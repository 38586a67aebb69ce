import HomeReadyModel
import HomeReadyProfiles
import Testing

@Suite("Shift schedules in YAML")
struct ShiftScheduleYAMLTests {
    @Test("a YAML schedule reads like the JSON one, times quoted or not")
    func reads() throws {
        let schedule = try ShiftSchedule.load(
            yaml: """
                lead_minutes: 20
                every_minutes: 45
                shifts:
                  - name: morning
                    weekdays: mon..fri
                    start: "07:00"
                    end: "15:30"
                    time_zone: America/Mexico_City
                  - weekdays: [sat, sun]
                    start: 22:00
                    end: 06:00
                    time_zone: UTC
                """)
        #expect(schedule.leadMinutes == 20 && schedule.everyMinutes == 45)
        #expect(schedule.shifts.map(\.start.description) == ["07:00", "22:00"])
        #expect(schedule.shifts[1].end.description == "06:00" && schedule.shifts[1].crossesMidnight)
    }

    @Test("YAML mistakes name the field")
    func errors() {
        #expect(throws: ShiftScheduleError(field: "shifts[0].weekdays[0]", expected: Weekday.expectedText, got: "Mondy")) {
            try ShiftSchedule.load(yaml: "shifts:\n  - {weekdays: [Mondy], start: '08:00', end: '09:00', time_zone: UTC}\n")
        }
        #expect(throws: ShiftScheduleError.self) { try ShiftSchedule.load(yaml: "- just\n- a list\n") }
    }
}
