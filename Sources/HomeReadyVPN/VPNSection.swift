import Foundation
import HomeReadyModel
import HomeReadyTransport
import Logging

/// Everything the VPN section measured, before it becomes findings.
public struct VPNSectionResult: Sendable {
    public var gateways: [VPNResult]
    public var stun: [STUNResult]
    public var natBinding: NATBindingEstimate?
    /// Path MTU toward the echo responder, and the local interface MTU toward it.
    public var pathMTU: Int?
    public var localMTU: Int?
    public var tunnel: TunnelStatus
}

/// The VPN section of `homeready check`: gateways, tunnel state, STUN media path and MTU.
public enum VPNSection {
    /// Checks every gateway of the profile. Never throws: each problem is a state with a remediation.
    public static func run(
        profile: Profile, options: VPNCheckOptions, progress: @escaping ProgressHandler, logger: Logger
    ) async -> SectionOutcome {
        let result = await measure(profile: profile, options: options, progress: progress, logger: logger)
        return SectionOutcome(findings: findings(for: result, profile: profile, options: options), vpn: result.gateways)
    }

    /// Runs every probe (gateways, STUN, NAT binding, path MTU, tunnel) concurrently and returns the raw results.
    public static func measure(
        profile: Profile, options: VPNCheckOptions, progress: @escaping ProgressHandler, logger: Logger
    ) async -> VPNSectionResult {
        let checker = GatewayChecker(options: options, logger: logger)
        async let gateways: [VPNResult] = withTaskGroup(of: (Int, VPNResult).self) { group in
            for (index, gateway) in profile.vpn.gateways.enumerated() {
                group.addTask {
                    progress(CheckProgress(phase: "vpn.gateway", message: "Checking VPN gateway \(gateway.name)"))
                    return (index, await checker.check(gateway))
                }
            }
            var results: [(Int, VPNResult)] = []
            for await item in group { results.append(item) }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
        async let media: ([STUNResult], NATBindingEstimate?) = {
            var results: [STUNResult] = []
            for server in profile.stunServers {
                progress(
                    CheckProgress(phase: "vpn.stun", message: "Asking STUN server \(server.host) for the media path"))
                results.append(await STUNProbe.check(server, options: options))
            }
            guard let first = results.first(where: { $0.state == .reachable }), let endpoint = first.endpoint,
                !options.natBindingProbeSeconds.isEmpty
            else { return (results, nil) }
            if first.natDetected == false { return (results, nil) }
            progress(CheckProgress(phase: "vpn.nat", message: "Measuring how long the router keeps idle UDP bindings"))
            let estimate = await NATBindingEstimator.estimate(
                intervals: options.natBindingProbeSeconds,
                trial: NATBindingEstimator.stunTrial(
                    endpoint: endpoint, interface: options.interface, timeout: min(options.timeoutSeconds, 3)))
            return (results, estimate)
        }()
        async let mtu: (Int?, Int?) = {
            guard let host = options.echoHost, let port = options.echoPort else { return (nil, nil) }
            let resolution = await options.environment.resolve(host, options.timeoutSeconds)
            guard let address = resolution.addresses.first, let echo = IPEndpoint(address: address, port: port) else {
                return (nil, nil)
            }
            progress(CheckProgress(phase: "vpn.mtu", message: "Probing the path MTU with don't-fragment packets"))
            return await PathMTUProbe.measure(echo: echo, interface: options.interface)
        }()
        async let tunnel = TunnelInspector.inspect(profile.vpn, options: options)

        var gatewayResults = await gateways
        let (stun, nat) = await media
        let (pathMTU, localMTU) = await mtu
        let profileOverhead = profile.network.vpnOverheadBytes
        for index in gatewayResults.indices {
            let ipv6 = gatewayResults[index].addresses?.first.map { $0.address.contains(":") } ?? false
            // The profile's `network.vpn_overhead_bytes`, when set, is IT's own figure and wins over the table.
            let overhead =
                profileOverhead > 0
                ? profileOverhead : PathMTUProbe.overheadBytes(gatewayResults[index].transport, ipv6: ipv6)
            gatewayResults[index].requiredMTUBytes = overhead + PathMTUProbe.voicePacketBytes
            gatewayResults[index].pathMTUBytes = pathMTU
        }
        return VPNSectionResult(
            gateways: gatewayResults, stun: stun, natBinding: nat, pathMTU: pathMTU, localMTU: localMTU,
            tunnel: await tunnel)
    }

    /// Turns measurements into findings: one per gateway, per STUN server, the NAT binding, the path MTU and the
    /// tunnel.
    public static func findings(for result: VPNSectionResult, profile: Profile, options: VPNCheckOptions) -> [Finding] {
        var findings: [Finding] = []
        for (gateway, measured) in zip(profile.vpn.gateways, result.gateways) {
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

        for stun in result.stun {
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

        if let nat = result.natBinding {
            let limit = options.minimumNATBindingSeconds
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

        if let pathMTU = result.pathMTU {
            let worst = result.gateways.compactMap(\.requiredMTUBytes).max() ?? PathMTUProbe.voicePacketBytes
            let largestOverhead = worst - PathMTUProbe.voicePacketBytes
            let comfortable = largestOverhead + PathMTUProbe.typicalTunnelMTU
            let status: FindingStatus = pathMTU < worst ? .fail : pathMTU < comfortable ? .warn : .pass
            findings.append(
                Finding(
                    id: "vpn.path_mtu", section: .vpn, severity: .warning, status: status,
                    measured: .number(Double(pathMTU)),
                    limit: .number(Double(comfortable)), unit: "bytes",
                    message:
                        "Path MTU \(pathMTU) bytes with don't-fragment set (local interface \(result.localMTU ?? 0)); "
                        + "the VPN needs \(worst) for voice and \(comfortable) for a typical tunnel MTU",
                    remediation: status == .pass
                        ? nil
                        : "Large packets will fragment or vanish inside the VPN. Ask IT to lower the VPN client's MTU to "
                            + "\(max(576, pathMTU - largestOverhead)) bytes, or check the router's WAN MTU (PPPoE lines use 1492)."
                ))
        } else if options.echoHost != nil {
            findings.append(
                Finding(
                    id: "vpn.path_mtu", section: .vpn, severity: .warning, status: .error,
                    message: "The UDP echo responder did not answer: the path MTU was not measured",
                    remediation: "Check that UDP to the echo responder is allowed, then run the check again."))
        }

        findings += tunnelFindings(result.tunnel, settings: profile.vpn)
        return findings
    }

    /// Protocol versions a reachable TLS gateway should no longer offer.
    static let outdatedTLSVersions: Set<String> = ["SSLv3", "TLSv1", "TLSv1.1"]

    static func tunnelFindings(_ tunnel: TunnelStatus, settings: VPNSettings) -> [Finding] {
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
