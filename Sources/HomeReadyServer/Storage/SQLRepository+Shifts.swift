import Foundation
import HomeReadyModel
import SQLKit

/// A campaign's shift schedule as stored, with when and by whom it was last set.
struct StoredShiftSchedule: Sendable, Equatable {
    var schedule: ShiftSchedule
    var updatedAt: Date
    var updatedBy: String?
}

/// Campaign shift schedules (issue 20, point 5): what `PUT/GET /api/v1/campaigns/{id}/shifts` and the device's
/// profile read and write.
protocol ShiftScheduleRepository: Sendable {
    /// The campaign's schedule; nil when it has none.
    func shiftSchedule(campaignId: String) async throws -> StoredShiftSchedule?
    /// Replaces the campaign's schedule in one transaction; an empty list of shifts removes it.
    func setShiftSchedule(campaignId: String, _ schedule: ShiftSchedule, actor: String, at: Date) async throws
}

extension SQLRepository: ShiftScheduleRepository {
    func shiftSchedule(campaignId: String) async throws -> StoredShiftSchedule? {
        try await store.withConnection { db in
            guard
                let head = try await db.raw(
                    """
                    SELECT lead_minutes, every_minutes, updated_at, updated_by FROM campaign_schedules
                    WHERE campaign_id = \(bind: campaignId)
                    """
                ).all().first
            else { return nil }
            let rows = try await db.raw(
                """
                SELECT position, name, weekday_mask, start_minute, end_minute, time_zone FROM campaign_shifts
                WHERE campaign_id = \(bind: campaignId) ORDER BY position
                """
            ).all()
            var shifts: [ShiftWindow] = []
            for row in rows {
                let position = try row.int("position")
                guard let start = LocalTime(minuteOfDay: try row.int("start_minute")),
                    let end = LocalTime(minuteOfDay: try row.int("end_minute"))
                else { throw StorageError.invalidValue(field: "shifts") }
                shifts.append(
                    try ShiftWindow(
                        name: try row.optionalString("name"), weekdays: Weekday.days(mask: try row.int("weekday_mask")),
                        start: start, end: end, timeZone: try row.string("time_zone"),
                        field: "shifts[\(position)]"))
            }
            return StoredShiftSchedule(
                schedule: try ShiftSchedule(
                    shifts: shifts, leadMinutes: try head.int("lead_minutes"), everyMinutes: try head.int("every_minutes")),
                updatedAt: try head.date("updated_at"), updatedBy: try head.optionalString("updated_by"))
        }
    }

    func setShiftSchedule(campaignId: String, _ schedule: ShiftSchedule, actor: String, at: Date) async throws {
        try await writing(field: "shifts") { db in
            try await db.raw("DELETE FROM campaign_shifts WHERE campaign_id = \(bind: campaignId)").run()
            try await db.raw("DELETE FROM campaign_schedules WHERE campaign_id = \(bind: campaignId)").run()
            guard !schedule.shifts.isEmpty else { return }
            try await db.raw(
                """
                INSERT INTO campaign_schedules (campaign_id, lead_minutes, every_minutes, updated_at, updated_by)
                VALUES (\(bind: campaignId), \(bind: schedule.leadMinutes), \(bind: schedule.everyMinutes),
                    \(bind: Clock.millis(at)), \(bind: actor))
                """
            ).run()
            for (position, shift) in schedule.shifts.enumerated() {
                try await db.raw(
                    """
                    INSERT INTO campaign_shifts
                        (campaign_id, position, name, weekday_mask, start_minute, end_minute, time_zone)
                    VALUES (\(bind: campaignId), \(bind: position), \(bind: shift.name),
                        \(bind: Weekday.mask(shift.weekdays)), \(bind: shift.start.minuteOfDay),
                        \(bind: shift.end.minuteOfDay), \(bind: shift.timeZone))
                    """
                ).run()
            }
        }
    }
}
