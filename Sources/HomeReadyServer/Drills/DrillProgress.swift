import Foundation
import HomeReadyDashboard
import HomeReadyModel

/// One report received during a drill, as the drill counts it.
struct DrillReport: Sendable, Equatable {
    var agentId: String
    var reportId: String
    var receivedAt: Date
    var status: ReadinessStatus
}

/// The figures of a drill from the reports received since it started: pure, so they can be checked against a
/// scripted timeline without a database or a clock.
///
/// An agent's state at a moment is the readiness of its latest report received since the start (a later failing
/// report takes a ready agent back out); agents without one have not answered. The share is over every agent in
/// scope, fixed when the drill started.
struct DrillProgress: Sendable, Equatable {
    var timeline: [DrillPoint]
    var counts: DrillCounts
    var kpis: DrillKPIs
    var status: DrillStatus
    /// The latest counted report of each agent that answered.
    var latest: [String: DrillReport]

    /// Readiness of one report by the server's rules (`SQLRepository.statusExpression`, `Readiness.evaluate`):
    /// the server's verdict on it and the agent's equipment now. A report received during the drill is fresh by
    /// definition, so the freshness window plays no part.
    static func status(verdict: String, equipment: String) -> ReadinessStatus {
        if verdict == "not_ready" || verdict == "incomplete" || equipment == "missing" { return .notReady }
        if verdict == "ready_with_warnings" || equipment == "unverified" { return .atRisk }
        return .ready
    }

    /// The drill's status at `now`.
    static func status(now: Date, deadline: Date, closes: Date) -> DrillStatus {
        now < deadline ? .running : now < closes ? .overtime : .finished
    }

    /// Computes the figures at `now` from `reports` (any order; those outside the start…close window and after
    /// `now` are ignored).
    init(
        reports: [DrillReport], agents: Int, startedAt: Date, deadlineAt: Date, closesAt: Date, target: Double,
        now: Date
    ) {
        let asOf = min(now, closesAt)
        let counted = reports.filter { $0.receivedAt >= startedAt && $0.receivedAt <= asOf }
            .sorted { ($0.receivedAt, $0.reportId) < ($1.receivedAt, $1.reportId) }
        func minutes(_ date: Date) -> Double { (date.timeIntervalSince(startedAt) / 60 * 1000).rounded() / 1000 }
        func share(_ ready: Int) -> Double { agents == 0 ? 0 : Double(ready) / Double(agents) }
        var states: [String: DrillReport] = [:]
        var ready = 0
        var timeline = [DrillPoint(at: startedAt, minute: 0, ready: 0, readyShare: 0)]
        var readyAtDeadline = 0
        var reached50: Double?
        var reached90: Double?
        for report in counted {
            if states[report.agentId]?.status == .ready { ready -= 1 }
            if report.status == .ready { ready += 1 }
            states[report.agentId] = report
            if report.receivedAt <= deadlineAt { readyAtDeadline = ready }
            let point = DrillPoint(
                at: report.receivedAt, minute: minutes(report.receivedAt), ready: ready, readyShare: share(ready))
            if timeline.last?.at == point.at { timeline[timeline.count - 1] = point } else { timeline.append(point) }
            // Shares compared in whole agents: 50 % of 7 agents is reached with 4 (3.5 rounded up).
            if reached50 == nil, agents > 0, ready * 2 >= agents { reached50 = point.minute }
            if reached90 == nil, agents > 0, ready * 10 >= agents * 9 { reached90 = point.minute }
        }
        var counts = DrillCounts(ready: 0, atRisk: 0, notReady: 0, notAnswered: agents - states.count)
        for state in states.values {
            switch state.status {
            case .ready: counts.ready += 1
            case .atRisk: counts.atRisk += 1
            case .notReady, .unknown: counts.notReady += 1
            }
        }
        let deadlinePassed = now >= deadlineAt
        let atRTO = deadlinePassed ? share(readyAtDeadline) : nil
        self.timeline = timeline
        self.counts = counts
        self.latest = states
        self.status = Self.status(now: now, deadline: deadlineAt, closes: closesAt)
        self.kpis = DrillKPIs(
            timeTo50Minutes: reached50, timeTo90Minutes: reached90,
            shareReadyAtRTO: atRTO.map { ($0 * 10000).rounded() / 10000 },
            targetMet: atRTO.map { $0 + 1e-9 >= target })
    }
}
