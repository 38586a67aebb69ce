import Foundation
import HomeReadyModel
import HomeReadyTransport
import Logging

/// Everything the VPN section measured: the gateways and the media path. The judge (`VPNJudge`) turns it into
/// findings.
public struct VPNSectionResult: Sendable, Equatable {
    public var gateways: [VPNResult]
    public var path: VPNPathResult
}

/// The VPN section of `homeready check`: gateways, tunnel state, STUN media path and MTU.
public enum VPNSection {
    /// Checks every gateway of the profile. Never throws: each problem is a state with a remediation.
    public static func run(
        profile: Profile, options: VPNCheckOptions, progress: @escaping ProgressHandler, logger: Logger
    ) async -> SectionOutcome {
        let result = await measure(profile: profile, options: options, progress: progress, logger: logger)
        return SectionOutcome(vpn: result.gateways, vpnPath: result.path)
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
            var outcomes: [STUNProbeOutcome] = []
            for server in profile.stunServers {
                progress(
                    CheckProgress(phase: "vpn.stun", message: "Asking STUN server \(server.host) for the media path"))
                outcomes.append(await STUNProbe.check(server, options: options))
            }
            let results = outcomes.map(\.result)
            guard let first = outcomes.first(where: { $0.result.state == .reachable }), let endpoint = first.endpoint,
                !options.natBindingProbeSeconds.isEmpty
            else { return (results, nil) }
            if first.result.natDetected == false { return (results, nil) }
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
                profileOverhead.flatMap { $0 > 0 ? $0 : nil }
                ?? PathMTUProbe.overheadBytes(gatewayResults[index].transport, ipv6: ipv6)
            gatewayResults[index].requiredMTUBytes = overhead + PathMTUProbe.voicePacketBytes
            gatewayResults[index].pathMTUBytes = pathMTU
        }
        return VPNSectionResult(
            gateways: gatewayResults,
            path: VPNPathResult(
                stun: stun, natBinding: nat, pathMTUProbed: options.echoHost != nil && options.echoPort != nil,
                pathMTUBytes: pathMTU, localMTUBytes: localMTU, tunnel: await tunnel))
    }
}
