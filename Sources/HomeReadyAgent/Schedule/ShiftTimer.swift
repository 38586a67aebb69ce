import Foundation
import HomeReadyModel

/// Makes the check timer follow the campaign's shifts: a systemd drop-in for `homeready-check.timer` whose
/// `OnCalendar=` lines replace the shipped timer's fixed interval, written only when the schedule changed, then
/// `systemctl --user daemon-reload` when systemd runs here.
///
/// The shipped timer is a user unit (`/usr/lib/systemd/user/homeready-check.timer`, or the one `homeready
/// install-timer` writes), so the drop-in goes in the user's unit folder:
/// `$XDG_CONFIG_HOME/systemd/user/homeready-check.timer.d/shifts.conf`.
public struct ShiftTimer: Sendable {
    /// The shipped timer's unit name.
    public static let timerUnit = "homeready-check.timer"
    /// The drop-in's file name inside `directory`.
    public static let fileName = "shifts.conf"

    /// The drop-in folder (`…/homeready-check.timer.d`).
    public var directory: URL
    /// Asks systemd to read the changed drop-in; injected in tests.
    public var reload: @Sendable () -> ReloadOutcome

    public init(directory: URL, reload: @escaping @Sendable () -> ReloadOutcome = ShiftTimer.systemdReload) {
        self.directory = directory
        self.reload = reload
    }

    /// The drop-in file.
    public var file: URL { directory.appendingPathComponent(Self.fileName) }

    /// What `apply` did to the drop-in.
    public enum Change: Sendable, Equatable {
        /// Written (new or different content).
        case written
        /// Removed: the campaign has no shifts any more, the fixed interval is back.
        case removed
        /// Already as it should be: not touched, systemd not asked.
        case unchanged
    }

    /// What systemd said.
    public enum ReloadOutcome: Sendable, Equatable {
        case reloaded
        /// Not asked, with the reason (systemd does not run here).
        case skipped(String)
        /// Asked and refused, with systemctl's words.
        case failed(String)
    }

    /// The drop-in change and, when there was one, systemd's reload.
    public struct Outcome: Sendable, Equatable {
        public var change: Change
        public var reload: ReloadOutcome?
        /// The `OnCalendar=` values now in force (empty: the fixed interval).
        public var expressions: [String]
    }

    /// Brings the drop-in in line with `schedule` (nil or no shifts: removes it); touches nothing when it already
    /// matches. `source` names where the schedule came from, for the file's comment (keep it stable: a different
    /// source is a different file).
    public func apply(_ schedule: ShiftSchedule?, source: String) throws(AgentError) -> Outcome {
        let fileManager = FileManager.default
        let existing = try? String(contentsOf: file, encoding: .utf8)
        guard let schedule, !schedule.shifts.isEmpty else {
            guard existing != nil else { return Outcome(change: .unchanged, reload: nil, expressions: []) }
            do { try fileManager.removeItem(at: file) } catch {
                throw AgentError.invalidConfiguration("cannot remove the timer drop-in \(file.path): \(error)")
            }
            return Outcome(change: .removed, reload: reload(), expressions: [])
        }
        let text = schedule.timerDropIn(source: source)
        let expressions = schedule.onCalendarExpressions()
        if existing == text { return Outcome(change: .unchanged, reload: nil, expressions: expressions) }
        do {
            try fileManager.createDirectory(at: directory, withIntermediateDirectories: true)
            try text.write(to: file, atomically: true, encoding: .utf8)
        } catch {
            throw AgentError.invalidConfiguration("cannot write the timer drop-in \(file.path): \(error)")
        }
        return Outcome(change: .written, reload: reload(), expressions: expressions)
    }

    /// The drop-in folder for the current user: `HOMEREADY_TIMER_DROPIN_DIR` when set, else
    /// `$XDG_CONFIG_HOME/systemd/user/homeready-check.timer.d`.
    public static func standardDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let folder = environment["HOMEREADY_TIMER_DROPIN_DIR"], folder.hasPrefix("/") {
            return URL(fileURLWithPath: folder)
        }
        return CheckSchedule.userUnitDirectory(environment: environment).appendingPathComponent("\(timerUnit).d")
    }

    /// `systemctl --user daemon-reload` when systemd is the init system here (`/run/systemd/system` exists, as
    /// `sd_booted()` checks); skipped with the reason otherwise.
    @Sendable public static func systemdReload() -> ReloadOutcome {
        guard FileManager.default.fileExists(atPath: "/run/systemd/system") else {
            return .skipped(
                "systemd is not running on this machine (no /run/systemd/system): "
                    + "the timer follows the shifts once the user's systemd reads the drop-in")
        }
        guard let systemctl = ["/usr/bin/systemctl", "/bin/systemctl"].first(where: FileManager.default.isExecutableFile)
        else { return .skipped("systemctl is not installed: reload the user's systemd to apply the drop-in") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: systemctl)
        process.arguments = ["--user", "daemon-reload"]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        do { try process.run() } catch { return .failed("cannot run \(systemctl): \(error)") }
        let said = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            return .failed(
                "systemctl --user daemon-reload exited \(process.terminationStatus): "
                    + "\(said.trimmingCharacters(in: .whitespacesAndNewlines)); run it in the agent's session")
        }
        return .reloaded
    }
}
