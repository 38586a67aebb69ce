import Foundation
import HomeReadyTestSupport
import Testing

/// Enrolled agents and a server, all real processes, for the fault tests.
struct Fleet {
    let directory: TemporaryDirectory
    let server: HomeReadyServerProcess
    let agents: [HomeReadyAgentProcess]
    let adminToken: String

    static func make(agents count: Int, serverArguments: [String] = []) throws -> Fleet {
        let directory = try TemporaryDirectory(prefix: "homeready-fleet")
        let server = try HomeReadyServerProcess(directory: directory.url, extraArguments: serverArguments)
        try server.start()
        let ids = (0..<count).map { String(format: "F%04d", $0 + 1) }
        if !ids.isEmpty { try server.importRoster("employee_id,name\n" + ids.map { "\($0),Agent \($0)" }.joined(separator: "\n") + "\n") }
        var agents: [HomeReadyAgentProcess] = []
        for id in ids {
            let agent = HomeReadyAgentProcess(home: directory.url.appendingPathComponent("agent-\(id)"))
            let code = try server.enrollmentCode(employeeID: id)
            let result = try agent.run(["enroll", "--server", server.url, "--code", code])
            guard result.status == 0 else { throw TestSupportError("enroll \(id) failed: \(result.stderr)") }
            agents.append(agent)
        }
        let token = try server.run(["create-token", "--role", "admin"])
        return Fleet(directory: directory, server: server, agents: agents, adminToken: token)
    }

    /// Report ids stored on the server, with how often each is stored (read straight from SQLite).
    func storedReports() throws -> (rows: Int, distinct: Set<String>) {
        let path = String(server.database.dropFirst("sqlite:".count))
        let result = try Subprocess.run(["sqlite3", path, "SELECT report_id FROM reports"])
        let ids = result.stdout.split(separator: "\n").map(String.init)
        return (ids.count, Set(ids))
    }

    /// Spooled report ids of an agent (file names), lower-cased like the server's.
    static func spooledIDs(_ agent: HomeReadyAgentProcess) -> Set<String> {
        let spool = agent.home.appendingPathComponent("state/spool")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: spool.path)) ?? []
        return Set(names.filter { $0.hasSuffix(".report") }.map { String($0.dropLast(".report".count)).lowercased() })
    }

    func revoke(_ agent: HomeReadyAgentProcess) throws {
        let enrollment = try JSONSerialization.jsonObject(
            with: Data(contentsOf: agent.home.appendingPathComponent("config/enrollment.json"))) as? [String: Any]
        let device = enrollment?["device_id"] as? String ?? ""
        let result = try Subprocess.run([
            "curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "-H", "Authorization: Bearer \(adminToken)",
            "-H", "Content-Type: application/json", "-d", "{\"reason\":\"test\"}", "\(server.url)/api/v1/devices/\(device)/revoke",
        ])
        guard result.stdout == "200" else { throw TestSupportError("revoke gave \(result.stdout): \(result.stderr)") }
    }

    /// Calls the API as admin with curl; returns the JSON answer.
    func api(_ method: String, _ path: String, _ json: [String: Any]) throws -> [String: Any] {
        let body = String(decoding: try JSONSerialization.data(withJSONObject: json), as: UTF8.self)
        let result = try Subprocess.run([
            "curl", "-sS", "-X", method, "-H", "Authorization: Bearer \(adminToken)", "-H", "Content-Type: application/json",
            "-d", body, "\(server.url)\(path)",
        ])
        return (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]) ?? [:]
    }

    func tearDown() {
        server.stop()
        directory.remove()
    }
}

/// Runs a blocking body per agent, each on its own thread; `wait()` sums the results or rethrows the first error.
final class ParallelRuns: @unchecked Sendable {
    private let group = DispatchGroup()
    private let lock = NSLock()
    private var total = 0
    private var failure: (any Error)?

    init(_ agents: [HomeReadyAgentProcess], _ body: @escaping @Sendable (HomeReadyAgentProcess) throws -> Int) {
        for agent in agents {
            group.enter()
            let thread = Thread { [self] in
                defer { group.leave() }
                do {
                    let value = try body(agent)
                    lock.withLock { total += value }
                } catch {
                    lock.withLock { if failure == nil { failure = error } }
                }
            }
            thread.start()
        }
    }

    @discardableResult
    func wait() throws -> Int {
        group.wait()
        return try lock.withLock {
            if let failure { throw failure }
            return total
        }
    }
}

@Suite("Faults: nothing spooled is lost or doubled", .serialized)
struct FaultTests {
    @Test("SIGKILL and restart of the server while 20 agents flush 10,000 reports: exactly those 10,000 are stored")
    func sigkillWhileTwentyAgentsFlush() throws {
        let fleet = try Fleet.make(agents: 20)
        defer { fleet.tearDown() }
        // 500 signed reports per agent, spooled through the agent's own spool (write, fsync, rename), each agent on
        // a thread of its own, never on the (2-thread) Swift concurrency pool.
        let spooling = ParallelRuns(fleet.agents) { agent in
            try agent.spoolSynthetic(500)
            return 1
        }
        try spooling.wait()
        var expected = Set<String>()
        for agent in fleet.agents { expected.formUnion(Fleet.spooledIDs(agent)) }
        #expect(expected.count == 10_000)

        let started = Date()
        let flushing = ParallelRuns(fleet.agents) { agent in
            var runs = 0
            while agent.pendingCount > 0, Date().timeIntervalSince(started) < 240 {
                runs += 1
                _ = try agent.run(["report", "--flush", "--attempts", "4"], timeout: 240)
            }
            return runs
        }
        // Kill the server twice while the agents are sending, and bring it back on the same port and database.
        var kills = 0
        for pause in [2.0, 3.0] {
            Thread.sleep(forTimeInterval: pause)
            let storedBefore = try fleet.storedReports().rows
            fleet.server.kill9()
            kills += 1
            print("fault: SIGKILL #\(kills) after \(String(format: "%.1f", Date().timeIntervalSince(started))) s with \(storedBefore) reports stored")
            Thread.sleep(forTimeInterval: 0.7)
            try fleet.server.start()
        }
        let flushRuns = try flushing.wait()
        let elapsed = Date().timeIntervalSince(started)
        let stored = try fleet.storedReports()
        print("fault: \(stored.rows) rows, \(stored.distinct.count) distinct report ids after \(String(format: "%.1f", elapsed)) s, \(flushRuns) flush runs, \(kills) kills")
        #expect(kills == 2)
        #expect(stored.rows == 10_000, "none doubled")
        #expect(stored.distinct == expected, "exactly the spooled reports")
        for agent in fleet.agents {
            #expect(agent.pendingCount == 0)
            #expect(agent.rejectedCount == 0)
        }
    }

    @Test("revoked device, wrong signature, clock far off, corrupt file: each a clear error, nothing spooled is lost")
    func refusedReportsAreKeptWithTheReason() throws {
        let fleet = try Fleet.make(agents: 4, serverArguments: ["--max-report-age-hours", "24"])
        defer { fleet.tearDown() }
        let (revoked, tampered, skewed, corrupt) = (fleet.agents[0], fleet.agents[1], fleet.agents[2], fleet.agents[3])

        // Revoked device: the report moves to rejected/ with the reason; status shows it.
        try revoked.spoolSynthetic(2)
        try fleet.revoke(revoked)
        let afterRevoke = try revoked.run(["report", "--flush"])
        #expect(afterRevoke.status == 1)
        #expect(afterRevoke.stderr.contains("no longer accepts this device"), "\(afterRevoke.stderr)")
        #expect(revoked.rejectedCount == 2 && revoked.pendingCount == 0)
        let status = try revoked.run(["status", "--json"])
        #expect(status.stdout.contains("no longer accepts this device"))

        // Wrong signature: a spooled body altered after signing.
        try tampered.spoolSynthetic(2)
        let spool = tampered.home.appendingPathComponent("state/spool")
        let victim = try #require(try FileManager.default.contentsOfDirectory(atPath: spool.path).first { $0.hasSuffix(".report") })
        let file = spool.appendingPathComponent(victim)
        let text = try String(contentsOf: file, encoding: .utf8)
        try text.replacingOccurrences(of: "\"verdict\":\"ready\"", with: "\"verdict\":\"not_ready\"")
            .write(to: file, atomically: true, encoding: .utf8)
        let afterTamper = try tampered.run(["report", "--flush"])
        #expect(afterTamper.status == 1)
        #expect(afterTamper.stderr.contains("signature does not match"), "\(afterTamper.stderr)")
        #expect(tampered.rejectedCount == 1)
        #expect(try fleet.storedReports().rows == 1)

        // Clock far off: 30 h in the past, and 2 h in the future.
        try skewed.spoolSynthetic(1, hoursAgo: 30)
        try skewed.spoolSynthetic(1, hoursAgo: -2)
        let afterSkew = try skewed.run(["report", "--flush"])
        #expect(afterSkew.status == 1)
        #expect(afterSkew.stderr.contains("before the server's clock"), "\(afterSkew.stderr)")
        #expect(afterSkew.stderr.contains("ahead of the server's clock"), "\(afterSkew.stderr)")
        #expect(skewed.rejectedCount == 2)

        // Corrupt spool file: moved aside to corrupt/, the good reports are sent.
        try corrupt.spoolSynthetic(3)
        let corruptFile = corrupt.home.appendingPathComponent("state/spool/\(UUID().uuidString).report")
        try Data("{\"format\":1,\"device\n\u{0}garbage".utf8).write(to: corruptFile)
        let afterCorrupt = try corrupt.run(["report", "--flush"])
        #expect(afterCorrupt.stderr.contains("could not be read back"), "\(afterCorrupt.stderr)")
        #expect(afterCorrupt.stdout.contains("sent 3"), "\(afterCorrupt.stdout)")
        let kept = corrupt.home.appendingPathComponent("state/spool/corrupt/\(corruptFile.lastPathComponent)")
        #expect(FileManager.default.fileExists(atPath: kept.path))
        #expect(corrupt.pendingCount == 0)
    }

    @Test("a read-only or full disk under the spool: a clear error, and what was spooled is sent later")
    func readOnlyAndFullDisk() throws {
        guard TestEnvironment.isRoot else {
            try TestEnvironment.skip(because: "mounting a small tmpfs needs root")
        }
        let fleet = try Fleet.make(agents: 1)
        defer { fleet.tearDown() }
        let agent = fleet.agents[0]
        let mount = fleet.directory.url.appendingPathComponent("small-disk")
        try FileManager.default.createDirectory(at: mount, withIntermediateDirectories: true)
        let mounted = try Subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k,mode=0700", "tmpfs", mount.path])
        guard mounted.status == 0 else {
            try TestEnvironment.skip(because: "tmpfs mount failed: \(mounted.stderr)")
        }
        defer { _ = try? Subprocess.run(["umount", "-l", mount.path]) }
        // The agent's state folder lives on the small disk.
        try FileManager.default.createSymbolicLink(
            at: agent.home.appendingPathComponent("state"), withDestinationURL: mount)
        try agent.spoolSynthetic(2)
        #expect(agent.pendingCount == 2)

        #expect(try Subprocess.run(["mount", "-o", "remount,ro", mount.path]).status == 0)
        #expect { try agent.spoolSynthetic(1) } throws: { "\($0)".contains("read-only") }
        #expect(agent.pendingCount == 2)
        #expect(try Subprocess.run(["mount", "-o", "remount,rw", mount.path]).status == 0)

        let filler = mount.appendingPathComponent("filler")
        _ = try Subprocess.run(["dd", "if=/dev/zero", "of=\(filler.path)", "bs=4k", "count=1000"])
        #expect { try agent.spoolSynthetic(1) } throws: { "\($0)".contains("disk is full") }
        #expect(agent.pendingCount == 2)
        try FileManager.default.removeItem(at: filler)

        let flushed = try agent.run(["report", "--flush"])
        #expect(flushed.status == 0, "\(flushed.stderr)")
        #expect(flushed.stdout.contains("sent 2"))
        #expect(try fleet.storedReports().rows == 2)
    }
}
