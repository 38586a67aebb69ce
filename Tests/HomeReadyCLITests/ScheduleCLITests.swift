import Foundation
import HomeReadyTestSupport
import Testing

@Suite("homeready watch and install-timer (end to end)")
struct ScheduleCLITests {
    static var homeready: String { TestEnvironment.productsDirectory.appendingPathComponent("homeready").path }

    @Test func installTimerWritesUserUnitsUnderXDGConfigHome() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let result = try Subprocess.run(
            [Self.homeready, "install-timer", "--every", "1h"], environment: ["XDG_CONFIG_HOME": dir.path])
        #expect(result.status == 0, "\(result.stderr)")
        let units = dir.url.appendingPathComponent("systemd/user")
        let service = try String(contentsOf: units.appendingPathComponent("homeready-check.service"), encoding: .utf8)
        let timer = try String(contentsOf: units.appendingPathComponent("homeready-check.timer"), encoding: .utf8)
        #expect(service.contains("ExecStart=\(URL(fileURLWithPath: Self.homeready).resolvingSymlinksInPath().path) check"))
        #expect(timer.contains("OnUnitActiveSec=1h"))
        #expect(result.stdout.contains("systemctl --user enable --now homeready-check.timer"))
        let bad = try Subprocess.run([Self.homeready, "install-timer", "--every", "soon"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("--every must be an interval"))
    }

    @Test func installTimerWritesIntoAGivenFolderForAGivenExecutable() throws {
        // What Scripts/package does for the Debian package's /usr/lib/systemd/user.
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let units = dir.url.appendingPathComponent("usr/lib/systemd/user")
        let result = try Subprocess.run(
            [Self.homeready, "install-timer", "--unit-directory", units.path, "--executable", "/usr/bin/homeready"],
            environment: ["XDG_CONFIG_HOME": dir.url.appendingPathComponent("config").path])
        #expect(result.status == 0, "\(result.stderr)")
        let service = try String(contentsOf: units.appendingPathComponent("homeready-check.service"), encoding: .utf8)
        #expect(service.contains("ExecStart=/usr/bin/homeready check\n"))
        #expect(service.contains("ExecStartPost=/usr/bin/homeready report --flush\n"))
        let timer = try String(contentsOf: units.appendingPathComponent("homeready-check.timer"), encoding: .utf8)
        #expect(timer.contains("OnUnitActiveSec=30min"))
        #expect(!FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("config/systemd").path))
        let relative = try Subprocess.run([Self.homeready, "install-timer", "--executable", "bin/homeready"])
        #expect(relative.status != 0)
        #expect(relative.stderr.contains("--executable must be an absolute path such as /usr/bin/homeready"))
    }

    @Test func watchRepeatsChecksAndStopsCleanlyOnSIGTERM() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let watch = try Subprocess.start(
            [Self.homeready, "watch", "--every", "10s", "--", "--only", "equipment", "--employee-id", "W1"],
            environment: ["HOMEREADY_HOME": dir.path])
        let deadline = Date().addingTimeInterval(60)
        while !watch.log.contains("check 1 exited"), Date() < deadline, watch.isRunning { usleep(100_000) }
        #expect(watch.log.contains("check 1 exited"), "\(watch.log)")
        watch.signal(SIGTERM)
        let stopDeadline = Date().addingTimeInterval(10)
        while watch.isRunning, Date() < stopDeadline { usleep(50_000) }
        #expect(!watch.isRunning)
        #expect(watch.log.contains("stopped after 1 check(s)"), "\(watch.log)")
        watch.stop()
    }
}
