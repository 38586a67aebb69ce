import HomeReadyModel
import Logging
import Testing

@testable import HomeReadyVoicePath

@Suite struct VoicePathSectionTests {
    @Test("a profile without SBCs, relays or STUN servers and no mirror gives an empty voice path")
    func emptyProfile() async {
        let profile = Profile(id: "p", title: "P", version: 1)
        let outcome = await VoicePathSection.run(profile: profile, options: VoicePathCheckOptions(), progress: { _ in }, logger: Logger(label: "test"))
        #expect(outcome.voicePath?.sbc == nil)
        #expect(outcome.voicePath?.sipALG == nil)
    }
}
