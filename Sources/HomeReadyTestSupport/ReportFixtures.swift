import Foundation
import HomeReadyModel

/// Reports built for tests: complete measurements for a profile, so the server's own judge decides them as a real
/// check's would. (The production binaries have no way to make a report without measuring.)
public enum ReportFixtures {
    /// A voice profile with every network threshold set (critical, but loaded latency and DNS as warnings).
    public static let voiceProfile = Profile(
        id: "test-voice", title: "Test voice", version: 1,
        network: NetworkThresholds(
            minDownloadMbps: Threshold(10), minUploadMbps: Threshold(3), maxLatencyIdleMs: Threshold(100),
            maxLatencyLoadedMs: Threshold(200, severity: .warning), maxJitterMs: Threshold(30),
            maxLossPercent: Threshold(1), minMOS: Threshold(3.6), maxDNSMs: Threshold(300, severity: .warning),
            codec: .g711, concurrentCalls: 1))

    /// What the measurements of `complete(for:…)` show.
    public enum Outcome: Sendable {
        /// Every figure well within the profile's limits, every gateway reachable, every posture check passing,
        /// every piece of equipment present.
        case passing
        /// As `passing`, but the download is far below the profile's limit (or, with no download limit, the first
        /// posture check fails).
        case failing
    }

    /// A report covering every part of `profile`, measured now, as `homeready check` would send it; its own
    /// verdict and findings are what the agent would claim (`claimed`), which the server ignores.
    public static func complete(
        for profile: Profile, employeeID: String, outcome: Outcome = .passing, reportID: UUID = UUID(),
        finishedAt: Date = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)),
        claimed: Verdict = .ready
    ) -> CheckReport {
        var network = NetworkResult(
            downloadMbps: max(100, (profile.network.minDownloadMbps?.limit ?? 0) * 3),
            uploadMbps: max(20, (profile.network.minUploadMbps?.limit ?? 0) * 3),
            latencyIdleMs: LatencySummary(min: 10, p50: 12, p90: 15),
            latencyLoadedDownMs: LatencySummary(min: 20, p50: 25, p90: 30),
            latencyLoadedUpMs: LatencySummary(min: 20, p50: 26, p90: 31), jitterMs: 1, lossPercent: 0, dnsMs: 8)
        var posture = profile.posture.map {
            PostureResult(id: $0.id, title: $0.title, status: .pass, severity: $0.severity, evidence: "as required")
        }
        if outcome == .failing {
            if profile.network.minDownloadMbps != nil {
                network.downloadMbps = 0.1
            } else if !posture.isEmpty {
                posture[0].status = .fail
            }
        }
        let wantsTunnel = !profile.vpn.corporateNetworks.isEmpty || !profile.vpn.corporateNames.isEmpty
            || profile.vpn.healthURL != nil
        let path = VPNPathResult(
            stun: profile.stunServers.map {
                STUNResult(
                    host: $0.host, port: $0.port, state: .reachable, rttMs: 20, mappedAddress: "203.0.113.7",
                    mappedPort: 40_000, localAddress: "203.0.113.7", natDetected: false)
            },
            tunnel: wantsTunnel
                ? TunnelStatus(
                    interfaces: ["wg0"],
                    routes: profile.vpn.corporateNetworks.map { .init(network: $0, interface: "wg0", throughTunnel: true) },
                    names: profile.vpn.corporateNames.map { .init(name: $0, addresses: ["10.0.0.1"], failure: nil) },
                    health: profile.vpn.healthURL.map { .init(url: $0, statusCode: 200) })
                : TunnelStatus(interfaces: [], routes: [], names: [], health: nil))
        return CheckReport(
            reportID: reportID, agent: AgentIdentity(employeeID: employeeID, hostname: "laptop-\(employeeID)", user: "agent"),
            profile: ProfileReference(id: profile.id, version: profile.version),
            startedAt: finishedAt.addingTimeInterval(-40), finishedAt: finishedAt, verdict: claimed,
            network: network,
            vpn: profile.vpn.gateways.map {
                VPNResult(
                    name: $0.name, host: $0.host, port: $0.port, transport: $0.transport, state: .reachable,
                    connectMs: 15,
                    tls: $0.transport == .tls
                        ? TLSInspection(protocolVersion: "TLSv1.3", verified: true, daysToExpiry: 200) : nil)
            },
            vpnPath: path,
            posture: posture,
            postureContext: PostureContext(
                collection: .live, requirements: profile.requirements == nil ? nil : PostureGate(status: .pass)),
            equipment: EquipmentKind.allCases.map { EquipmentResult(kind: $0.rawValue, present: true, detail: "test") },
            tool: ToolInfo(version: "test", platform: "linux"))
    }
}
