import Foundation
import HomeReadyJudging
import HomeReadyModel
import HomeReadyProfiles
import HomeReadyTestSupport
import Testing

@Suite("A report counts only when it covers the assigned profile")
struct CoverageTests {
    static let inboundVoice = try! ProfileLoader(searchPath: ProfileSearchPath(directories: [])).load("inbound-voice")
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    func complete(_ profile: Profile = inboundVoice) -> CheckReport {
        ReportFixtures.complete(for: profile, employeeID: "E1", finishedAt: Self.now)
    }

    @Test("a complete passing report has no gap and is ready")
    func completeReport() {
        let report = complete()
        #expect(ProfileCoverage.gaps(report, profile: Self.inboundVoice, role: nil).isEmpty)
        #expect(ReportJudge.judge(report, profile: Self.inboundVoice).verdict == .ready)
    }

    @Test("a check run with --only vpn covers only vpn: the reason names what else the profile needs")
    func onlyVPN() {
        var report = complete()
        report.network = nil
        report.posture = nil
        report.postureContext = nil
        report.equipment = nil
        let gaps = ProfileCoverage.gaps(report, profile: Self.inboundVoice, role: nil)
        #expect(gaps == ["the last report covered only vpn; inbound-voice v1 also needs network, posture and equipment"])
        #expect(ReportJudge.judge(report, profile: Self.inboundVoice).verdict == .ready)
        #expect(ProfileCoverage.verdict(.ready, gaps: gaps) == .incomplete)
    }

    @Test("posture replayed from a facts file or read under a prepared folder does not count")
    func replayedPosture() {
        for (collection, words) in [(PostureCollection.recordedFacts, "facts file"), (.preparedRoot, "prepared folder")] {
            var report = complete()
            report.postureContext?.collection = collection
            let gaps = ProfileCoverage.gaps(report, profile: Self.inboundVoice, role: nil)
            #expect(gaps.count == 1 && gaps[0].contains(words), "\(gaps)")
        }
        var unsaid = complete()
        unsaid.postureContext = nil
        #expect(!ProfileCoverage.gaps(unsaid, profile: Self.inboundVoice, role: nil).isEmpty)
    }

    @Test("a posture check without a result is a gap and an error finding")
    func missingPostureCheck() throws {
        var report = complete()
        let dropped = try #require(report.posture?.first)
        report.posture?.removeFirst()
        let gaps = ProfileCoverage.gaps(report, profile: Self.inboundVoice, role: nil)
        #expect(gaps == ["posture checks not evaluated: \(dropped.id)"])
        let finding = ReportJudge.judge(report, profile: Self.inboundVoice).findings.first { $0.id == "posture.\(dropped.id)" }
        #expect(finding?.status == .error)
    }

    @Test("a browser report: refused unless the campaign accepts it, then posture and VPN are not required")
    func browserReports() {
        var report = complete()
        report.source = .browser
        report.posture = nil
        report.postureContext = nil
        let refused = ProfileCoverage.gaps(report, profile: Self.inboundVoice, role: nil, campaign: "Ventas")
        #expect(refused.count == 1 && refused[0].contains("campaign Ventas requires the full check"))
        #expect(ProfileCoverage.gaps(report, profile: Self.inboundVoice, role: nil, acceptsBrowser: true).isEmpty)
    }

    @Test("a failing report with gaps stays not ready; a passing one with gaps is incomplete")
    func verdictWithGaps() {
        #expect(ProfileCoverage.verdict(.notReady, gaps: ["x"]) == .notReady)
        #expect(ProfileCoverage.verdict(.readyWithWarnings, gaps: ["x"]) == .incomplete)
        #expect(ProfileCoverage.verdict(.ready, gaps: []) == .ready)
    }

    @Test("another profile, or an outdated version after the grace period, cannot count")
    func profileVersions() {
        let since = Self.now.addingTimeInterval(-3600)
        let assigned = AssignedProfile(
            id: "inbound-voice", currentVersion: 3, currentSince: since, previousVersion: 2, graceHours: 2)
        var report = complete()
        report.profile = ProfileReference(id: "chat-email", version: 1)
        let other = ReportAcceptance.version(for: report, assigned: assigned, now: Self.now)
        #expect(other.version == 3)
        #expect(other.problem?.contains("made with profile chat-email v1; the campaign requires inbound-voice v3") == true)
        report.profile = ProfileReference(id: "inbound-voice", version: 2)
        #expect(ReportAcceptance.version(for: report, assigned: assigned, now: Self.now) == (2, nil))
        let late = ReportAcceptance.version(for: report, assigned: assigned, now: Self.now.addingTimeInterval(2 * 3600))
        #expect(late.version == 3 && late.problem?.contains("accepted until") == true)
        report.profile.version = 1
        #expect(ReportAcceptance.version(for: report, assigned: assigned, now: Self.now).problem != nil)
        report.profile.version = 3
        #expect(ReportAcceptance.version(for: report, assigned: assigned, now: Self.now) == (3, nil))
    }

    @Test("stale, inverted or stretched measurements are not fresh")
    func freshness() {
        var report = complete()
        #expect(ReportAcceptance.freshnessProblem(report, freshnessHours: 72, now: Self.now) == nil)
        #expect(
            ReportAcceptance.freshnessProblem(report, freshnessHours: 72, now: Self.now.addingTimeInterval(80 * 3600))
                == "the measurements are 80 h old; the campaign accepts 72 h")
        report.startedAt = report.finishedAt.addingTimeInterval(10)
        #expect(ReportAcceptance.freshnessProblem(report, freshnessHours: 72, now: Self.now) != nil)
        report.startedAt = report.finishedAt.addingTimeInterval(-7200)
        #expect(ReportAcceptance.freshnessProblem(report, freshnessHours: 72, now: Self.now) != nil)
    }
}

@Suite("The headset is the one IT shipped")
struct ShippedEquipmentTests {
    let requirement = [EquipmentRequirement(kind: .usbHeadset)]

    func headset(_ identities: [String]?) -> [EquipmentResult] {
        [EquipmentResult(kind: "usb_headset", present: identities != nil, detail: "USB audio", identities: identities)]
    }

    @Test("any USB headset passes when IT recorded none; a recorded one must be the one seen")
    func identities() {
        let none = EquipmentJudge.findings(headset(["046d:0a44"]), requirements: requirement, role: nil, shipped: .unknown)
        #expect(none.first?.status == .pass)
        let shipped = ShippedEquipment(identities: [.usbHeadset: ["0b0e:245d"]])
        let other = EquipmentJudge.findings(headset(["046d:0a44"]), requirements: requirement, role: nil, shipped: shipped)
        #expect(other.first?.status == .fail)
        #expect(other.first?.message.contains("not the one IT shipped you (expected 0b0e:245d") == true)
        let right = EquipmentJudge.findings(
            headset(["046D:0A44", "0b0e:245d:ABC123"]), requirements: requirement, role: nil, shipped: shipped)
        #expect(right.first?.status == .pass)
        let unnamed = EquipmentJudge.findings(headset([]), requirements: requirement, role: nil, shipped: shipped)
        #expect(unnamed.first?.status == .fail)
    }

    @Test("a recorded serial must match; vendor and product compare without case")
    func serials() {
        #expect(ShippedEquipment.matches(seen: "0B0E:245D:abc", expected: "0b0e:245d"))
        #expect(ShippedEquipment.matches(seen: "0b0e:245d:abc", expected: "0b0e:245d:ABC"))
        #expect(!ShippedEquipment.matches(seen: "0b0e:245d:abd", expected: "0b0e:245d:abc"))
        #expect(!ShippedEquipment.matches(seen: "0b0e:245d", expected: "0b0e:245d:abc"))
        #expect(ShippedEquipment.isValid("0b0e:245d") && ShippedEquipment.isValid("0b0e:245d:X1"))
        #expect(!ShippedEquipment.isValid("b0e:245d") && !ShippedEquipment.isValid("0b0e") && !ShippedEquipment.isValid("0b0e:245g"))
    }
}
