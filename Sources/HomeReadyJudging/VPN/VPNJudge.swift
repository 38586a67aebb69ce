import HomeReadyModel

/// Turns what the VPN section measured into findings: gateways, the STUN media path, the NAT binding, the path
/// MTU and the tunnel. Pure.
public enum VPNJudge {
    /// One finding per gateway of the profile that was checked, per STUN server, the NAT binding, the path MTU
    /// and the tunnel.
    public static func findings(gateways: [VPNResult], path: VPNPathResult?, profile: Profile) -> [Finding] {
        var findings: [Finding] = []
        for gateway in profile.vpn.gateways {
            guard let measured = gateways.first(where: { $0.name == gateway.name }) else { continue }
            let status: FindingStatus
            let expiresSoon = measured.tls?.daysToExpiry.map { $0 < 14 } == true
            let oldProtocol = measured.tls?.protocolVersion.map(Self.outdatedTLSVersions.contains) == true
            switch measured.state {
            case .reachable: status = expiresSoon || oldProtocol ? .warn : .pass
            case .unverifiable: status = .warn
            case .error: status = .error
            default: status = .fail
            }
            let name = TextArgument.text(gateway.name)
            var text = measured.detail.map {
                LocalizedText("finding.vpn.gateway_detail", [
                    "name": name, "state": .term("vpn.state.\(measured.state.rawValue)"), "detail": .text($0),
                ])
            } ?? LocalizedText("finding.vpn.gateway", ["name": name, "state": .term("vpn.state.\(measured.state.rawValue)")])
            var fix = measured.state.remediationText(for: gateway)
            if measured.state == .reachable, oldProtocol, let version = measured.tls?.protocolVersion {
                text = LocalizedText("finding.vpn.old_tls", ["name": name, "version": .text(version)])
                fix = .key("fix.vpn.old_tls")
            } else if measured.state == .reachable, let days = measured.tls?.daysToExpiry, days < 14 {
                text = LocalizedText("finding.vpn.certificate_expires", ["name": name, "days": .count(days)])
                fix = .key("fix.vpn.certificate")
            }
            findings.append(
                Finding(
                    id: "vpn.\(gateway.name)", section: .vpn, severity: gateway.required ? .critical : .warning,
                    status: status, measured: .text(measured.state.rawValue), limit: .text(VPNState.reachable.rawValue),
                    text: text, fix: status == .pass ? nil : fix))
        }

        for stun in path?.stun ?? [] {
            let reachable = stun.state == .reachable
            let server = TextArgument.text("\(stun.host):\(stun.port)")
            findings.append(
                Finding(
                    id: "vpn.stun.\(stun.host):\(stun.port)", section: .vpn, severity: .critical,
                    status: reachable ? .pass : (stun.state == .error ? .error : .fail),
                    measured: .flag(reachable), limit: .flag(true),
                    text: reachable
                        ? LocalizedText(
                            stun.natDetected == true
                                ? "finding.vpn.stun.pass_nat" : stun.natDetected == false ? "finding.vpn.stun.pass_open" : "finding.vpn.stun.pass",
                            [
                                "server": server, "rtt": .number(stun.rttMs ?? 0, unit: "ms"),
                                "mapped": .text("\(stun.mappedAddress ?? "?"):\(stun.mappedPort.map(String.init) ?? "?")"),
                            ])
                        : LocalizedText("finding.vpn.stun.fail", ["server": server]),
                    fix: reachable ? nil : LocalizedText("fix.vpn.stun", ["port": .count(stun.port)])))
        }

        if let nat = path?.natBinding {
            let limit = VPNPathResult.minimumNATBindingSeconds
            var status = FindingStatus.skipped
            var text: LocalizedText
            var measured: FindingValue?
            if let expired = nat.expiredWithinSeconds, expired <= limit {
                status = .fail
                measured = .number(nat.survivedSeconds ?? 0)
                text = LocalizedText("finding.vpn.nat.fail", ["expired": .number(expired, unit: "s")])
            } else if let survived = nat.survivedSeconds, survived >= limit {
                status = .pass
                measured = .number(survived)
                text = LocalizedText("finding.vpn.nat.pass", ["survived": .number(survived, unit: "s")])
            } else {
                measured = nat.survivedSeconds.map(FindingValue.number)
                text = LocalizedText("finding.vpn.nat.unknown", ["limit": .number(limit, unit: "s")])
            }
            findings.append(
                Finding(
                    id: "vpn.nat_binding", section: .vpn, severity: .warning, status: status, measured: measured,
                    limit: .number(limit), unit: "s", text: text, fix: status == .fail ? .key("fix.vpn.nat") : nil))
        }

        if let pathMTU = path?.pathMTUBytes {
            let worst = gateways.compactMap(\.requiredMTUBytes).max() ?? VPNPathResult.voicePacketBytes
            let largestOverhead = worst - VPNPathResult.voicePacketBytes
            let comfortable = largestOverhead + VPNPathResult.typicalTunnelMTU
            let status: FindingStatus = pathMTU < worst ? .fail : pathMTU < comfortable ? .warn : .pass
            findings.append(
                Finding(
                    id: "vpn.path_mtu", section: .vpn, severity: .warning, status: status,
                    measured: .number(Double(pathMTU)),
                    limit: .number(Double(comfortable)), unit: "bytes",
                    text: LocalizedText("finding.vpn.mtu", [
                        "measured": .number(Double(pathMTU), unit: "bytes"), "needed": .number(Double(worst), unit: "bytes"),
                        "comfortable": .number(Double(comfortable), unit: "bytes"),
                    ]),
                    fix: status == .pass
                        ? nil : LocalizedText("fix.vpn.mtu", ["suggested": .count(max(576, pathMTU - largestOverhead))])))
        } else if path?.pathMTUProbed == true {
            findings.append(
                Finding(
                    id: "vpn.path_mtu", section: .vpn, severity: .warning, status: .error,
                    text: .key("finding.vpn.mtu_unmeasured"), fix: .key("fix.vpn.mtu_unmeasured")))
        }

        if let tunnel = path?.tunnel { findings += tunnelFindings(tunnel, settings: profile.vpn) }
        return findings
    }

    /// Protocol versions a reachable TLS gateway should no longer offer.
    static let outdatedTLSVersions: Set<String> = ["SSLv3", "TLSv1", "TLSv1.1"]

    /// The tunnel finding: skipped when no tunnel is up, failing when routes, names or the health URL are wrong.
    public static func tunnelFindings(_ tunnel: TunnelStatus, settings: VPNSettings) -> [Finding] {
        let wanted =
            !settings.corporateNetworks.isEmpty || !settings.corporateNames.isEmpty || settings.healthURL != nil
        guard wanted else { return [] }
        guard !tunnel.interfaces.isEmpty else {
            return [
                Finding(
                    id: "vpn.tunnel", section: .vpn, severity: .info, status: .skipped,
                    text: .key("finding.vpn.tunnel.none"), fix: .key("fix.vpn.tunnel.none"))
            ]
        }
        // What IT needs to find the fault; technical, so it stays in English in every language.
        var problems: [String] = []
        for route in tunnel.routes where !route.throughTunnel {
            problems.append("\(route.network) leaves by \(route.interface ?? "no route"), not the tunnel")
        }
        for name in tunnel.names where name.addresses.isEmpty {
            problems.append("\(name.name) does not resolve (\(name.failure ?? "no address"))")
        }
        if let health = tunnel.health, !health.ok {
            problems.append(
                "\(health.url) answered \(health.statusCode.map(String.init) ?? health.failure ?? "nothing")")
        }
        let interfaces = TextArgument.text(tunnel.interfaces.joined(separator: ", "))
        return [
            Finding(
                id: "vpn.tunnel", section: .vpn, severity: .warning, status: problems.isEmpty ? .pass : .fail,
                measured: .text(tunnel.interfaces.joined(separator: ",")),
                text: problems.isEmpty
                    ? LocalizedText("finding.vpn.tunnel.pass", ["interfaces": interfaces])
                    : LocalizedText("finding.vpn.tunnel.fail", [
                        "interfaces": interfaces, "problems": .text(problems.joined(separator: "; ")),
                    ]),
                fix: problems.isEmpty ? nil : .key("fix.vpn.tunnel"))
        ]
    }
}
