import Foundation
import HomeReadyAgent
import HomeReadyModel

extension CheckCommand {
    /// Makes the check timer follow the campaign's shifts fetched with the profile (issue 20, point 5): writes or
    /// removes the timer drop-in when the schedule changed and asks systemd to reload. Never fails the check: a
    /// drop-in that cannot be written is said on stderr and the timer keeps its previous schedule.
    func followShifts(_ schedule: ShiftSchedule?, server: String) {
        let timer = ShiftTimer(directory: ShiftTimer.standardDirectory())
        let outcome: ShiftTimer.Outcome
        do { outcome = try timer.apply(schedule, source: "server \(server)") } catch {
            note("the check timer cannot follow the shifts: \(error)")
            return
        }
        switch outcome.change {
        case .unchanged: return
        case .written:
            note(
                "the check timer now follows the campaign's shifts "
                    + "(\(outcome.expressions.count) OnCalendar= line(s) in \(timer.file.path))")
        case .removed:
            note("the campaign has no shifts any more: removed \(timer.file.path), the timer's fixed interval is back")
        }
        switch outcome.reload {
        case .failed(let reason): note("systemd did not reload: \(reason)")
        case .skipped(let reason): note("systemd not asked to reload: \(reason)")
        case .reloaded, nil: break
        }
    }
}
