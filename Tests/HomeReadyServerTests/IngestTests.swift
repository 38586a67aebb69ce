import Crypto
import Foundation
import HomeReadyModel
import SQLKit
import Synchronization
import Testing

@testable import HomeReadyServer

@Suite("Ingest: group commit, token cache, roll-up")
struct IngestTests {
    @Test("one report id posted by 24 tasks at once is stored once; exactly one post is not a duplicate",
          arguments: TestBackend.available)
    func sameIdConcurrently(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            let agent = try await harness.repository.createAgent(NewAgent(employeeId: "E1", name: "Ada"))
            let report = sampleReport(employeeId: "E1", verdict: .notReady)
            let repository = harness.repository
            let inserted = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<24 {
                    group.addTask {
                        try await repository.ingest(report, body: "{}", agentId: agent.id, deviceId: nil, at: Date())
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(inserted.filter { $0 }.count == 1)
            #expect(try await repository.reports(agentId: agent.id, after: nil, limit: 100).count == 1)
        }
    }

    @Test("concurrent reports share transactions; a failing one fails alone", arguments: TestBackend.available)
    func groupCommitIsolatesFailures(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            var agents: [AgentRecord] = []
            for index in 0..<10 {
                agents.append(try await harness.repository.createAgent(NewAgent(employeeId: "E\(index)", name: "A\(index)")))
            }
            let repository = harness.repository
            let ids = agents.map(\.id)
            // 60 good reports (6 per agent) and 5 for an agent id that does not exist (a foreign key violation).
            let outcomes = await withTaskGroup(of: (String, Bool).self) { group in
                for index in 0..<65 {
                    group.addTask {
                        let bogus = index >= 60
                        let agentId = bogus ? "no-such-agent-\(index)" : ids[index % ids.count]
                        let report = sampleReport(
                            employeeId: "E\(index % 10)", finishedAt: Date(timeIntervalSince1970: 1_790_000_000 + Double(index)))
                        do {
                            _ = try await repository.ingest(report, body: "{}", agentId: agentId, deviceId: nil, at: Date())
                            return (agentId, true)
                        } catch {
                            return (agentId, false)
                        }
                    }
                }
                return await group.reduce(into: [(String, Bool)]()) { $0.append($1) }
            }
            #expect(outcomes.filter { !$0.0.hasPrefix("no-such") }.allSatisfy { $0.1 })
            #expect(outcomes.filter { $0.0.hasPrefix("no-such") }.allSatisfy { !$0.1 })
            for id in ids {
                #expect(try await repository.reports(agentId: id, after: nil, limit: 100).count == 6)
                let states = try await repository.checkStates(agentId: id)
                #expect(states.count == 2)
                #expect(states.allSatisfy { $0.lastSeenAt == Date(timeIntervalSince1970: 1_790_000_000 + 50 + Double(ids.firstIndex(of: id)!)) })
            }
            let batches = repository.reportLane.batches
            let writes = repository.reportLane.writes
            #expect(writes >= 65)
            #expect(batches <= writes)
        }
    }

    @Test("under load the lane lingers for more writes before a batch; a lone write is not held")
    func lingering() async throws {
        try await Harness.with(.sqlite) { harness in
            let store = harness.store
            try await store.withConnection { db in try await db.raw("CREATE TABLE t (v INTEGER)").run() }
            let batchSizes = Mutex<[Int]>([])
            func lane(linger: Duration) -> GroupCommit<Int, Int> {
                GroupCommit<Int, Int>(store: store, linger: linger, lingerTarget: 8) { values, db in
                    batchSizes.withLock { $0.append(values.count) }
                    // The first batch is slow, so the next two queue behind it and make a batch of two.
                    if values == [0] { try await Task.sleep(for: .milliseconds(200)) }
                    let rows: [SQLQueryString] = values.map { "(\(literal: $0))" }
                    try await db.raw("INSERT INTO t (v) VALUES \(rows.joined(separator: ", "))").run()
                    return values
                }
            }
            // Lone writes, one after the other: a linger of 10 s would show.
            let alone = lane(linger: .seconds(10))
            let started = ContinuousClock.now
            for value in 100..<103 { #expect(try await alone.run(value) == value) }
            #expect(ContinuousClock.now - started < .seconds(5), "a lone write waited for the linger")

            // 0, then 1 and 2 while 0 is written (a batch of two), then eight more 10 ms apart: after the batch of
            // two the lane waits 600 ms, so the eight come as one batch (without the wait: about eight batches).
            for linger in [Duration.milliseconds(600), .zero] {
                batchSizes.withLock { $0 = [] }
                let busy = lane(linger: linger)
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { _ = try? await busy.run(0) }
                    try? await Task.sleep(for: .milliseconds(50))
                    for value in 1...2 { group.addTask { _ = try? await busy.run(value) } }
                    try? await Task.sleep(for: .milliseconds(300))
                    for value in 3...10 {
                        group.addTask { _ = try? await busy.run(value) }
                        try? await Task.sleep(for: .milliseconds(10))
                    }
                }
                let sizes = batchSizes.withLock { $0 }
                #expect(sizes.reduce(0, +) == 11)
                if linger > .zero {
                    #expect(sizes == [1, 2, 8], "batches \(sizes)")
                } else {
                    #expect(sizes.count > 4, "without a linger the staggered writes go one or two at a time: \(sizes)")
                }
            }
        }
    }

    @Test("a group whose transaction fails is retried one by one")
    func fallbackOneByOne() async throws {
        try await Harness.with(.sqlite) { harness in
            let store = harness.store
            try await store.withConnection { db in try await db.raw("CREATE TABLE t (v INTEGER UNIQUE)").run() }
            // The whole batch is one multi-row INSERT: a duplicate value fails it, then each value is written alone.
            let lane = GroupCommit<Int, Int>(store: store) { values, db in
                let rows: [SQLQueryString] = values.map { "(\(literal: $0))" }
                try await db.raw("INSERT INTO t (v) VALUES \(rows.joined(separator: ", "))").run()
                return values
            }
            let results = await withTaskGroup(of: Bool.self) { group in
                for value in [1, 2, 2, 3, 4, 5] {
                    group.addTask {
                        do {
                            return try await lane.run(value) == value
                        } catch { return false }
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(results.filter { $0 }.count == 5)
            let count = try await store.withConnection { db in
                try await db.raw("SELECT COUNT(*) AS n FROM t").all().first?.decode(column: "n", as: Int.self)
            }
            #expect(count == 5)
        }
    }

    @Test("reports of one agent in one batch apply in order; duplicates within a batch are stored once",
          arguments: TestBackend.available)
    func batchRounds(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            let agent = try await harness.repository.createAgent(NewAgent(employeeId: "E1", name: "Ada"))
            let base = Date(timeIntervalSince1970: 1_790_000_000)
            func report(_ offset: Double, _ status: FindingStatus) -> CheckReport {
                sampleReport(
                    employeeId: "E1", verdict: status == .pass ? .ready : .notReady,
                    finishedAt: base.addingTimeInterval(offset),
                    findings: [Finding(id: "posture.firewall", section: .posture, severity: .critical, status: status, message: "m")])
            }
            // fail, fail, pass, fail in one batch: the check failed first at 40 (after the pass at 30).
            let sequence = [report(10, .fail), report(20, .fail), report(30, .pass), report(40, .fail)]
            let writes = (sequence + [sequence[0]]).map {
                ReportWrite(report: ReportEnvelope($0), body: "{}", agentId: agent.id, deviceId: nil, signature: nil, presentKinds: [], at: Date())
            }
            let outcomes = try await harness.store.transaction { db in try await SQLRepository.write(writes, on: db) }
            #expect(outcomes.map(\.inserted) == [true, true, true, true, false])
            let state = try #require(try await harness.repository.checkStates(agentId: agent.id).first)
            #expect(state.status == .fail)
            #expect(state.firstFailedAt == base.addingTimeInterval(40))
            #expect(state.lastPassedAt == base.addingTimeInterval(30))
            #expect(state.lastSeenAt == base.addingTimeInterval(40))
            #expect(try await harness.repository.reports(agentId: agent.id, after: nil, limit: 10).count == 4)
            let row = try await harness.store.withConnection { db in
                try await db.raw("SELECT last_report_at, last_verdict FROM agents WHERE id = \(bind: agent.id)").all().first
            }
            #expect(try row?.decode(column: "last_report_at", as: Int64.self) == Clock.millis(base.addingTimeInterval(40)))
            #expect(try row?.optionalString("last_verdict") == "not_ready")
        }
    }

    @Test("a steady agent's reports write no check state; times still follow its latest report, changes and new sets are written",
          arguments: TestBackend.available)
    func quietCheckStates(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            let agent = try await harness.repository.createAgent(NewAgent(employeeId: "E1", name: "Ada"))
            let base = Date(timeIntervalSince1970: 1_790_000_000)
            func ingest(_ offset: Double, _ checks: [(String, FindingStatus)]) async throws {
                let report = sampleReport(
                    employeeId: "E1", finishedAt: base.addingTimeInterval(offset),
                    findings: checks.map { Finding(id: $0.0, section: .posture, severity: .critical, status: $0.1, message: "m") })
                _ = try await harness.repository.ingest(report, body: "{}", agentId: agent.id, deviceId: nil, at: Date())
            }
            func stored() async throws -> [String: Int64] {
                try await harness.store.withConnection { db in
                    try await db.raw("SELECT check_id, last_seen_at FROM check_states WHERE agent_id = \(bind: agent.id)").all()
                }.reduce(into: [:]) { $0[try $1.string("check_id")] = try $1.decode(column: "last_seen_at", as: Int64.self) }
            }
            func state(_ id: String) async throws -> CheckStateRecord {
                try #require(try await harness.repository.checkStates(agentId: agent.id).first { $0.checkId == id })
            }
            func at(_ offset: Double) -> Date { base.addingTimeInterval(offset) }

            try await ingest(10, [("posture.firewall", .pass), ("posture.disk", .fail)])
            try await ingest(20, [("posture.firewall", .pass), ("posture.disk", .fail)])
            // Nothing changed: no row was written, yet the times are those of the latest report.
            #expect(try await stored() == ["posture.firewall": Clock.millis(at(10)), "posture.disk": Clock.millis(at(10))])
            #expect(try await state("posture.firewall").lastSeenAt == at(20))
            #expect(try await state("posture.firewall").lastPassedAt == at(20))
            #expect(try await state("posture.disk").lastSeenAt == at(20))
            #expect(try await state("posture.disk").firstFailedAt == at(10))
            #expect(try await state("posture.disk").lastPassedAt == nil)

            // The firewall stops passing: only its row is written; it last passed in the report before.
            try await ingest(30, [("posture.firewall", .fail), ("posture.disk", .fail)])
            #expect(try await stored() == ["posture.firewall": Clock.millis(at(30)), "posture.disk": Clock.millis(at(10))])
            #expect(try await state("posture.firewall").firstFailedAt == at(30))
            #expect(try await state("posture.firewall").lastPassedAt == at(20))
            #expect(try await state("posture.disk").lastSeenAt == at(30))

            // A new set of checks writes all of its checks; the one left out keeps its last times.
            try await ingest(40, [("posture.firewall", .fail), ("posture.screen-lock", .pass)])
            #expect(try await state("posture.disk").lastSeenAt == at(30))
            #expect(try await state("posture.disk").status == .fail)
            #expect(try await state("posture.screen-lock").lastSeenAt == at(40))
            try await ingest(50, [("posture.firewall", .pass), ("posture.screen-lock", .pass)])
            #expect(try await state("posture.disk").lastSeenAt == at(30))
            #expect(try await state("posture.firewall").lastPassedAt == at(50))
            #expect(try await state("posture.firewall").firstFailedAt == nil)
            #expect(try await state("posture.screen-lock").lastPassedAt == at(50))

            // A late report from before the latest one changes nothing.
            try await ingest(45, [("posture.firewall", .fail), ("posture.disk", .pass), ("posture.vpn", .fail)])
            #expect(try await state("posture.firewall").status == .pass)
            #expect(try await state("posture.disk").lastSeenAt == at(30))
            #expect(try await harness.repository.checkStates(agentId: agent.id).count == 3)

            // An agent whose check states were written before migration 8 (rows exact, no digests): its next
            // report, statuses unchanged, writes them all and starts its set of checks.
            try await harness.store.withConnection { db in
                try await db.raw(
                    "UPDATE agents SET checks_digest = NULL, checks_since = NULL, checks_statuses = NULL WHERE id = \(bind: agent.id)"
                ).run()
                try await db.raw(
                    "UPDATE check_states SET last_seen_at = \(literal: Clock.millis(at(50))), last_passed_at = \(literal: Clock.millis(at(50))) WHERE agent_id = \(bind: agent.id) AND status = 'pass'"
                ).run()
            }
            try await ingest(60, [("posture.firewall", .pass), ("posture.screen-lock", .pass)])
            #expect(try await stored()["posture.firewall"] == Clock.millis(at(60)))
            #expect(try await state("posture.firewall").lastSeenAt == at(60))
            #expect(try await state("posture.screen-lock").lastPassedAt == at(60))
            #expect(try await state("posture.disk").lastSeenAt == at(30))
            try await ingest(70, [("posture.firewall", .pass), ("posture.screen-lock", .pass)])
            #expect(try await stored()["posture.firewall"] == Clock.millis(at(60)))
            #expect(try await state("posture.screen-lock").lastSeenAt == at(70))
        }
    }

    @Test("two instances ingesting one agent's changing reports at once leave the check states of its latest report",
          arguments: TestBackend.available)
    func quietCheckStatesAcrossInstances(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            let (secondStore, second) = try await openRepository(harness.configuration, logger: Harness.logger)
            let instances = [harness.repository, second]
            var agents: [AgentRecord] = []
            for index in 0..<4 {
                agents.append(try await harness.repository.createAgent(NewAgent(employeeId: "E\(index)", name: "A\(index)")))
            }
            let base = Date(timeIntervalSince1970: 1_790_000_000)
            let checks = ["posture.firewall", "posture.disk", "network.latency"]
            /// Report `n` of an agent: every check's status flips with n in its own rhythm; n = 7 adds a check.
            func report(_ agent: Int, _ n: Int) -> CheckReport {
                var findings = checks.enumerated().map { offset, id in
                    Finding(id: id, section: .posture, severity: .critical,
                            status: (n / (offset + 1)) % 2 == 0 ? .pass : .fail, message: "m")
                }
                if n >= 7 { findings.append(Finding(id: "posture.screen-lock", section: .posture, severity: .warning, status: .pass, message: "m")) }
                return sampleReport(employeeId: "E\(agent)", finishedAt: base.addingTimeInterval(Double(n)), findings: findings)
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (agentIndex, agent) in agents.enumerated() {
                    for n in 0..<12 {
                        let instance = instances[(n + agentIndex) % 2]
                        let posted = report(agentIndex, n)
                        group.addTask {
                            _ = try await instance.ingest(posted, body: "{}", agentId: agent.id, deviceId: nil, at: Date())
                        }
                    }
                }
                try await group.waitForAll()
            }
            await secondStore.shutdown()
            for (agentIndex, agent) in agents.enumerated() {
                let latest = report(agentIndex, 11)
                let states = try await harness.repository.checkStates(agentId: agent.id)
                for finding in latest.findings {
                    let state = try #require(states.first { $0.checkId == finding.id })
                    #expect(state.status == finding.status, "\(agent.employeeId) \(finding.id)")
                    #expect(state.lastSeenAt == latest.finishedAt, "\(agent.employeeId) \(finding.id)")
                    if finding.status == .pass { #expect(state.lastPassedAt == latest.finishedAt) }
                }
            }
        }
    }

    @Test("a report from a device revoked after its record was cached is not stored", arguments: TestBackend.available)
    func revokedDeviceInBatch(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            let agent = try await harness.repository.createAgent(NewAgent(employeeId: "E1", name: "Ada"))
            try await harness.repository.createEnrollmentCode(
                hash: Tokens.hash("code"), agentId: agent.id, expiresAt: Date().addingTimeInterval(600), at: Date())
            let device = try #require(
                try await harness.repository.enroll(
                    codeHash: Tokens.hash("code"), publicKey: nil, hostname: "laptop", tokenHash: Tokens.hash("t"),
                    at: Date()))
            _ = try await harness.repository.revokeDevice(id: device.id, reason: "stolen", at: Date())
            let write = ReportWrite(
                report: ReportEnvelope(sampleReport(employeeId: "E1")), body: "{}", agentId: agent.id,
                deviceId: device.id, signature: "sig", presentKinds: [], at: Date())
            #expect(try await harness.repository.ingest(write) == .deviceRevoked)
            #expect(try await harness.repository.reports(agentId: agent.id, after: nil, limit: 10).isEmpty)
        }
    }

    /// Agents store these digests (`agents.checks_digest`, `checks_statuses`) and later reports are compared with
    /// them: they must stay what every earlier version wrote, 128 bits of SHA-256 over one line per check (the last
    /// finding of each id counts), in hex.
    @Test("a report's check digests are the lines every version hashed")
    func checkDigests() throws {
        var report = sampleReport(employeeId: "E1")
        let finding = { (id: String, status: FindingStatus) in
            Finding(id: id, section: .network, severity: .critical, status: status, message: "")
        }
        report.findings = [finding("network.download", .pass), finding("posture.firewall", .fail),
                           finding("network.download", .warn)]
        let write = ReportWrite(
            report: ReportEnvelope(report), body: "{}", agentId: "a", deviceId: nil, signature: nil, presentKinds: [],
            at: Date())
        func digest(_ text: String) -> String {
            SHA256.hash(data: Data(text.utf8)).prefix(16).map { String(format: "%02x", $0) }.joined()
        }
        #expect(write.checksDigest == digest("network.download\nposture.firewall\n"))
        #expect(write.statusesDigest == digest("network.download\twarn\nposture.firewall\tfail\n"))
        #expect(write.checks.map(\.id) == ["network.download", "posture.firewall"])
    }

    @Test("a cached token keeps working for the TTL only; unknown tokens are never cached")
    func tokenCache() async throws {
        try await Harness.with(.sqlite) { harness in
            let clock = TestClock()
            let middleware = AuthenticationMiddleware(repository: harness.repository, cacheTTL: .seconds(5))
            let cache = ExpiringCache<String, Principal>(ttl: .seconds(5), now: { clock.now })
            let hash = Tokens.hash(harness.adminToken)
            let principal = try await middleware.principal(hash: hash)
            #expect(principal.role == .admin)
            cache.store(principal, for: hash)
            clock.advance(.seconds(4))
            #expect(cache.value(for: hash) == principal)
            clock.advance(.seconds(2))
            #expect(cache.value(for: hash) == nil)
            // Revoked in the database: the middleware's cache still answers (within its TTL), a fresh one does not.
            try await harness.store.withConnection { db in
                try await db.raw("UPDATE tokens SET revoked_at = 1 WHERE hash = \(bind: hash)").run()
            }
            #expect(try await middleware.principal(hash: hash) == principal)
            let fresh = AuthenticationMiddleware(repository: harness.repository, cacheTTL: .seconds(5))
            await #expect(throws: Problem.self) { try await fresh.principal(hash: hash) }
            await #expect(throws: Problem.self) { try await fresh.principal(hash: Tokens.hash("hr_unknown")) }
            #expect(fresh.cache.value(for: Tokens.hash("hr_unknown")) == nil)
        }
    }

    @Test("the roll-up counts agree with per-agent readiness rules", arguments: TestBackend.available)
    func rollupMatchesRules(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            let now = Date(timeIntervalSince1970: 1_790_000_000)
            let nowMs = Clock.millis(now)
            try await harness.store.withConnection { db in
                try await db.raw(
                    "INSERT INTO campaigns (id, name, profile_id, cutover_date, freshness_hours, created_at) VALUES ('c24', 'Short', 'p', '2026-12-01', 24, 0), ('c72', 'Long', 'p', '2026-12-01', 72, 0)"
                ).run()
                try await db.raw("INSERT INTO sites (id, name, created_at) VALUES ('s1', 'Leeds', 0), ('s2', 'York', 0)").run()
                try await db.raw("INSERT INTO teams (id, name, created_at) VALUES ('t1', 'Blue', 0)").run()
                let verdicts: [String?] = [nil, "ready", "ready_with_warnings", "not_ready", "incomplete"]
                let equipment = ["complete", "unverified", "missing"]
                let ages: [Int64?] = [nil, 1, 30, 100]
                var index = 0
                for campaign in ["c24", "c72", nil] as [String?] {
                    for verdict in verdicts {
                        for status in equipment {
                            for age in ages {
                                index += 1
                                let at: Int64? = age.map { nowMs - $0 * 3_600_000 }
                                try await db.raw(
                                    """
                                    INSERT INTO agents (id, employee_id, name, site_id, team_id, campaign_id, last_report_at,
                                                        last_verdict, equipment_status, created_at)
                                    VALUES (\(bind: "a\(index)"), \(bind: "E\(index)"), 'x',
                                            \(bind: ["s1", "s2", nil][index % 3]), \(bind: index % 2 == 0 ? "t1" : nil),
                                            \(bind: campaign),
                                            \(bind: at), \(bind: at == nil ? nil : verdict), \(bind: status), 0)
                                    """
                                ).run()
                            }
                        }
                    }
                }
            }
            for scope in RollupScope.allCases {
                let column: String
                switch scope {
                case .site: column = "a.site_id"
                case .campaign: column = "a.campaign_id"
                case .team: column = "a.team_id"
                case .all: column = "'all'"
                }
                let fast = try await harness.repository.rollup(by: scope, now: now)
                let rows = try await harness.store.withConnection { db in
                    try await db.raw(
                        """
                        SELECT COALESCE(\(unsafeRaw: column), '') AS scope_id,
                               \(SQLRepository.statusExpression(now: now)) AS status
                        FROM agents a LEFT JOIN campaigns c ON c.id = a.campaign_id
                        """
                    ).all().map { (try $0.decode(column: "scope_id", as: String.self), try $0.decode(column: "status", as: String.self)) }
                }
                var expected: [String: RollupRow] = [:]
                for (id, status) in rows {
                    var row = expected[id] ?? RollupRow(scopeId: id, ready: 0, atRisk: 0, notReady: 0, unknown: 0)
                    switch status {
                    case "ready": row.ready += 1
                    case "at_risk": row.atRisk += 1
                    case "not_ready": row.notReady += 1
                    default: row.unknown += 1
                    }
                    expected[id] = row
                }
                #expect(fast == expected.values.sorted { $0.scopeId < $1.scopeId })
            }
        }
    }
}

/// A manual clock for caches and services under test.
final class TestClock: Sendable {
    private let state: Mutex<ContinuousClock.Instant>
    init() { state = Mutex(ContinuousClock.now) }
    var now: ContinuousClock.Instant { state.withLock { $0 } }
    func advance(_ duration: Duration) { state.withLock { $0 += duration } }
}
