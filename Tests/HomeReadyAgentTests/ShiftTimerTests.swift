import Foundation
import HomeReadyAgent
import HomeReadyModel
import HomeReadyTestSupport
import Synchronization
import Testing

@Suite("Shift timer drop-in")
struct ShiftTimerTests {
    /// Counts the reloads a timer asks for.
    final class Reloads: Sendable {
        let count = Mutex(0)
        var reload: @Sendable () -> ShiftTimer.ReloadOutcome {
            { self.count.withLock { $0 += 1 }; return .reloaded }
        }
    }

    static func schedule(end: String = "15:00") throws -> ShiftSchedule {
        try ShiftSchedule(
            shifts: [
                ShiftWindow(
                    weekdays: [.monday, .tuesday, .wednesday, .thursday, .friday], start: LocalTime("07:00")!,
                    end: LocalTime(end)!, timeZone: "America/Mexico_City")
            ], leadMinutes: 30, everyMinutes: 60)
    }

    @Test("writes the drop-in with an empty OnCalendar= first, leaves it untouched while the schedule is the same, rewrites and removes it")
    func writesOnlyOnChange() throws {
        let folder = try TemporaryDirectory(prefix: "homeready-shifts")
        defer { folder.remove() }
        let reloads = Reloads()
        let timer = ShiftTimer(
            directory: folder.url.appendingPathComponent("homeready-check.timer.d"), reload: reloads.reload)

        let first = try timer.apply(try Self.schedule(), source: "server https://hr.example")
        #expect(first.change == .written && first.reload == .reloaded)
        let text = try String(contentsOf: timer.file, encoding: .utf8)
        #expect(timer.file.lastPathComponent == "shifts.conf")
        #expect(text.contains("[Timer]\nOnCalendar=\nOnCalendar=Mon..Fri *-*-* 06:30:00 America/Mexico_City\n"))
        #expect(text.hasSuffix("OnCalendar=Mon..Fri *-*-* 07..14:00:00 America/Mexico_City\n"))
        #expect(reloads.count.withLock { $0 } == 1)

        // Same schedule: the file keeps its bytes and its inode, and systemd is not asked again.
        let before = try FileManager.default.attributesOfItem(atPath: timer.file.path)
        Thread.sleep(forTimeInterval: 0.05)
        let again = try timer.apply(try Self.schedule(), source: "server https://hr.example")
        #expect(again.change == .unchanged && again.reload == nil && again.expressions.count == 2)
        let after = try FileManager.default.attributesOfItem(atPath: timer.file.path)
        #expect(before[.modificationDate] as? Date == after[.modificationDate] as? Date)
        #expect(before[.systemFileNumber] as? Int == after[.systemFileNumber] as? Int)
        #expect(reloads.count.withLock { $0 } == 1)

        let longer = try timer.apply(try Self.schedule(end: "17:00"), source: "server https://hr.example")
        #expect(longer.change == .written)
        #expect(try String(contentsOf: timer.file, encoding: .utf8).contains("07..16:00:00"))
        #expect(reloads.count.withLock { $0 } == 2)

        let none = try timer.apply(nil, source: "server https://hr.example")
        #expect(none.change == .removed && none.reload == .reloaded)
        #expect(!FileManager.default.fileExists(atPath: timer.file.path))
        #expect(try timer.apply(nil, source: "x").change == .unchanged)
        #expect(reloads.count.withLock { $0 } == 3)
    }

    @Test("the drop-in folder follows XDG_CONFIG_HOME, or HOMEREADY_TIMER_DROPIN_DIR when set")
    func folder() {
        #expect(
            ShiftTimer.standardDirectory(environment: ["HOME": "/home/ada", "XDG_CONFIG_HOME": "/cfg"]).path
                == "/cfg/systemd/user/homeready-check.timer.d")
        #expect(
            ShiftTimer.standardDirectory(environment: ["HOME": "/home/ada"]).path
                == "/home/ada/.config/systemd/user/homeready-check.timer.d")
        #expect(
            ShiftTimer.standardDirectory(environment: ["HOME": "/home/ada", "HOMEREADY_TIMER_DROPIN_DIR": "/tmp/x"]).path
                == "/tmp/x")
    }

    @Test(
        "without systemd as init the reload is skipped with the reason",
        .enabled(if: !FileManager.default.fileExists(atPath: "/run/systemd/system"), "systemd is the init system here"))
    func skippedWithoutSystemd() throws {
        guard case .skipped(let reason) = ShiftTimer.systemdReload() else {
            Issue.record("expected a skipped reload")
            return
        }
        #expect(reason.contains("systemd is not running"))
    }

    /// Runs `systemd-analyze verify --user` on a unit file; its exit status and what it said.
    static func verify(_ unit: URL, runtime: URL) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: systemdAnalyze!)
        process.arguments = ["verify", "--user", "--man=no", unit.path]
        process.environment = ["XDG_RUNTIME_DIR": runtime.path, "PATH": "/usr/bin:/bin", "SYSTEMD_COLORS": "0"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    @Test(
        "systemd reads the drop-in beside the shipped timer: its OnCalendar= reset clears OnBootSec= and OnUnitActiveSec= too, and the shift lines are valid",
        .enabled(if: systemdAnalyze != nil, "systemd-analyze is not installed (Debian package systemd)"))
    func systemdReadsTheDropIn() throws {
        let folder = try TemporaryDirectory(prefix: "homeready-shift-units")
        defer { folder.remove() }
        let runtime = folder.url.appendingPathComponent("run")
        try FileManager.default.createDirectory(at: runtime, withIntermediateDirectories: true)
        try folder.write("homeready-check.service", CheckSchedule.serviceUnit(executable: "/bin/true"))
        let timerFile = try folder.write("homeready-check.timer", CheckSchedule.timerUnit(everySeconds: 1800))
        #expect(try Self.verify(timerFile, runtime: runtime).status == 0)

        // The reset alone leaves the timer with nothing: proof that it cleared the monotonic triggers as well.
        try folder.write("homeready-check.timer.d/shifts.conf", "[Timer]\nOnCalendar=\n")
        let bare = try Self.verify(timerFile, runtime: runtime)
        #expect(bare.status != 0 && bare.output.contains("lacks value setting"), "\(bare.output)")

        let timer = ShiftTimer(directory: folder.url.appendingPathComponent("homeready-check.timer.d")) { .reloaded }
        let night = try ShiftWindow(
            weekdays: [.saturday, .sunday], start: LocalTime("22:00")!, end: LocalTime("02:00")!,
            timeZone: "America/Mexico_City")
        let schedule = try ShiftSchedule(shifts: [try Self.schedule().shifts[0], night], leadMinutes: 30, everyMinutes: 20)
        #expect(try timer.apply(schedule, source: "test").change == .written)
        let verified = try Self.verify(timerFile, runtime: runtime)
        #expect(verified.status == 0, "\(verified.output)")
        #expect(!verified.output.contains("Failed to parse"), "\(verified.output)")
    }
}

/// Where `systemd-analyze` is, if installed.
private let systemdAnalyze = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].first {
    FileManager.default.isExecutableFile(atPath: $0)
}
