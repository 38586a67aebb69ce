import Foundation
import HomeReadyDashboard
import HomeReadyModel
import HomeReadySigning
import HomeReadyTestSupport
import Synchronization
import Testing

@testable import HomeReadyServer

/// A clock a test sets and moves; drills read it instead of the real one.
final class DrillTestClock: Sendable {
    private let value: Mutex<Date>

    init(_ date: Date) { value = Mutex(date) }

    var now: Date { value.withLock { $0 } }
    func set(_ date: Date) { value.withLock { $0 = date } }
    var closure: @Sendable () -> Date { { self.now } }
}

/// Continuity drills (issue 20, point 4): the KPIs from a scripted timeline, the API against a real server with
/// signed reports judged by the server, on SQLite and PostgreSQL, and the refusals.
@Suite("Drills", .serialized)
struct DrillTests {
    static let start = Date(timeIntervalSince1970: 1_796_000_000)

    static func report(_ agent: String, _ minute: Double, _ status: ReadinessStatus, id: String? = nil) -> DrillReport {
        DrillReport(
            agentId: agent, reportId: id ?? "\(agent)-\(minute)", receivedAt: start.addingTimeInterval(minute * 60),
            status: status)
    }

    @Test("time to 50 % and 90 %, share ready at the RTO, a regression, the window and the status, from a timeline")
    func progressFromTimeline() {
        // 10 agents, RTO 30 minutes (closes at 60).
        let reports = [
            Self.report("a1", 2, .ready), Self.report("a2", 3, .notReady), Self.report("a3", 4, .ready),
            Self.report("a4", 6, .atRisk), Self.report("a5", 9, .ready), Self.report("a2", 11, .ready),
            Self.report("a6", 12, .ready),  // 5 of 10: 50 % at minute 12
            Self.report("a1", 14, .notReady),  // a1 regresses: back to 4
            Self.report("a7", 15, .ready), Self.report("a8", 20, .ready), Self.report("a1", 25, .ready),
            Self.report("a9", 29, .ready),  // 8 of 10 at the RTO
            Self.report("a4", 41, .ready),  // 9 of 10 = 90 % at minute 41, after the RTO
            Self.report("a10", 61, .ready),  // after the close: not counted
            Self.report("a10", -1, .ready),  // before the start: not counted
        ]
        func progress(atMinute minute: Double) -> DrillProgress {
            DrillProgress(
                reports: reports.shuffled(), agents: 10, startedAt: Self.start,
                deadlineAt: Self.start.addingTimeInterval(30 * 60), closesAt: Self.start.addingTimeInterval(60 * 60),
                target: 0.9, now: Self.start.addingTimeInterval(minute * 60))
        }
        let early = progress(atMinute: 13)
        #expect(early.status == .running)
        #expect(early.kpis.timeTo50Minutes == 12 && early.kpis.timeTo90Minutes == nil)
        #expect(early.kpis.shareReadyAtRTO == nil && early.kpis.targetMet == nil, "the deadline is ahead")
        #expect(early.counts == DrillCounts(ready: 5, atRisk: 1, notReady: 0, notAnswered: 4))

        let atRTO = progress(atMinute: 35)
        #expect(atRTO.status == .overtime)
        #expect(atRTO.kpis.shareReadyAtRTO == 0.8 && atRTO.kpis.targetMet == false)
        #expect(atRTO.kpis.timeTo90Minutes == nil)

        let closed = progress(atMinute: 500)
        #expect(closed.status == .finished)
        #expect(closed.kpis.timeTo50Minutes == 12 && closed.kpis.timeTo90Minutes == 41)
        #expect(closed.kpis.shareReadyAtRTO == 0.8)
        #expect(closed.counts == DrillCounts(ready: 9, atRisk: 0, notReady: 0, notAnswered: 1))
        #expect(closed.timeline.first == DrillPoint(at: Self.start, minute: 0, ready: 0, readyShare: 0))
        #expect(closed.timeline.map(\.ready) == [0, 1, 1, 2, 2, 3, 4, 5, 4, 5, 6, 7, 8, 9])
        #expect(closed.timeline.last?.minute == 41 && closed.timeline.last?.readyShare == 0.9)
        // A target the RTO share meets.
        let met = DrillProgress(
            reports: reports, agents: 10, startedAt: Self.start, deadlineAt: Self.start.addingTimeInterval(30 * 60),
            closesAt: Self.start.addingTimeInterval(60 * 60), target: 0.8, now: Self.start.addingTimeInterval(90 * 60))
        #expect(met.kpis.targetMet == true)
        // The server's rules, never the agent's claim: verdict and equipment decide.
        #expect(DrillProgress.status(verdict: "ready", equipment: "complete") == .ready)
        #expect(DrillProgress.status(verdict: "ready", equipment: "missing") == .notReady)
        #expect(DrillProgress.status(verdict: "ready", equipment: "unverified") == .atRisk)
        #expect(DrillProgress.status(verdict: "ready_with_warnings", equipment: "complete") == .atRisk)
        #expect(DrillProgress.status(verdict: "incomplete", equipment: "complete") == .notReady)
    }

    @Test("KPIs from stored reports at scripted times (injected clock, no waiting)", arguments: TestBackend.available)
    func storedTimeline(backend: TestBackend) async throws {
        let clock = DrillTestClock(Self.start)
        try await Harness.with(backend, configure: { $0.drillClock = clock.closure }) { harness in
            let repository = harness.repository
            try await harness.withClient { api in
                let campaign = try await api.create(
                    "campaigns", ["name": "Cobranza", "profile_id": "linux-baseline", "cutover_date": "2026-12-24"])
                var agents: [String: String] = [:]
                for index in 1...4 {
                    agents["E\(index)"] = try await api.create(
                        "agents", ["employee_id": "E\(index)", "name": "Agente \(index)", "campaign_id": campaign])
                }
                let drills = Drills(repository: repository, now: clock.closure)
                let new = try Drills.validate(
                    campaignId: "Cobranza", siteId: nil, deadlineMinutes: 20, targetReadyShare: 0.75, name: "Q4",
                    createdBy: "test")
                let started = try await drills.start(new)
                #expect(started.summary.agents == 4 && started.summary.startedAt == Self.start)
                // Reports stored at minutes 3 (E1 ready), 8 (E2 not ready), 12 (E2 ready), 25 (E3 ready), as they come.
                func store(_ employee: String, _ minute: Double, _ verdict: Verdict) async throws {
                    let at = Self.start.addingTimeInterval(minute * 60)
                    _ = try await repository.ingest(
                        sampleReport(employeeId: employee, verdict: verdict, finishedAt: at), body: "{}",
                        agentId: agents[employee]!, deviceId: nil, at: at)
                }
                try await store("E1", 3, .ready)
                try await store("E2", 8, .notReady)
                clock.set(Self.start.addingTimeInterval(10 * 60))
                let running = try #require(try await drills.drill(id: started.summary.id))
                #expect(running.summary.status == .running)
                #expect(running.summary.counts == DrillCounts(ready: 1, atRisk: 0, notReady: 1, notAnswered: 2))
                #expect(running.notAnswered.map(\.employeeId) == ["E3", "E4"])
                #expect(
                    running.failingChecks.contains {
                        $0.cause == "posture.disk-encryption" && $0.employeeIds == ["E2"]
                    },
                    "\(running.failingChecks)")
                try await store("E2", 12, .ready)
                try await store("E3", 25, .ready)
                clock.set(Self.start.addingTimeInterval(45 * 60))
                let closed = try #require(try await drills.drill(id: started.summary.id))
                #expect(closed.summary.status == .finished)
                #expect(closed.summary.kpis.timeTo50Minutes == 12)
                #expect(closed.summary.kpis.timeTo90Minutes == nil)
                #expect(closed.summary.kpis.shareReadyAtRTO == 0.5 && closed.summary.kpis.targetMet == false)
                #expect(closed.summary.counts.ready == 3 && closed.summary.readyShare == 0.75)
                #expect(closed.timeline.map(\.minute) == [0, 3, 8, 12, 25])
                #expect(closed.failingChecks.isEmpty)
                let listed = try await drills.drills(limit: 10)
                #expect(listed.map(\.id) == [started.summary.id] && listed.first?.name == "Q4")
            }
        }
    }
}
