import HomeReadyModel

/// Findings only a browser self-test gives: the relayed voice path and the headset tests, and what a browser
/// cannot check (posture).
///
/// Stable ids (the self-test page translates them by id: the `selftest.f.*` keys of the message catalog):
/// - `voice.relay`: the looped call through the company TURN server. UDP passes; TCP or TLS only is `warn`
///   ("calls only work through the TCP relay (degraded)"); no transport connecting is a critical failure; no
///   call attempted (no TURN server configured) is `skipped`.
/// - `equipment.microphone`: silent or no microphone fail (critical), too quiet or clipping fail (warning), a
///   refused permission is `error` (critical: nothing could be measured) with how to allow it.
/// - `equipment.speaker`: not heard fails (critical); no answer within 20 s is `warn` ("speaker not confirmed").
/// - `posture.browser`: `not_applicable` info when the profile has posture checks (a browser cannot read them).
enum BrowserJudge {
    /// Network checks a page cannot measure (name lookups happen inside the browser, untimed): `not_applicable`
    /// in a browser report, never an error the agent is asked to fix.
    public static let unmeasurableNetworkChecks: Set<String> = ["network.dns"]

    /// The browser-specific findings for `browser` against `profile`.
    static func findings(browser: BrowserResult, profile: Profile) -> [Finding] {
        var findings = [relay(browser.relay), microphone(browser.microphone), speaker(browser.speaker)]
        if !profile.posture.isEmpty {
            findings.append(
                Finding(
                    id: "posture.browser", section: .posture, severity: .info, status: .notApplicable,
                    message: "The computer's security settings are not checked by a browser.",
                    remediation: nil))
        }
        return findings
    }

    /// The finding id of the relayed call.
    static let relayID = "voice.relay"

    static func relay(_ relay: RelayCallResult?) -> Finding {
        guard let relay, !(relay.attempts ?? []).isEmpty || relay.transport != nil else {
            return Finding(
                id: relayID, section: .voice, severity: .info, status: .skipped,
                message: "The test call through the company voice relay did not run (no relay is configured).")
        }
        switch relay.transport {
        case .udp:
            return Finding(
                id: relayID, section: .voice, severity: .critical, status: .pass, measured: .text("udp"),
                limit: .text("udp"), message: "Test call through the company voice relay over UDP.")
        case .tcp, .tls:
            let transport = relay.transport == .tls ? "TLS" : "TCP"
            return Finding(
                id: relayID, section: .voice, severity: .warning, status: .warn,
                measured: .text(relay.transport!.rawValue), limit: .text("udp"),
                message: "Calls only work through the TCP relay (degraded): UDP is blocked, the test call used \(transport).",
                remediation:
                    "Your network blocks the UDP traffic calls need. Connect to your home router directly (not a guest, hotel or company network); if it still happens, ask your internet provider to allow UDP, or call IT with this result.")
        case nil:
            return Finding(
                id: relayID, section: .voice, severity: .critical, status: .fail, measured: .text("none"),
                limit: .text("udp"),
                message: "The test call could not connect through the company voice relay (UDP, TCP and TLS all failed).",
                remediation:
                    "Something on this computer or network blocks calls: turn off a VPN or proxy you started yourself, try another network, and call IT with this result.")
        }
    }

    static let microphoneID = "equipment.microphone"

    static func microphone(_ microphone: MicrophoneResult?) -> Finding {
        guard let microphone else {
            return Finding(
                id: microphoneID, section: .equipment, severity: .info, status: .skipped,
                message: "The microphone was not tested.")
        }
        let level = microphone.rmsDBFS.map { FindingValue.number(($0 * 10).rounded() / 10) }
        switch microphone.status {
        case .ok:
            return Finding(
                id: microphoneID, section: .equipment, severity: .critical, status: .pass, measured: level,
                limit: .number(-60), unit: "dBFS", message: "The microphone picks up sound.")
        case .silent:
            return Finding(
                id: microphoneID, section: .equipment, severity: .critical, status: .fail, measured: level,
                limit: .number(-60), unit: "dBFS", message: "The microphone sends silence.",
                remediation:
                    "Check the mute switch on the headset cable, plug the headset in again, and choose the headset as the microphone in the browser and in the computer's sound settings.")
        case .tooQuiet:
            return Finding(
                id: microphoneID, section: .equipment, severity: .warning, status: .fail, measured: level,
                limit: .number(-60), unit: "dBFS", message: "The microphone is too quiet.",
                remediation:
                    "Bring the headset microphone close to your mouth and raise the microphone level in the computer's sound settings.")
        case .clipping:
            return Finding(
                id: microphoneID, section: .equipment, severity: .warning, status: .fail, measured: level,
                unit: "dBFS", message: "The microphone is too loud (the sound clips).",
                remediation:
                    "Move the microphone a little away from your mouth and lower the microphone level in the computer's sound settings.")
        case .permissionDenied:
            return Finding(
                id: microphoneID, section: .equipment, severity: .critical, status: .error,
                message: "The browser was not allowed to use the microphone, so it could not be tested.",
                remediation:
                    "Click the lock or microphone icon at the left of the address bar, set Microphone to Allow, and run the test again. On Windows also check Settings > Privacy > Microphone; on a Mac, System Settings > Privacy & Security > Microphone, and turn the browser on.")
        case .noDevice:
            return Finding(
                id: microphoneID, section: .equipment, severity: .critical, status: .fail,
                message: "The computer has no microphone the browser can use.",
                remediation: "Plug in the headset IT gave you and run the test again.")
        case .error:
            return Finding(
                id: microphoneID, section: .equipment, severity: .warning, status: .error,
                message: "The microphone test did not work in this browser.",
                remediation: "Close other programs that use the microphone (Teams, Zoom) and run the test again.")
        }
    }

    static let speakerID = "equipment.speaker"

    static func speaker(_ speaker: SpeakerResult?) -> Finding {
        switch speaker?.status {
        case nil:
            return Finding(
                id: speakerID, section: .equipment, severity: .info, status: .skipped,
                message: "The speaker was not tested.")
        case .heard:
            return Finding(
                id: speakerID, section: .equipment, severity: .critical, status: .pass, measured: .flag(true),
                message: "You heard the test tone.")
        case .notHeard:
            return Finding(
                id: speakerID, section: .equipment, severity: .critical, status: .fail, measured: .flag(false),
                message: "You did not hear the test tone.",
                remediation:
                    "Plug in the headset, turn the volume up, and choose the headset as the speaker in the computer's sound settings; then run the test again.")
        case .notConfirmed:
            return Finding(
                id: speakerID, section: .equipment, severity: .warning, status: .warn,
                message: "Speaker not confirmed: nobody answered whether the test tone was heard.",
                remediation: "Run the test again and answer whether you hear the tone.")
        }
    }
}
