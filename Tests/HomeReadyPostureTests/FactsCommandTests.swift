import Foundation
import HomeReadyModel
import HomeReadyTestSupport
import Testing

@testable import HomeReadyPosture

/// The built `homeready` binary end to end: `facts`, `check --facts`, `check --root`.
@Suite("homeready facts and check --facts/--root end to end")
struct FactsCommandTests {
    static var binary: String? {
        let url = TestEnvironment.productsDirectory.appendingPathComponent("homeready")
        return FileManager.default.isExecutableFile(atPath: url.path) ? url.path : nil
    }

    @Test func factsPrintsJSONThatCheckAccepts() async throws {
        guard let binary = Self.binary else {
            try TestEnvironment.skip(because: "homeready is not built (swift build --product homeready)")
        }
        let plain = try Subprocess.run([binary, "facts"])
        #expect(plain.status == 0, "\(plain.stderr)")
        let snapshot = try PostureSnapshot.decode(Data(plain.stdout.utf8))
        #expect(snapshot.facts["os.family"] == .text("linux"))
        #expect(snapshot.processes == nil)
        let all = try Subprocess.run([binary, "facts", "--all"])
        let full = try PostureSnapshot.decode(Data(all.stdout.utf8))
        #expect(full.processes?.isEmpty == false)
        #expect(full.sysctl?["kernel.ostype"] == "Linux")

        // The recorded file replays the shipped baseline: the same results as the live machine.
        let root = try TemporaryDirectory()
        defer { root.remove() }
        let file = root.url.appendingPathComponent("facts.json")
        try Data(all.stdout.utf8).write(to: file)
        let profile = TestEnvironment.packageRoot.appendingPathComponent("Profiles/linux-baseline.yaml").path
        let live = try Subprocess.run([binary, "check", "--profile", profile, "--only", "posture", "--json"])
        let replay = try Subprocess.run([
            binary, "check", "--profile", profile, "--only", "posture", "--json", "--facts", file.path, "--root", "/",
        ])
        let liveReport = try ReportCoding.decoder().decode(CheckReport.self, from: Data(live.stdout.utf8))
        let replayReport = try ReportCoding.decoder().decode(CheckReport.self, from: Data(replay.stdout.utf8))
        #expect(liveReport.posture?.map(\.status) == replayReport.posture?.map(\.status))
        #expect(replay.status == live.status)
    }

    @Test func factsRecordsAProfilesCommandOutputs() async throws {
        guard let binary = Self.binary else {
            try TestEnvironment.skip(because: "homeready is not built")
        }
        let root = try TemporaryDirectory()
        defer { root.remove() }
        let profile = try root.write(
            "profile.yaml",
            """
            id: commands
            title: Commands
            version: 1
            posture:
              - id: echo
                title: Echo
                remediation: None.
                rules:
                  - {kind: command, argv: [echo, recorded output], operator: contains, value: recorded}
            """)
        let result = try Subprocess.run([binary, "facts", "--profile", profile.path])
        #expect(result.status == 0, "\(result.stderr)")
        let snapshot = try PostureSnapshot.decode(Data(result.stdout.utf8))
        #expect(
            snapshot.commands == [
                CommandOutput(argv: ["echo", "recorded output"], exitStatus: 0, output: "recorded output\n")
            ])
    }

    @Test func checkWithRecordedMacOutputsAndAPreparedRoot() async throws {
        guard let binary = Self.binary else {
            try TestEnvironment.skip(because: "homeready is not built")
        }
        let root = try TemporaryDirectory()
        defer { root.remove() }
        try root.write("tree/etc/ssh/sshd_config", "PermitRootLogin yes\n")
        try root.write(
            "profile.yaml",
            """
            id: tree-test
            title: Tree test
            version: 1
            posture:
              - id: ssh-no-root-login
                title: SSH refuses root
                remediation: Set PermitRootLogin no.
                rules:
                  - {kind: file, target: /etc/ssh/sshd_config, operator: not_matches, value: '^PermitRootLogin\\s+yes'}
            """)
        let result = try Subprocess.run([
            binary, "check", "--profile", root.url.appendingPathComponent("profile.yaml").path, "--only", "posture",
            "--json", "--root", root.url.appendingPathComponent("tree").path,
        ])
        #expect(result.status == 1, "\(result.stderr)")
        let report = try ReportCoding.decoder().decode(CheckReport.self, from: Data(result.stdout.utf8))
        #expect(report.posture?.first?.status == .fail)
        #expect(report.posture?.first?.evidence == "/etc/ssh/sshd_config:1: PermitRootLogin yes")
        #expect(report.verdict == .notReady)

        // macOS outputs recorded in a facts file make the macOS profile pass on this Linux machine.
        try root.write(
            "mac.json",
            """
            {"facts": {"os.family": "macos"},
             "commands": [
               {"argv": ["fdesetup", "status"], "exit_status": 0, "output": "FileVault is On.\\n"},
               {"argv": ["/usr/libexec/ApplicationFirewall/socketfilterfw", "--getglobalstate"], "exit_status": 0, "output": "Firewall is enabled. (State = 1)\\n"},
               {"argv": ["/usr/libexec/ApplicationFirewall/socketfilterfw", "--getstealthmode"], "exit_status": 0, "output": "Stealth mode enabled\\n"},
               {"argv": ["spctl", "--status"], "exit_status": 0, "output": "assessments enabled\\n"},
               {"argv": ["csrutil", "status"], "exit_status": 0, "output": "System Integrity Protection status: enabled.\\n"},
               {"argv": ["defaults", "read", "/Library/Preferences/com.apple.SoftwareUpdate", "CriticalUpdateInstall"], "exit_status": 0, "output": "1\\n"},
               {"argv": ["sysadminctl", "-screenLock", "status"], "exit_status": 0, "output": "screenLock delay is immediate\\n"},
               {"argv": ["pgrep", "-f", "com.crowdstrike.falcon.Agent|SentinelAgent|wdavdaemon|JamfProtect|sophos"], "exit_status": 0, "output": "412\\n"},
               {"argv": ["sw_vers", "-productVersion"], "exit_status": 0, "output": "15.1\\n"}
             ]}
            """)
        let mac = try Subprocess.run([
            binary, "check", "--profile",
            TestEnvironment.packageRoot.appendingPathComponent("Profiles/macos-baseline.yaml").path,
            "--only", "posture", "--json", "--facts", root.url.appendingPathComponent("mac.json").path,
        ])
        #expect(mac.status == 0, "\(mac.stderr)")
        let macReport = try ReportCoding.decoder().decode(CheckReport.self, from: Data(mac.stdout.utf8))
        #expect(macReport.posture?.count == 9)
        #expect(macReport.posture?.allSatisfy { $0.status == .pass } == true)
    }
}
