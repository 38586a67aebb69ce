import Foundation
import HomeReadyJudging
import HomeReadyModel
import HomeReadyProfiles
import HomeReadyTestSupport
import Testing

@testable import HomeReadyPosture

private let profilesDirectory = TestEnvironment.packageRoot.appendingPathComponent("Profiles")
private let loader = ProfileLoader(
    searchPath: ProfileSearchPath(directories: [profilesDirectory], includeBuiltin: false))

@Suite("shipped profiles and the rule language's lint")
struct ShippedProfileTests {
    static let profiles = [
        "linux-baseline", "inbound-voice", "outbound-payments", "chat-email", "supervisor", "macos-baseline",
    ]

    @Test(arguments: profiles)
    func lintsClean(_ id: String) {
        #expect(loader.lint(file: profilesDirectory.appendingPathComponent("\(id).yaml")) == [])
    }

    /// On this machine every shipped check passes, fails or is not applicable: no `error` is the engine's fault.
    /// The one expected error: without a desktop session the screen lock is unknown (#16), never a pass.
    @Test(arguments: profiles)
    func evaluatesHereWithoutErrors(_ id: String) async throws {
        let profile = try loader.load(id)
        let system = LiveSystem(logger: testLogger)
        let outcome = await PostureSection.run(
            profile: profile, system: system, includeEquipment: true, logger: testLogger).judged(by: profile)
        let headless = await system.facts()["screen_lock.session"] == .text("none")
        let expected = Set(
            (outcome.posture ?? []).filter {
                headless && $0.status == .error && ($0.evidence ?? "").contains("fact screen_lock.")
            }.map(\.id))
        let errors = (outcome.posture ?? []).filter { $0.status == .error && !expected.contains($0.id) }
        #expect(errors.isEmpty, "\(errors.map { "\($0.id): \($0.evidence ?? "")" })")
        #expect(
            !outcome.findings.contains {
                $0.section == .posture && $0.status == .error
                    && !expected.contains(String($0.id.dropFirst("posture.".count)))
            })
    }

    @Test func paymentProfileTightensTheBaseline() throws {
        let profile = try loader.load("outbound-payments")
        let updates = try #require(profile.posture.first { $0.id == "automatic-updates" })
        #expect(updates.severity == .critical)
        #expect(updates.references.contains("PCI-DSS-4.0:6.3.3"))
        #expect(profile.posture.contains { $0.id == "disk-encryption" })  // inherited
        #expect(profile.posture.contains { $0.id == "usb-storage-blocked" })  // added
        #expect(profile.requirements?.rules.first?.target == "os.family")
    }

    /// The macOS profile proven against outputs recorded on a compliant Mac and on one with FileVault off.
    @Test func macOSProfileAgainstRecordedOutputs() async throws {
        let profile = try loader.load("macos-baseline")
        func outputs(fileVault: String, firewall: String) -> [CommandOutput] {
            [
                CommandOutput(argv: ["fdesetup", "status"], exitStatus: 0, output: fileVault),
                CommandOutput(
                    argv: ["/usr/libexec/ApplicationFirewall/socketfilterfw", "--getglobalstate"], exitStatus: 0,
                    output: firewall),
                CommandOutput(
                    argv: ["/usr/libexec/ApplicationFirewall/socketfilterfw", "--getstealthmode"], exitStatus: 0,
                    output: "Firewall stealth mode is on\nStealth mode enabled\n"),
                CommandOutput(argv: ["spctl", "--status"], exitStatus: 0, output: "assessments enabled\n"),
                CommandOutput(
                    argv: ["csrutil", "status"], exitStatus: 0, output: "System Integrity Protection status: enabled.\n"
                ),
                CommandOutput(
                    argv: [
                        "defaults", "read", "/Library/Preferences/com.apple.SoftwareUpdate", "CriticalUpdateInstall",
                    ], exitStatus: 0, output: "1\n"),
                CommandOutput(
                    argv: ["sysadminctl", "-screenLock", "status"], exitStatus: 0,
                    output: "2026-11-24 09:12:01.123 sysadminctl[812:4411] screenLock delay is immediate\n"),
                CommandOutput(
                    argv: ["pgrep", "-f", "com.crowdstrike.falcon.Agent|SentinelAgent|wdavdaemon|JamfProtect|sophos"],
                    exitStatus: 0, output: "412\n"),
                CommandOutput(argv: ["sw_vers", "-productVersion"], exitStatus: 0, output: "14.6.1\n"),
            ]
        }
        let macFacts: FactSet = ["os.family": .text("macos"), "os.version_id": .text("14.6.1")]
        let root = try TemporaryDirectory()
        defer { root.remove() }
        // Through the facts file, as `homeready check --facts FILE` reads it.
        let good = PostureSnapshot(
            facts: macFacts,
            commands: outputs(fileVault: "FileVault is On.\n", firewall: "Firewall is enabled. (State = 1)\n"))
        let goodFile = root.url.appendingPathComponent("mac-good.json")
        try good.encoded().write(to: goodFile)
        let passing = await PostureSection.run(
            profile: profile, options: PostureCheckOptions(factsFile: goodFile), includePosture: true,
            includeEquipment: false,
            progress: { _ in }, logger: testLogger).judged(by: profile)
        #expect(passing.posture?.allSatisfy { $0.status == .pass } == true, "\(passing.posture ?? [])")
        #expect(passing.posture?.count == 9)

        let bad = PostureSnapshot(
            facts: macFacts,
            commands: outputs(fileVault: "FileVault is Off.\n", firewall: "Firewall is disabled. (State = 0)\n"))
        let failing = await PostureSection.run(
            profile: profile, system: RecordedSystem(snapshot: bad), includeEquipment: false, logger: testLogger).judged(by: profile)
        let failed = (failing.posture ?? []).filter { $0.status == .fail }.map(\.id)
        #expect(failed == ["filevault", "application-firewall"])
        #expect(failing.posture?.first?.evidence == "`fdesetup status` does not contain \"FileVault is On.\"")
        #expect(Verdict.decide(from: failing.findings) == .notReady)
    }

    @Test func nestedGroupsInYAML() async throws {
        let yaml = """
            id: groups
            title: Groups
            version: 1
            posture:
              - id: supported-os
                title: Supported OS
                remediation: Upgrade.
                condition: any
                rules:
                  - all:
                      - {kind: fact, target: os.id, operator: equals, value: debian}
                      - {kind: fact, target: os.version_id, operator: '>=', value: 12}
                  - all:
                      - {kind: fact, target: os.id, operator: equals, value: ubuntu}
                      - {kind: fact, target: os.version_id, operator: '>=', value: 22.04}
              - id: bad
                title: Bad
                remediation: x
                rules:
                  - any:
                      - {kind: fact, target: os.idd, operator: equals, value: x}
                    none: []
            """
        do {
            _ = try loader.load(yaml: yaml, name: "groups.yaml")
            Issue.record("the broken group loaded")
        } catch {
            let text = error.diagnostics.map(\.description)
            #expect(
                text.contains { $0.hasPrefix("groups.yaml:21:34:") && $0.contains("did you mean `os.id`") }, "\(text)")
            #expect(
                text.contains { $0.hasPrefix("groups.yaml:22:") && $0.contains("cannot be combined with `any`") },
                "\(text)")
        }
        let good = try loader.load(yaml: yaml.components(separatedBy: "  - id: bad")[0], name: "groups.yaml")
        let outcome = await PostureSection.run(
            profile: good,
            system: RecordedSystem(
                snapshot: PostureSnapshot(facts: ["os.id": .text("ubuntu"), "os.version_id": .text("24.04")])),
            includeEquipment: false, logger: testLogger).judged(by: good)
        #expect(outcome.posture?.first?.status == .pass)
        #expect(outcome.posture?.first?.evidence == "os.id = ubuntu; os.version_id = 24.04 (>= 22.04)")
    }

    @Test func brokenRulesAreLocatedLintErrors() throws {
        let yaml = """
            id: broken
            title: Broken
            version: 1
            posture:
              - id: a
                title: A
                remediation: Fix.
                rules:
                  - {kind: file, target: /etc/x, operator: matches, value: '(unclosed'}
                  - {kind: registry, target: HKLM, operator: exists}
                  - {kind: command, operator: contains, value: x}
                  - {kind: fact, target: disk.root_encrypted, operator: equals, value: true}
                  - {kind: process, target: sshd, operator: installed}
                  - {kind: fact, target: memory.total_mb, operator: '>=', value: lots}
                  - {kind: port, target: ssh, operator: listening}
                  - {kind: file, target: etc/passwd, operator: mode_at_most, value: '0999'}
                  - {kind: sysctl, target: net.ipv4.ip_forward, operator: equals}
                  - {kind: file, target: /etc/x, operator: contains, value: y, capture: '(z'}
            """
        let diagnostics: [ProfileDiagnostic]
        do {
            _ = try loader.load(yaml: yaml, name: "broken.yaml")
            Issue.record("a broken profile loaded")
            return
        } catch {
            diagnostics = error.diagnostics
        }
        let text = diagnostics.map(\.description)
        func has(_ line: Int, _ fragment: String) -> Bool {
            text.contains { $0.hasPrefix("broken.yaml:\(line):") && $0.contains(fragment) }
        }
        #expect(has(9, "is not a valid regular expression"), "\(text)")
        #expect(has(10, "must be one of"), "\(text)")
        #expect(has(11, "argv"), "\(text)")
        #expect(has(12, "did you mean `disk.root.encrypted`"), "\(text)")
        #expect(
            has(13, "`installed` does not apply to `process` rules; use one of `running`, `not_running`"), "\(text)")
        #expect(has(14, "must be a number for `>=`"), "\(text)")
        #expect(has(15, "port number"), "\(text)")
        #expect(has(16, "absolute path"), "\(text)")
        #expect(has(16, "octal mode"), "\(text)")
        #expect(has(17, "is required"), "\(text)")
        #expect(has(18, "capture"), "\(text)")
        #expect(diagnostics.allSatisfy { $0.location?.column ?? 0 > 0 })
    }
}
