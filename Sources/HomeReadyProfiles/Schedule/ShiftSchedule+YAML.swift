import Foundation
import HomeReadyModel
import Yams

extension ShiftSchedule {
    /// Reads a shift schedule written in YAML (or JSON, which is YAML too), with the same checks and messages as the
    /// API: `shifts[1].weekdays[0]` must be a weekday (mon, tue, …), got "fir".
    ///
    /// ```yaml
    /// lead_minutes: 30
    /// every_minutes: 60
    /// shifts:
    ///   - name: morning
    ///     weekdays: mon..fri
    ///     start: "07:00"
    ///     end: "15:00"
    ///     time_zone: America/Mexico_City
    /// ```
    public static func load(yaml: String, name: String = "schedule") throws(ShiftScheduleError) -> ShiftSchedule {
        do {
            return try YAMLDecoder().decode(ShiftSchedule.self, from: yaml)
        } catch let error as ShiftScheduleError {
            throw error
        } catch {
            // Yams wraps the errors a type throws while decoding: the schedule's own come back out.
            if case DecodingError.dataCorrupted(let context) = error {
                if let own = context.underlyingError as? ShiftScheduleError { throw own }
                if let yaml = context.underlyingError {
                    throw ShiftScheduleError(field: name, expected: "valid YAML (\(yaml))")
                }
            }
            throw ShiftScheduleError(field: name, expected: "a YAML or JSON mapping with `shifts`")
        }
    }
}
