import HomeReadyLocalization
import HomeReadyModel
import Testing

@Suite("Findings made from catalog texts")
struct FindingLocalizedTests {
    static func finding() -> Finding {
        Finding(
            id: "network.download", section: .network, severity: .critical, status: .fail,
            measured: .number(3.2), limit: .number(10), unit: "Mbit/s",
            text: LocalizedText("finding.threshold.fail.at_least", [
                "what": .term("what.network.download"), "measured": .number(3.2, unit: "Mbit/s"),
                "limit": .number(10, unit: "Mbit/s"),
            ]),
            fix: .key("fix.network.download"))
    }

    @Test func rendersTheEnglishSentencesByDefault() {
        let finding = Self.finding()
        #expect(finding.message == Localizer.english.render(finding.messageText!))
        #expect(finding.message.contains("3.2"))
        #expect(finding.remediation == Localizer.english.render(finding.remediationText!))
    }

    @Test func withoutEnglishTextKeepsEverythingButTheSentences() async {
        let rendered = Self.finding()
        let bare = Finding.withoutEnglishText { Self.finding() }
        #expect(bare.message.isEmpty)
        #expect(bare.remediation == "")
        var restored = bare
        restored.message = rendered.message
        restored.remediation = rendered.remediation
        #expect(restored == rendered)
        // Only inside the call: the next finding is whole again, in this task and in a child task.
        #expect(Self.finding() == rendered)
        let child = await Task { Self.finding() }.value
        #expect(child == rendered)
        // A finding without a fix keeps `remediation` nil either way.
        let passing = Finding.withoutEnglishText {
            Finding(id: "x", section: .general, severity: .info, status: .pass, text: .key("fix.network.download"))
        }
        #expect(passing.remediation == nil)
    }
}
