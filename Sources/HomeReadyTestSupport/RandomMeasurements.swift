import Foundation
import HomeReadyModel

/// Random measurement sets covering every part of a profile, each figure drawn on both sides of its limit (and
/// now and then missing), every state drawn from its whole set: the inputs on which the agent's and the server's
/// judgements are compared.
public enum RandomMeasurements {
    /// A complete report for `profile` with random figures, states and statuses.
    public static func report<G: RandomNumberGenerator>(
        for profile: Profile, employeeID: String, finishedAt: Date, using rng: inout G
    ) -> CheckReport {
        var report = ReportFixtures.complete(for: profile, employeeID: employeeID, finishedAt: finishedAt)
        func figure(around limit: Double?, spread: Double) -> Double? {
            if Int.random(in: 0..<20, using: &rng) == 0 { return nil }
            let base = limit ?? spread
            return (Double.random(in: 0...(2 * base + spread), using: &rng) * 100).rounded() / 100
        }
        func latency(around limit: Double?) -> LatencySummary? {
            figure(around: limit, spread: 50).map { LatencySummary(min: $0 * 0.8, p50: $0, p90: $0 * 1.3) }
        }
        let thresholds = profile.network
        report.network = NetworkResult(
            downloadMbps: figure(around: thresholds.minDownloadMbps?.limit, spread: 50),
            uploadMbps: figure(around: thresholds.minUploadMbps?.limit, spread: 10),
            latencyIdleMs: latency(around: thresholds.maxLatencyIdleMs?.limit),
            latencyLoadedDownMs: latency(around: thresholds.maxLatencyLoadedMs?.limit),
            latencyLoadedUpMs: latency(around: thresholds.maxLatencyLoadedMs?.limit),
            jitterMs: figure(around: thresholds.maxJitterMs?.limit, spread: 20),
            lossPercent: figure(around: thresholds.maxLossPercent?.limit, spread: 2),
            dnsMs: figure(around: thresholds.maxDNSMs?.limit, spread: 100))
        let states = VPNState.allCases
        for index in (report.vpn ?? []).indices {
            report.vpn?[index].state = states.randomElement(using: &rng)!
        }
        if var path = report.vpnPath {
            for index in path.stun.indices { path.stun[index].state = states.randomElement(using: &rng)! }
            if Bool.random(using: &rng) {
                path.natBinding = NATBindingEstimate(
                    survivedSeconds: Double(Int.random(in: 0...60, using: &rng)),
                    expiredWithinSeconds: Bool.random(using: &rng) ? Double(Int.random(in: 1...90, using: &rng)) : nil,
                    inconclusive: [])
            }
            path.pathMTUProbed = Bool.random(using: &rng)
            path.pathMTUBytes = path.pathMTUProbed && Bool.random(using: &rng) ? Int.random(in: 500...1500, using: &rng) : nil
            report.vpnPath = path
        }
        let statuses: [FindingStatus] = [.pass, .pass, .pass, .fail, .error, .notApplicable, .warn]
        for index in (report.posture ?? []).indices {
            report.posture?[index].status = statuses.randomElement(using: &rng)!
        }
        if profile.requirements != nil, Int.random(in: 0..<10, using: &rng) == 0 {
            report.postureContext?.requirements = PostureGate(
                status: [.notApplicable, .error].randomElement(using: &rng)!, evidence: "os.id = other")
        }
        for index in (report.equipment ?? []).indices {
            let draw = Int.random(in: 0..<6, using: &rng)
            report.equipment?[index].present = draw > 1
            report.equipment?[index].undetermined = draw == 0 ? true : nil
        }
        if Int.random(in: 0..<8, using: &rng) == 0 {
            report.observations = [
                Finding(
                    id: "network.captive_portal", section: .network, severity: .critical, status: .fail,
                    message: "A web page answered instead of the test server.", remediation: "Log in to the network.")
            ]
        }
        report.verdict = Verdict.allCases.randomElement(using: &rng)!
        return report
    }
}
