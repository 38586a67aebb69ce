import Foundation
import HomeReadyDashboard
import HomeReadyModel
import HomeReadyTestSupport
import Hummingbird
import SQLKit
import Testing

@testable import HomeReadyServer

/// A `homeready-server serve` instance in this process on a free loopback port.
struct LiveInstance: Sendable {
    let port: Int
    let task: Task<Void, any Error>

    var base: String { "http://127.0.0.1:\(port)" }

    static func start(_ configuration: ServerConfiguration) async throws -> LiveInstance {
        var configuration = configuration
        configuration.port = try VPNPeers.freeLoopbackPort()
        let app = try await buildApplication(configuration: configuration, logger: Harness.logger)
        let task = Task { try await app.runService() }
        let instance = LiveInstance(port: configuration.port, task: task)
        // A loopback connect answers at once (accepted or refused). A blocking `curl` here held a thread of the
        // two-thread cooperative pool this very server needs to answer it, and with another test doing the same,
        // both waited for ever.
        for _ in 0..<200 {
            if FreePort.accepts(port: configuration.port) { return instance }
            try await Task.sleep(for: .milliseconds(50))
        }
        await instance.stop()
        throw TestFailure("the server on port \(configuration.port) did not answer /healthz")
    }

    func stop() async {
        task.cancel()
        _ = await task.result
    }
}

/// Live updates: a report stored through the API reaches open dashboards' SSE streams, on SQLite in process and
/// on PostgreSQL across instances (LISTEN/NOTIFY), also after the LISTEN connection was killed.
@Suite("Dashboard live updates", .serialized)
struct DashboardLiveTests {
    /// A dashboard user and a session cookie value for it, straight in the database.
    static func signIn(_ h: Harness) async throws -> String {
        try await h.repository.upsertDashboardUser(
            DashboardUser(name: "watcher", passwordHash: "pbkdf2-sha256$1$AA$AA", role: .planner), at: Date())
        let token = Tokens.hash(UUID().uuidString)  // 64 hex characters, like a real cookie token
        try await h.repository.createDashboardSession(
            DashboardSession(
                id: Tokens.hash(token), userName: "watcher", role: .planner, csrfToken: "csrf", createdAt: Date(),
                expiresAt: Date().addingTimeInterval(3600)))
        return token
    }

    /// `curl -N` on `/events`; the stream's text accumulates in the process log.
    static func openStream(_ instance: LiveInstance, cookie: String) async throws -> BackgroundProcess {
        let curl = try Subprocess.start(["curl", "-sN", "-H", "Cookie: hr_session=\(cookie)", "\(instance.base)/events"])
        for _ in 0..<100 where !curl.log.contains(": connected") {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(curl.log.contains(": connected"), "SSE stream did not open: \(curl.log)")
        return curl
    }

    static func post(_ report: CheckReport, to instance: LiveInstance, token: String, in directory: TemporaryDirectory)
        throws -> Int32
    {
        let file = directory.url.appendingPathComponent("\(report.reportID).json")
        try encodeReport(report).write(to: file)
        let out = try Subprocess.run([
            "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Authorization: Bearer \(token)",
            "-H", "Content-Type: application/json", "--data-binary", "@\(file.path)", "\(instance.base)/api/v1/reports",
        ])
        return Int32(out.stdout) ?? -1
    }

    /// Waits until `log()` contains `needle`; returns the seconds it took, or nil after `timeout`.
    static func waitFor(
        _ needle: String, in log: () -> String, since start: ContinuousClock.Instant = .now, timeout: Double
    ) async throws -> Double? {
        try await waitUntil(since: start, timeout: timeout) { log().contains(needle) }
    }

    static func makeAgent(_ h: Harness, _ employeeId: String) async throws -> AgentRecord {
        try await h.repository.createAgent(
            NewAgent(employeeId: employeeId, name: "Agent \(employeeId)", contact: nil, siteId: nil, campaignId: nil,
                     teamId: nil, roleId: nil))
    }

    @Test("SQLite: a report posted through the API reaches the SSE stream within 2 s")
    func sqliteInProcess() async throws {
        try await Harness.with(.sqlite) { h in
            let agent = try await Self.makeAgent(h, "E-LIVE-1")
            let cookie = try await Self.signIn(h)
            let directory = try TemporaryDirectory(prefix: "dashboard-live")
            defer { directory.remove() }
            let instance = try await LiveInstance.start(h.configuration)
            let stream = try await Self.openStream(instance, cookie: cookie)
            let sent = ContinuousClock.now
            #expect(try Self.post(sampleReport(employeeId: "E-LIVE-1"), to: instance, token: h.adminToken, in: directory) == 201)
            let seconds = try await Self.waitFor(agent.id, in: { stream.log }, since: sent, timeout: 2)
            #expect(seconds != nil, "no event within 2 s: \(stream.log)")
            print("dashboard.live sqlite: event after \(seconds ?? -1) s")
            #expect(stream.log.contains("event: report"))
            stream.stop()
            await instance.stop()
        }
    }

    @Test("PostgreSQL: a report posted to instance A reaches an SSE client of instance B within 2 s, also after the LISTEN connection dropped")
    func postgresAcrossInstances() async throws {
        guard TestBackend.available.contains(.postgres) else {
            try TestEnvironment.skip(because: "HOMEREADY_TEST_POSTGRES_URL is not set (run under Scripts/with-postgres)")
        }
        try await Harness.with(.postgres) { h in
            let agent = try await Self.makeAgent(h, "E-LIVE-2")
            let cookie = try await Self.signIn(h)
            let directory = try TemporaryDirectory(prefix: "dashboard-live")
            defer { directory.remove() }
            guard case .postgres(_, let schema) = h.configuration.database else {
                Issue.record("Harness.with(.postgres) did not give a PostgreSQL configuration")
                return
            }
            let channel = ServerEventBus.channelName(schema: schema)
            let a = try await LiveInstance.start(h.configuration)
            let b = try await LiveInstance.start(h.configuration)
            func listeners() async throws -> Int {
                try await h.store.withConnection { db in
                    try await db.raw(
                        "SELECT COUNT(*) AS n FROM pg_stat_activity WHERE query LIKE \(bind: "%LISTEN%\(channel)%")"
                    ).all().first?.int("n") ?? 0
                }
            }
            func waitForListeners() async throws -> Bool {
                for _ in 0..<250 {
                    if try await listeners() == 2 { return true }
                    try await Task.sleep(for: .milliseconds(20))
                }
                return false
            }
            #expect(try await waitForListeners(), "both instances LISTEN")
            let stream = try await Self.openStream(b, cookie: cookie)

            let first = sampleReport(employeeId: "E-LIVE-2")
            let sent = ContinuousClock.now
            #expect(try Self.post(first, to: a, token: h.adminToken, in: directory) == 201)
            let seconds = try await Self.waitFor(agent.id, in: { stream.log }, since: sent, timeout: 2)
            #expect(seconds != nil, "no event on B within 2 s: \(stream.log)")
            print("dashboard.live postgres A→B: event after \(seconds ?? -1) s")

            // Kill both LISTEN connections; the instances reconnect and the next report arrives as well.
            try await h.store.withConnection { db in
                try await db.raw(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE \(bind: "%LISTEN%\(channel)%")"
                ).run()
            }
            try await Task.sleep(for: .milliseconds(200))
            #expect(try await waitForListeners(), "both instances LISTEN again after the drop")
            let second = sampleReport(employeeId: "E-LIVE-2", finishedAt: Date().addingTimeInterval(1))
            let resent = ContinuousClock.now
            #expect(try Self.post(second, to: a, token: h.adminToken, in: directory) == 201)
            let count = { stream.log.components(separatedBy: "event: report").count - 1 }
            let again = try await waitUntil(since: resent, timeout: 2) { count() >= 2 }
            #expect(again != nil, "no event on B after the reconnect: \(stream.log)")
            print("dashboard.live postgres after reconnect: event after \(again ?? -1) s")
            stream.stop()
            await a.stop()
            await b.stop()
        }
    }
}
