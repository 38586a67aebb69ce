import Foundation
import HomeReadyModel
import HomeReadyTestSupport
import Testing

@testable import HomeReadyPosture

@Suite("command, process, package, sysctl, kernel_module, port and fact rules")
struct SystemRuleTests {
    @Test func commandOutputAndExitStatus() async throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        let file = try root.write("status.txt", "FileVault is On.\nDeferred enablement: no\n")
        let cat = ["cat", file.path]
        #expect(
            await evaluate(rule(.command, nil, .contains, "FileVault is On", argv: cat))
                == .pass("`cat \(file.path)`: FileVault is On."))
        #expect(await evaluate(rule(.command, nil, .notContains, "FileVault is Off", argv: cat)).status == "pass")
        #expect(
            await evaluate(rule(.command, nil, .matches, "^Deferred enablement: (yes|no)$", argv: cat)).status == "pass"
        )
        #expect(await evaluate(rule(.command, nil, .notMatches, "Off", argv: cat)).status == "pass")
        #expect(await evaluate(rule(.command, nil, .equals, "hello", argv: ["echo", "hello"])).status == "pass")
        #expect(await evaluate(rule(.command, nil, .notEquals, "hello", argv: ["echo", "hello"])).status == "fail")
        // Exit status alone, and together with an operator.
        #expect(await evaluate(rule(.command, nil, nil, argv: ["true"], exitStatus: 0)).status == "pass")
        let failed = await evaluate(rule(.command, nil, nil, argv: ["false"], exitStatus: 0))
        #expect(failed == .fail("`false` exited 1, expected 0: (no output)"))
        #expect(
            await evaluate(rule(.command, nil, .contains, "x", argv: ["echo", "x"], exitStatus: 0)).status == "pass")
        #expect(
            await evaluate(rule(.command, nil, .contains, "x", argv: ["echo", "x"], exitStatus: 3)).status == "fail")
    }

    @Test func commandNumbersAndVersions() async throws {
        let line = ["echo", "idle-delay uint32 300"]
        let capture = #"uint32 (\d+)"#
        #expect(await evaluate(rule(.command, nil, .lessOrEqual, "900", argv: line, capture: capture)).status == "pass")
        #expect(await evaluate(rule(.command, nil, .lessThan, "300", argv: line, capture: capture)).status == "fail")
        #expect(
            await evaluate(rule(.command, nil, .numericEqual, "300", argv: line, capture: capture)).status == "pass")
        #expect(
            await evaluate(rule(.command, nil, .greaterOrEqual, "301", argv: line, capture: capture)).status == "fail")
        #expect(await evaluate(rule(.command, nil, .greaterThan, "0", argv: line, capture: capture)).status == "pass")
        #expect(
            await evaluate(rule(.command, nil, .versionAtLeast, "14.2", argv: ["echo", "14.10.1"])).status == "pass")
        #expect(await evaluate(rule(.command, nil, .greaterOrEqual, "14.2", argv: ["echo", "14.10"])).status == "fail")  // numbers
    }

    @Test func commandsRunWithoutAShell() async throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        let marker = root.url.appendingPathComponent("pwned").path
        let outcome = await evaluate(
            rule(.command, nil, .contains, "touch", argv: ["echo", "a; touch \(marker)", "$(id)"]))
        #expect(outcome.status == "pass")
        #expect(outcome.evidence.contains("$(id)"))
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test func commandTimeoutIsAnError() async throws {
        let started = Date()
        let outcome = await evaluate(rule(.command, nil, .contains, "x", argv: ["sleep", "30"], timeout: 0.5))
        #expect(outcome.status == "error")
        #expect(outcome.evidence.contains("did not finish within 0.5 s"))
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test func commandOutputIsCapped() async throws {
        let runner = CommandRunner(outputCap: 4096)
        let output = try await runner.run(["head", "-c", "1000000", "/dev/zero"], timeout: 10)
        #expect(output.output.utf8.count == 4096)
        #expect(output.truncated)
        #expect(output.exitStatus == 0)
        // Endless output ends at the timeout with the cap kept.
        let endless = try await runner.run(["yes"], timeout: 0.5)
        #expect(endless.timedOut)
        #expect(endless.output.utf8.count == 4096)
    }

    @Test func timeoutAlsoKillsWhatTheCommandStarted() async throws {
        let marker = "31.\(UInt32.random(in: 1000..<9999))"
        let started = Date()
        let output = try await CommandRunner().run(["sh", "-c", "sleep \(marker) & echo started; wait"], timeout: 0.5)
        #expect(Date().timeIntervalSince(started) < 10)  // the child's child must not hold the check (it sleeps 31 s)
        #expect(output.timedOut)
        #expect(output.output.contains("started"))
        try await Task.sleep(nanoseconds: 200_000_000)
        let left = ProcessTable.list(in: FileTree()).filter { $0.commandLine == "sleep \(marker)" }
        #expect(left.isEmpty, "\(left)")
    }

    @Test func missingProgramIsAnError() async throws {
        let outcome = await evaluate(rule(.command, nil, .contains, "x", argv: ["homeready-no-such-program"]))
        #expect(outcome.status == "error")
        #expect(outcome.evidence.contains("not found"))
    }

    @Test func processRunningAndNotRunning() async throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        let name = "hrp" + String(UUID().uuidString.prefix(8)).lowercased()
        let copy = root.url.appendingPathComponent(name)
        try FileManager.default.copyItem(atPath: try Subprocess.executableURL("sleep").path, toPath: copy.path)
        let child = try Subprocess.start([copy.path, "30"])
        defer { child.stop() }
        try await Task.sleep(nanoseconds: 200_000_000)
        let running = await evaluate(rule(.process, name, .running))
        #expect(running == .pass("\(name) running (pid \(child.pid))"))
        #expect(await evaluate(rule(.process, name, .notRunning)).status == "fail")
        child.stop()
        #expect(await evaluate(rule(.process, name, .running)) == .fail("no process named \(name)"))
        #expect(await evaluate(rule(.process, name, .notRunning)).status == "pass")
    }

    @Test func packagesFromDpkgStatus() async throws {
        let system = try TemporaryDirectory()
        defer { system.remove() }
        try system.write(
            "var/lib/dpkg/status",
            """
            Package: openssh-server
            Status: install ok installed
            Version: 1:9.2p1-2+deb12u3

            Package: telnetd
            Status: deinstall ok config-files
            Version: 0.17+2.4-2

            Package: unattended-upgrades
            Status: install ok installed
            Version: 2.9.1+nmu3

            """)
        #expect(
            await evaluate(rule(.package, "openssh-server", .installed), systemRoot: system)
                == .pass("openssh-server 1:9.2p1-2+deb12u3 installed"))
        #expect(await evaluate(rule(.package, "telnetd", .installed), systemRoot: system).status == "fail")
        #expect(await evaluate(rule(.package, "telnetd", .notInstalled), systemRoot: system).status == "pass")
        #expect(await evaluate(rule(.package, "openssh-server", .notInstalled), systemRoot: system).status == "fail")
        let ssh = "openssh-server"
        #expect(await evaluate(rule(.package, ssh, .greaterOrEqual, "1:9.2p1-2"), systemRoot: system).status == "pass")
        #expect(
            await evaluate(rule(.package, ssh, .greaterThan, "1:9.2p1-2+deb12u3"), systemRoot: system).status == "fail")
        #expect(
            await evaluate(rule(.package, ssh, .numericEqual, "1:9.2p1-2+deb12u3"), systemRoot: system).status == "pass"
        )
        #expect(await evaluate(rule(.package, ssh, .lessThan, "9.9"), systemRoot: system).status == "fail")  // epoch 1 wins
        #expect(await evaluate(rule(.package, ssh, .lessOrEqual, "1:9.3"), systemRoot: system).status == "pass")
        #expect(await evaluate(rule(.package, ssh, .versionAtLeast, "1:9.3"), systemRoot: system).status == "fail")
        #expect(await evaluate(rule(.package, ssh, .versionLessThan, "1:9.3"), systemRoot: system).status == "pass")
        #expect(
            await evaluate(rule(.package, "absent", .greaterOrEqual, "1"), systemRoot: system)
                == .fail("absent is not installed"))
    }

    /// Without a dpkg database, packages come from `rpm -q` (here a stand-in `rpm` program answering like RPM).
    @Test func packagesFromRpm() async throws {
        let system = try TemporaryDirectory()
        defer { system.remove() }
        let rpm = try system.write(
            "bin/rpm",
            """
            #!/bin/sh
            for last; do :; done
            case "$last" in
              openssh-server) echo "(none):9.6p1-1.fc40" ;;
              kernel) echo "2:6.8.5-301.fc40" ;;
              *) echo "package $last is not installed"; exit 1 ;;
            esac

            """)
        try chmod(rpm, 0o755)
        let live = LiveSystem(
            systemTree: FileTree(root: system.url),
            runner: CommandRunner(searchPath: [system.url.appendingPathComponent("bin").path, "/usr/bin", "/bin"]),
            logger: testLogger)
        let evaluator = RuleEvaluator(system: live)
        #expect(
            await evaluator.evaluate(rule(.package, "openssh-server", .installed))
                == .pass("openssh-server 9.6p1-1.fc40 installed"))
        #expect(await evaluator.evaluate(rule(.package, "openssh-server", .versionAtLeast, "9.3")).status == "pass")
        #expect(await evaluator.evaluate(rule(.package, "kernel", .greaterThan, "6.9")).status == "pass")  // epoch 2
        #expect(await evaluator.evaluate(rule(.package, "telnet-server", .notInstalled)).status == "pass")
    }

    @Test func packagesOnThisMachine() async throws {
        guard FileManager.default.fileExists(atPath: PackageDatabase.dpkgStatus) else {
            try TestEnvironment.skip(because: "no dpkg database")
        }
        #expect(await evaluate(rule(.package, "dpkg", .installed)).status == "pass")
        #expect(await evaluate(rule(.package, "dpkg", .versionAtLeast, "1.0")).status == "pass")
        #expect(await evaluate(rule(.package, "homeready-no-such-package", .notInstalled)).status == "pass")
    }

    @Test func sysctlValues() async throws {
        let system = try TemporaryDirectory()
        defer { system.remove() }
        try system.write("proc/sys/net/ipv4/ip_forward", "0\n")
        try system.write("proc/sys/kernel/randomize_va_space", "2\n")
        try system.write("proc/sys/net/ipv4/ip_local_port_range", "32768\t60999\n")
        #expect(
            await evaluate(rule(.sysctl, "net.ipv4.ip_forward", .equals, "0"), systemRoot: system)
                == .pass("net.ipv4.ip_forward = 0"))
        #expect(
            await evaluate(rule(.sysctl, "net.ipv4.ip_forward", .notEquals, "0"), systemRoot: system).status == "fail")
        #expect(
            await evaluate(rule(.sysctl, "kernel.randomize_va_space", .greaterOrEqual, "2"), systemRoot: system).status
                == "pass")
        #expect(
            await evaluate(rule(.sysctl, "kernel.randomize_va_space", .lessThan, "2"), systemRoot: system).status
                == "fail")
        #expect(
            await evaluate(rule(.sysctl, "net.ipv4.ip_local_port_range", .equals, "32768 60999"), systemRoot: system)
                .status == "pass")
        #expect(
            await evaluate(rule(.sysctl, "net.ipv4.ip_local_port_range", .matches, "^32768 "), systemRoot: system)
                .status == "pass")
        #expect(await evaluate(rule(.sysctl, "net.ipv4.nope", .exists), systemRoot: system).status == "fail")
        #expect(await evaluate(rule(.sysctl, "net.ipv4.nope", .notExists), systemRoot: system).status == "pass")
        #expect(await evaluate(rule(.sysctl, "net.ipv4.nope", .equals, "1"), systemRoot: system).status == "fail")
        // And the real /proc/sys.
        #expect(await evaluate(rule(.sysctl, "kernel.ostype", .equals, "Linux")).status == "pass")
    }

    @Test func kernelModules() async throws {
        let system = try TemporaryDirectory()
        defer { system.remove() }
        try system.write("proc/modules", "dm_crypt 65536 1 - Live 0x0\nusb_storage 81920 0 - Live 0x0\n")
        try system.write("sys/module/ext4/parameters/x", "")
        #expect(
            await evaluate(rule(.kernelModule, "dm_crypt", .loaded), systemRoot: system)
                == .pass("module dm_crypt loaded"))
        #expect(await evaluate(rule(.kernelModule, "usb-storage", .notLoaded), systemRoot: system).status == "fail")
        #expect(await evaluate(rule(.kernelModule, "ext4", .loaded), systemRoot: system).status == "pass")  // built in
        #expect(await evaluate(rule(.kernelModule, "cramfs", .notLoaded), systemRoot: system).status == "pass")
        #expect(await evaluate(rule(.kernelModule, "cramfs", .loaded), systemRoot: system).status == "fail")
    }

    @Test func listeningPorts() async throws {
        let tcp = try BoundSocket()
        let udp = try BoundSocket(udp: true)
        let tcpPort = tcp.port
        let udpPort = udp.port
        #expect(await evaluate(rule(.port, "\(tcpPort)", .listening)) == .pass("\(tcpPort)/tcp listening on 127.0.0.1"))
        #expect(await evaluate(rule(.port, "\(tcpPort)/tcp", .notListening)).status == "fail")
        #expect(await evaluate(rule(.port, "\(udpPort)/udp", .listening)).status == "pass")
        tcp.close()
        udp.close()
        #expect(await evaluate(rule(.port, "\(tcpPort)", .listening)).status == "fail")
        #expect(await evaluate(rule(.port, "\(udpPort)/udp", .notListening)).status == "pass")
        #expect(await evaluate(rule(.port, "http", .listening)).status == "error")
    }

    @Test func facts() async throws {
        let snapshot = PostureSnapshot(facts: [
            "disk.root.encrypted": .flag(true), "os.id": .text("ubuntu"), "os.version_id": .text("22.04"),
            "memory.total_mb": .number(16000), "edr.running": .list(["CrowdStrike Falcon (falcon-sensor)"]),
            "kernel.release": .text("6.5.0-14-generic"),
        ])
        func check(_ target: String, _ op: PostureOperator, _ value: String? = nil) async -> String {
            await evaluate(rule(.fact, target, op, value), snapshot: snapshot).status
        }
        #expect(await check("disk.root.encrypted", .equals, "true") == "pass")
        #expect(await check("disk.root.encrypted", .equals, "no") == "fail")
        #expect(await check("disk.root.encrypted", .notEquals, "false") == "pass")
        #expect(await check("os.id", .equals, "ubuntu") == "pass")
        #expect(await check("os.id", .matches, "^(ubuntu|debian)$") == "pass")
        #expect(await check("os.id", .notMatches, "^fedora$") == "pass")
        #expect(await check("os.version_id", .greaterOrEqual, "22.04") == "pass")
        #expect(await check("os.version_id", .lessThan, "20.04") == "fail")
        #expect(await check("os.version_id", .numericEqual, "22.04") == "pass")
        #expect(await check("os.version_id", .greaterThan, "22.04") == "fail")
        #expect(await check("os.version_id", .lessOrEqual, "24.04") == "pass")
        #expect(await check("kernel.release", .versionAtLeast, "6.1") == "pass")
        #expect(await check("kernel.release", .versionLessThan, "6.1") == "fail")
        #expect(await check("memory.total_mb", .greaterOrEqual, "8192") == "pass")
        #expect(await check("edr.running", .contains, "crowdstrike") == "pass")
        #expect(await check("edr.running", .notContains, "SentinelOne") == "pass")
        #expect(await check("os.id", .exists) == "pass")
        #expect(await check("display.screens", .notExists) == "pass")
        #expect(await check("display.screens", .exists) == "fail")
        // An unknown fact cannot be compared: error, with the reason.
        let unknown = await evaluate(rule(.fact, "display.screens", .greaterOrEqual, "2"), snapshot: snapshot)
        #expect(unknown == .error("fact display.screens is not known on this endpoint (see `homeready facts`)"))
        #expect(await check("os.id", .greaterThan, "3") == "error")
    }

    @Test func recordedSnapshotTablesAndCommands() async throws {
        let snapshot = PostureSnapshot(
            processes: [RunningProcess(pid: 42, name: "falcon-sensor", commandLine: "/opt/CrowdStrike/falcon-sensor")],
            packages: [
                "openssh-server": InstalledPackage(name: "openssh-server", version: "1:9.6p1-3", manager: "dpkg")
            ],
            sysctl: ["net.ipv4.ip_forward": "0"], kernelModules: ["dm_crypt"],
            listening: [ListeningSocket(proto: "tcp", address: "0.0.0.0", port: 22)],
            commands: [CommandOutput(argv: ["fdesetup", "status"], exitStatus: 0, output: "FileVault is On.\n")])
        #expect(await evaluate(rule(.process, "falcon-sensor", .running), snapshot: snapshot).status == "pass")
        #expect(
            await evaluate(rule(.package, "openssh-server", .versionAtLeast, "1:9.2"), snapshot: snapshot).status
                == "pass")
        #expect(await evaluate(rule(.sysctl, "net.ipv4.ip_forward", .equals, "0"), snapshot: snapshot).status == "pass")
        #expect(await evaluate(rule(.kernelModule, "dm-crypt", .loaded), snapshot: snapshot).status == "pass")
        #expect(await evaluate(rule(.port, "22", .listening), snapshot: snapshot).status == "pass")
        #expect(
            await evaluate(rule(.command, nil, .contains, "On", argv: ["fdesetup", "status"]), snapshot: snapshot)
                .status == "pass")
        let unrecorded = await evaluate(
            rule(.command, nil, .contains, "On", argv: ["fdesetup", "list"]), snapshot: snapshot)
        #expect(unrecorded.status == "error")
        #expect(unrecorded.evidence.contains("fdesetup list"))
        // File rules need --root with recorded facts; missing tables say how to record them.
        #expect(await evaluate(rule(.file, "/etc/x", .exists), snapshot: snapshot).status == "error")
        let empty = PostureSnapshot()
        let noProcesses = await evaluate(rule(.process, "x", .running), snapshot: empty)
        #expect(noProcesses.evidence.contains("homeready facts --all"))
    }
}
