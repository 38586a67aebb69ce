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
            var message =
                "VPN gateway \(gateway.name) (\(gateway.host):\(gateway.port), \(gateway.transport.rawValue)): "
                + "\(measured.state.rawValue)"
            if let detail = measured.detail { message += ". " + detail }
            if let days = measured.tls?.daysToExpiry, measured.state == .reachable, days < 14 {
                message += ". The certificate expires in \(days) days"
            }
            if oldProtocol, measured.state == .reachable, let version = measured.tls?.protocolVersion {
                message += ". The gateway negotiated \(version), which current VPN clients and PCI DSS reject"
            }
            findings.append(
                Finding(
                    id: "vpn.\(gateway.name)", section: .vpn, severity: gateway.required ? .critical : .warning,
                    status: status, measured: .text(measured.state.rawValue), limit: .text(VPNState.reachable.rawValue),
                    message: message,
                    remediation: status == .pass
                        ? nil
                        : measured.remediation
                            ?? (oldProtocol
                                ? "Tell IT: enable TLS 1.2 or 1.3 on the gateway."
                                : "Tell IT: the certificate expires soon; renew it before it does.")))
        }

        for stun in path?.stun ?? [] {
            let reachable = stun.state == .reachable
            var message = "STUN server \(stun.host):\(stun.port) over UDP: "
            if reachable {
                message +=
                    "answered in \(stun.rttMs.map { format($0) } ?? "?") ms, public address "
                    + "\(stun.mappedAddress ?? "?"):\(stun.mappedPort.map(String.init) ?? "?")"
                    + (stun.natDetected == true ? " (behind NAT)" : stun.natDetected == false ? " (no NAT)" : "")
            } else {
                message += "\(stun.state.rawValue); voice media over UDP will not work"
            }
            findings.append(
                Finding(
                    id: "vpn.stun.\(stun.host):\(stun.port)", section: .vpn, severity: .critical,
                    status: reachable ? .pass : (stun.state == .error ? .error : .fail),
                    measured: .flag(reachable), limit: .flag(true), message: message,
                    remediation: reachable
                        ? nil
                        : "Allow outgoing UDP \(stun.port) (and the UDP media ports of the contact-center platform) on "
                            + "the home router and this computer's firewall; turn off SIP ALG. Tell IT if it persists.")
            )
        }

        if let nat = path?.natBinding {
            let limit = VPNPathResult.minimumNATBindingSeconds
            var status = FindingStatus.skipped
            var message: String
            var measured: FindingValue?
            if let expired = nat.expiredWithinSeconds, expired <= limit {
                status = .fail
                measured = .number(nat.survivedSeconds ?? 0)
                message =
                    "The router closed an idle UDP binding within \(format(expired)) s"
                    + (nat.survivedSeconds.map { " (it survived \(format($0)) s)" } ?? "")
                    + ": calls on hold will drop"
            } else if let survived = nat.survivedSeconds, survived >= limit {
                status = .pass
                measured = .number(survived)
                message = "The router kept an idle UDP binding for at least \(format(survived)) s"
            } else {
                measured = nat.survivedSeconds.map(FindingValue.number)
                message =
                    "The NAT binding lifetime could not be bracketed against \(format(limit)) s"
                    + (nat.survivedSeconds.map { "; it survived \(format($0)) s" } ?? "")
            }
            findings.append(
                Finding(
                    id: "vpn.nat_binding", section: .vpn, severity: .warning, status: status, measured: measured,
                    limit: .number(limit), unit: "s", message: message,
                    remediation: status == .fail
                        ? "Raise the router's UDP session timeout (often \"UDP timeout\" or \"NAT session\" settings) to "
                            + "at least 60 s, or ask IT to enable keep-alives shorter than the timeout in the softphone."
                        : nil))
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
                    message:
                        "Path MTU \(pathMTU) bytes with don't-fragment set (local interface \(path?.localMTUBytes ?? 0)); "
                        + "the VPN needs \(worst) for voice and \(comfortable) for a typical tunnel MTU",
                    remediation: status == .pass
                        ? nil
                        : "Large packets will fragment or vanish inside the VPN. Ask IT to lower the VPN client's MTU to "
                            + "\(max(576, pathMTU - largestOverhead)) bytes, or check the router's WAN MTU (PPPoE lines use 1492)."
                ))
        } else if path?.pathMTUProbed == true {
            findings.append(
                Finding(
                    id: "vpn.path_mtu", section: .vpn, severity: .warning, status: .error,
                    message: "The UDP echo responder did not answer: the path MTU was not measured",
                    remediation: "Check that UDP to the echo responder is allowed, then run the check again."))
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
                    message: "No VPN tunnel is up (no tun, wg, ppp or ipsec interface): tunnel routes, corporate names "
                        + "and the health URL were not checked",
                    remediation: "Connect the VPN and run the check again to verify the tunnel.")
            ]
        }
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
        return [
            Finding(
                id: "vpn.tunnel", section: .vpn, severity: .warning, status: problems.isEmpty ? .pass : .fail,
                measured: .text(tunnel.interfaces.joined(separator: ",")),
                message: problems.isEmpty
                    ? "Tunnel \(tunnel.interfaces.joined(separator: ", ")) is up; corporate routes, names and health check pass"
                    : "Tunnel \(tunnel.interfaces.joined(separator: ", ")) is up but "
                        + problems.joined(separator: "; "),
                remediation: problems.isEmpty
                    ? nil
                    : "Reconnect the VPN; if it persists, tell IT: the tunnel's routes or DNS settings do not cover the "
                        + "corporate networks.")
        ]
    }
}

/// Seconds with at most one decimal, as people read them.
func format(_ seconds: Double) -> String {
    seconds.rounded() == seconds ? String(Int(seconds)) : String((seconds * 10).rounded() / 10)
}
