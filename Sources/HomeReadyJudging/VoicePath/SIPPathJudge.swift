import HomeReadyLocalization
import HomeReadyModel

/// Findings for SIP through the home router (ALG) and the SBCs. Pure.
///
/// - SIP ALG, per transport: a rewrite fails (critical when a profile SBC signals over that transport in clear,
///   UDP or TCP, so the softphone meets the ALG; a warning otherwise: TLS hides SIP from an ALG); no answer from
///   the mirror warns that the check could not tell.
/// - SBCs: unreachable (no answer, refused, TLS or DNS failure) fails a required SBC and warns for an optional
///   one; an SBC that saw another public address (or, over UDP, port) than STUN did warns.
enum SIPPathJudge {
    static func findings(sipALG: SIPALGResult?, sbc: [SBCResult], profile: Profile) -> [Finding] {
        var findings: [Finding] = []
        if let sipALG {
            for (transport, probe) in [(SIPTransport.udp, sipALG.udp), (.tcp, sipALG.tcp)] {
                guard let probe else { continue }
                findings.append(algFinding(probe, transport: transport, mirror: sipALG.mirror, profile: profile))
            }
        }
        for result in sbc { findings += sbcFindings(result) }
        return findings
    }

    static func algFinding(_ probe: SIPALGProbe, transport: SIPTransport, mirror: String, profile: Profile) -> Finding {
        let usedByCalls = profile.voice.sbc.contains { $0.transport == transport }
        let severity: Severity = usedByCalls ? .critical : .warning
        let name = TextArgument.text(transport.rawValue.uppercased())
        let id = "voice.sip_alg.\(transport.rawValue)"
        switch probe.state {
        case .detected:
            return Finding(
                id: id, section: .voice, severity: severity, status: .fail, measured: .text(probe.state.rawValue),
                limit: .text(SIPALGProbe.State.notDetected.rawValue),
                text: LocalizedText(
                    "finding.voice.sip_alg.detected",
                    ["transport": name, "fields": .text(probe.rewrittenFields.joined(separator: ", "))]),
                fix: .key("fix.voice.sip_alg"))
        case .notDetected:
            return Finding(
                id: id, section: .voice, severity: severity, status: .pass, measured: .text(probe.state.rawValue),
                limit: .text(SIPALGProbe.State.notDetected.rawValue),
                text: LocalizedText("finding.voice.sip_alg.pass", ["transport": name]))
        case .noAnswer:
            return Finding(
                id: id, section: .voice, severity: .warning, status: .warn, measured: .text(probe.state.rawValue),
                limit: .text(SIPALGProbe.State.notDetected.rawValue),
                text: LocalizedText("finding.voice.sip_alg.no_answer", ["transport": name, "server": .text(mirror)]),
                fix: .key("fix.voice.sip_alg.no_answer"))
        }
    }

    static func sbcFindings(_ result: SBCResult) -> [Finding] {
        let label = "\(result.host):\(result.port)"
        let server = TextArgument.text("\(label) (\(result.transport.rawValue.uppercased()))")
        let id = "voice.sbc.\(label)/\(result.transport.rawValue)"
        let severity: Severity = result.required ? .critical : .warning
        guard result.state == .reachable else {
            let fix: String
            switch result.state {
            case .tlsFailure: fix = "fix.voice.sbc.tls"
            case .dnsFailure: fix = "fix.voice.sbc.dns"
            default: fix = "fix.voice.sbc"
            }
            return [
                Finding(
                    id: id, section: .voice, severity: severity, status: .fail, measured: .text(result.state.rawValue),
                    limit: .text(SBCResult.State.reachable.rawValue),
                    text: LocalizedText("finding.voice.sbc.\(result.state.rawValue)", ["server": server]),
                    fix: LocalizedText(fix, ["server": server]))
            ]
        }
        var findings = [
            Finding(
                id: id, section: .voice, severity: severity, status: .pass, measured: .text(result.state.rawValue),
                limit: .text(SBCResult.State.reachable.rawValue),
                text: LocalizedText(
                    "finding.voice.sbc.reachable",
                    [
                        "server": server, "rtt": .number(result.rttMs ?? 0, unit: "ms"),
                        "status": .text(result.statusCode.map(String.init) ?? "?"),
                    ]))
        ]
        if result.matchesSTUN == false {
            let seen = [result.received, result.rport.map(String.init)].compactMap { $0 }.joined(separator: ":")
            findings.append(
                Finding(
                    id: id + ".nat", section: .voice, severity: .warning, status: .warn, measured: .flag(false),
                    limit: .flag(true),
                    text: LocalizedText(
                        "finding.voice.sbc.mismatch",
                        ["server": server, "received": .text(seen), "stun": .text(result.stunMapped ?? "?")]),
                    fix: .key("fix.voice.sbc.mismatch")))
        }
        return findings
    }
}
