import HomeReadyLocalization
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

    /// The browser-specific findings for `browser` against `profile`. Their sentences are the self-test page's
    /// own (`selftest.f.<id>.<status>[.<variant>]` and `selftest.fix.…` in the message catalog), so the page, the
    /// dashboard and the API say the same thing in every language.
    static func findings(browser: BrowserResult, profile: Profile) -> [Finding] {
        var findings = [relay(browser.relay), microphone(browser.microphone), speaker(browser.speaker)]
        if !profile.posture.isEmpty {
            findings.append(finding("posture.browser", .posture, .info, .notApplicable))
        }
        return findings
    }

    /// A finding whose message is the page's text for its id, status and variant, with the page's fix when the
    /// catalog has one.
    static func finding(
        _ id: String, _ section: Finding.Section, _ severity: Severity, _ status: FindingStatus, variant: String? = nil,
        measured: FindingValue? = nil, limit: FindingValue? = nil, unit: String? = nil
    ) -> Finding {
        let suffix = "\(id).\(status.rawValue)" + (variant.map { ".\($0)" } ?? "")
        let fixKey = "selftest.fix.\(suffix)"
        let hasFix = Localizer.english.catalog.template(fixKey, .en) != nil
        return Finding(
            id: id, section: section, severity: severity, status: status, measured: measured, limit: limit, unit: unit,
            text: .key("selftest.f.\(suffix)"), fix: hasFix ? .key(fixKey) : nil)
    }

    /// The finding id of the relayed call.
    static let relayID = "voice.relay"

    static func relay(_ relay: RelayCallResult?) -> Finding {
        guard let relay, !(relay.attempts ?? []).isEmpty || relay.transport != nil else {
            return finding(relayID, .voice, .info, .skipped)
        }
        switch relay.transport {
        case .udp:
            return finding(relayID, .voice, .critical, .pass, measured: .text("udp"), limit: .text("udp"))
        case .tcp, .tls:
            // The page's sentence, and which relay carried the call (for IT reading the report).
            return Finding(
                id: relayID, section: .voice, severity: .warning, status: .warn,
                measured: .text(relay.transport!.rawValue), limit: .text("udp"),
                text: LocalizedText(
                    "finding.browser.relay_degraded", ["transport": .text(relay.transport == .tls ? "TLS" : "TCP")]),
                fix: .key("selftest.fix.voice.relay.warn"))
        case nil:
            return finding(relayID, .voice, .critical, .fail, measured: .text("none"), limit: .text("udp"))
        }
    }

    static let microphoneID = "equipment.microphone"

    static func microphone(_ microphone: MicrophoneResult?) -> Finding {
        guard let microphone else { return finding(microphoneID, .equipment, .info, .skipped) }
        let level = microphone.rmsDBFS.map { FindingValue.number(($0 * 10).rounded() / 10) }
        switch microphone.status {
        case .ok:
            return finding(microphoneID, .equipment, .critical, .pass, measured: level, limit: .number(-60), unit: "dBFS")
        case .silent:
            return finding(
                microphoneID, .equipment, .critical, .fail, variant: "silent", measured: level, limit: .number(-60),
                unit: "dBFS")
        case .tooQuiet:
            return finding(
                microphoneID, .equipment, .warning, .fail, variant: "too_quiet", measured: level, limit: .number(-60),
                unit: "dBFS")
        case .clipping:
            return finding(microphoneID, .equipment, .warning, .fail, variant: "clipping", measured: level, unit: "dBFS")
        case .permissionDenied:
            return finding(microphoneID, .equipment, .critical, .error, variant: "permission_denied")
        case .noDevice:
            return finding(microphoneID, .equipment, .critical, .fail, variant: "no_device")
        case .error:
            return finding(microphoneID, .equipment, .warning, .error)
        }
    }

    static let speakerID = "equipment.speaker"

    static func speaker(_ speaker: SpeakerResult?) -> Finding {
        switch speaker?.status {
        case nil: finding(speakerID, .equipment, .info, .skipped)
        case .heard: finding(speakerID, .equipment, .critical, .pass, measured: .flag(true))
        case .notHeard: finding(speakerID, .equipment, .critical, .fail, measured: .flag(false))
        case .notConfirmed: finding(speakerID, .equipment, .warning, .warn)
        }
    }
}
