import Foundation
import HomeReadyJudging
import HomeReadyModel
import HomeReadyTestSupport
import Testing

@testable import HomeReadyPosture

private let facts: FactSet = [
    "os.family": .text("linux"), "os.id": .text("debian"), "disk.root.encrypted": .flag(true),
    "firewall.active": .flag(false), "audio.usb_headset": .flag(true), "audio.headset": .flag(true),
    "audio.devices": .list(["Headset: Jabra EVOLVE 20 MS"]), "network.wired_up": .flag(false),
    "network.interfaces": .list(["wlp2s0:wifi:up"]), "usb.webcam": .flag(false),
]
private let yes = rule(.fact, "disk.root.encrypted", .equals, "true")
private let no = rule(.fact, "firewall.active", .equals, "true")
private let broken = rule(.fact, "display.screens", .greaterOrEqual, "2")

private func check(_ condition: PostureCondition, _ rules: [PostureRule], appliesWhen: [PostureRule] = []) async
    -> PostureResult
{
    let check = PostureCheck(
        id: "c", title: "Check", remediation: "Fix it.", references: ["PCI-DSS-4.0:8.2.8"], condition: condition,
        rules: rules, appliesWhen: appliesWhen)
    return await CheckEvaluator(system: RecordedSystem(snapshot: PostureSnapshot(facts: facts))).evaluate(check)
}

@Suite("conditions, applies_when, requirements and equipment")
struct CheckEvaluatorTests {
    @Test func allAnyNone() async {
        #expect(await check(.all, [yes, yes]).status == .pass)
        #expect(await check(.all, [yes, no]).status == .fail)
        #expect(await check(.all, [yes, no]).evidence == "firewall.active = false")
        #expect(await check(.any, [no, yes]).status == .pass)
        #expect(await check(.any, [no, no]).status == .fail)
        #expect(await check(.none, [no, no]).status == .pass)
        #expect(await check(.none, [no, yes]).status == .fail)
        #expect(await check(.none, [no, yes]).evidence == "holds: disk.root.encrypted = true")
    }

    @Test func nestedGroups() async {
        let debian12 = PostureRule.group(
            .all, [rule(.fact, "os.id", .equals, "debian"), rule(.fact, "disk.root.encrypted", .equals, "true")])
        let ubuntu = PostureRule.group(.all, [rule(.fact, "os.id", .equals, "ubuntu"), yes])
        #expect(await check(.any, [ubuntu, debian12]).status == .pass)
        #expect(await check(.any, [ubuntu]).status == .fail)
        #expect(await check(.all, [.group(.none, [no]), .group(.any, [no, yes])]).status == .pass)
        #expect(await check(.all, [.group(.any, [broken, no])]).status == .error)
    }

    @Test func errorsDecideOnlyWhenNothingElseDoes() async {
        #expect(await check(.all, [broken, no]).status == .fail)  // a failure is certain whatever the error
        #expect(await check(.all, [broken, yes]).status == .error)
        #expect(await check(.any, [broken, yes]).status == .pass)
        #expect(await check(.any, [broken, no]).status == .error)
        #expect(await check(.none, [broken, yes]).status == .fail)
        #expect(await check(.none, [broken, no]).status == .error)
        let result = await check(.all, [broken])
        #expect(result.evidence == "fact display.screens is not known on this endpoint (see `homeready facts`)")
    }

    @Test func appliesWhenGuards() async {
        let notApplicable = await check(.all, [no], appliesWhen: [rule(.fact, "os.id", .equals, "ubuntu")])
        #expect(notApplicable.status == .notApplicable)
        #expect(notApplicable.evidence == "not applicable: os.id = debian")
        #expect(await check(.all, [no], appliesWhen: [rule(.fact, "os.id", .equals, "debian")]).status == .fail)
        #expect(await check(.all, [yes], appliesWhen: [broken]).status == .error)
    }

    @Test func resultCarriesReferencesAndRemediation() async {
        let result = await check(.all, [no])
        #expect(result.references == ["PCI-DSS-4.0:8.2.8"])
        #expect(result.remediation == "Fix it.")
        #expect(result.severity == .critical)
    }

    @Test func longEvidenceIsKeptShort() async throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        try root.write("big", String(repeating: "x", count: 5000) + "\n")
        let system = LiveSystem(fileTree: FileTree(root: root.url), logger: testLogger)
        let result = await CheckEvaluator(system: system).evaluate(
            PostureCheck(id: "big", title: "Big", rules: [rule(.file, "/big", .matches, "x")]))
        #expect(result.status == .pass)
        #expect((result.evidence ?? "").count <= 240)
    }

    @Test func requirementsGateTheProfile() async {
        let profile = Profile(
            id: "ubuntu-only", title: "Ubuntu", version: 1,
            requirements: PostureRequirements(title: "Runs Ubuntu", rules: [rule(.fact, "os.id", .equals, "ubuntu")]),
            posture: [PostureCheck(id: "fw", title: "Firewall", remediation: "x", rules: [no])])
        let outcome = await PostureSection.run(
            profile: profile, system: RecordedSystem(snapshot: PostureSnapshot(facts: facts)), includeEquipment: false,
            logger: testLogger).judged(by: profile)
        #expect(outcome.posture?.map(\.status) == [.notApplicable])
        #expect(outcome.findings.map(\.id) == ["posture.requirements"])
        #expect(outcome.findings.first?.status == .notApplicable)
        #expect(Verdict.decide(from: outcome.findings) == .ready)
    }

    @Test func postureFindingsFeedTheVerdict() async {
        let profile = Profile(
            id: "p", title: "P", version: 1,
            posture: [
                PostureCheck(id: "enc", title: "Encrypted", remediation: "x", rules: [yes]),
                PostureCheck(id: "fw", title: "Firewall", severity: .warning, remediation: "Turn it on.", rules: [no]),
                PostureCheck(
                    id: "lock", title: "Screen lock", severity: .warning, remediation: "Turn it on.", fixedBy: .agent,
                    rules: [no]),
            ])
        let outcome = await PostureSection.run(
            profile: profile, system: RecordedSystem(snapshot: PostureSnapshot(facts: facts)), includeEquipment: false,
            logger: testLogger).judged(by: profile)
        #expect(outcome.findings.map(\.id) == ["posture.enc", "posture.fw", "posture.lock"])
        #expect(outcome.findings[1].status == .fail)
        // IT's fix by default (administrator rights); the agent's own when the profile says so.
        #expect(outcome.findings[1].remediation == "Ask IT: Turn it on.")
        #expect(outcome.findings[2].remediation == "Turn it on.")
        #expect(Verdict.decide(from: outcome.findings) == .readyWithWarnings)
    }

    @Test func equipmentMatchedAgainstFactsAndRoles() async {
        let requirements = [
            EquipmentRequirement(kind: .usbHeadset),
            EquipmentRequirement(kind: .wiredLink, severity: .warning, remediation: "Use the cable."),
            EquipmentRequirement(kind: .secondScreen, roles: ["supervisor"]),
        ]
        func match(_ role: String, _ facts: FactSet) -> (results: [EquipmentResult], findings: [Finding]) {
            let results = EquipmentMatcher.detect(requirements, role: role, facts: facts)
            return (
                results,
                EquipmentJudge.findings(results, requirements: requirements, role: role, shipped: .unknown)
            )
        }
        let agent = match("agent", facts)
        #expect(agent.findings.map(\.id) == ["equipment.usb_headset", "equipment.wired_link"])
        #expect(agent.findings.map(\.status) == [.pass, .fail])
        #expect(agent.findings[1].remediation == "Use the cable.")
        #expect(agent.results.count == EquipmentKind.allCases.count)
        #expect(
            agent.results.first { $0.kind == "usb_headset" }
                == EquipmentResult(
                    kind: "usb_headset", present: true, detail: "Headset: Jabra EVOLVE 20 MS", required: true))
        #expect(agent.results.first { $0.kind == "webcam" }?.required == nil)
        let supervisor = match("supervisor", facts)
        let screen = supervisor.findings.first { $0.id == "equipment.second_screen" }
        #expect(screen?.status == .warn)  // not knowable here: a person must look
        let twoScreens = match("supervisor", facts.merging(["display.screens": .number(2)]) { $1 })
        #expect(twoScreens.findings.first { $0.id == "equipment.second_screen" }?.status == .pass)
    }

    /// Rules a profile loader would reject still never crash the engine: each is an outcome, most an `error`.
    @Test(arguments: PostureRuleKind.allCases)
    func malformedRulesAreOutcomesNotCrashes(_ kind: PostureRuleKind) async {
        let system = LiveSystem(
            fileTree: FileTree(root: URL(fileURLWithPath: "/nonexistent-homeready")), logger: testLogger)
        let evaluator = RuleEvaluator(system: system)
        let malformed = [
            PostureRule(kind: kind, op: nil),
            PostureRule(kind: kind, target: "", argv: [], op: .matches, value: "(["),
            PostureRule(kind: kind, target: "x", argv: [""], op: .lessThan, value: "not-a-number", capture: "(("),
            PostureRule(kind: kind, target: "99999", op: .modeAtMost, value: "zz"),
            PostureRule(kind: kind, target: "/", op: .running),
        ]
        for rule in malformed {
            _ = await evaluator.evaluate(rule)
        }
        #expect(
            await evaluator.evaluate(PostureRule(kind: kind, target: "", argv: [], op: .matches, value: "([")).status
                == "error")
    }

    @Test func factsFileFromANewerVersionIsRefused() async throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        let file = try root.write("facts.json", "{\"format\": 99, \"facts\": {}}")
        #expect(throws: PostureError.self) { try PostureSnapshot.load(from: file) }
    }

    @Test func unreadableFactsFileIsAnErrorFinding() async throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        let file = try root.write("facts.json", "{\"facts\": {\"os.id\": {\"nested\": 1}}}")
        let profile = Profile(
            id: "p", title: "P", version: 1, posture: [PostureCheck(id: "x", title: "X", rules: [yes])])
        let outcome = await PostureSection.run(
            profile: profile, options: PostureCheckOptions(factsFile: file), includePosture: true,
            includeEquipment: true, progress: { _ in }, logger: testLogger).judged(by: profile)
        #expect(outcome.findings.map(\.status) == [.error])
        #expect(outcome.findings.first?.message.contains("facts.json is not valid") == true)
    }
}
