import Foundation
import HomeReadyModel
import HomeReadyTestSupport
import Testing

@testable import HomeReadyServer

/// nginx on 127.0.0.1 balancing round-robin over upstream ports, telling which upstream answered.
final class NginxBalancer: @unchecked Sendable {
    let port: Int
    private let directory: TemporaryDirectory
    private let process: BackgroundProcess

    init(upstreams: [Int]) throws {
        directory = try TemporaryDirectory(prefix: "hr-balancer")
        port = try FreePort.tcp()
        let root = directory.path
        let servers = upstreams.map { "server 127.0.0.1:\($0);" }.joined(separator: " ")
        let config = """
            \(NginxPeer.configurationHead(root: root, workerConnections: 512))
                upstream homeready { \(servers) keepalive 16; }
                server {
                    listen 127.0.0.1:\(port);
                    location / {
                        proxy_pass http://homeready;
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                        proxy_set_header Host $host;
                        proxy_set_header X-Real-IP $remote_addr;
                        # Server-Sent Events must reach the browser as they are written.
                        proxy_buffering off;
                        add_header X-Upstream $upstream_addr always;
                    }
                }
            }
            """
        let file = directory.url.appendingPathComponent("nginx.conf")
        try config.write(to: file, atomically: true, encoding: .utf8)
        process = try Subprocess.start(["nginx", "-p", root, "-c", file.path])
        try FreePort.waitForListener(port: port, timeout: 10)
    }

    func stop() {
        process.stop()
        directory.remove()
    }
}

@Suite("Scale-out", .serialized)
struct ScaleOutTests {
    @Test("two instances on one PostgreSQL behind nginx: reports land through either, reads agree")
    func twoInstancesBehindNginx() async throws {
        guard TestBackend.available.contains(.postgres) else {
            try TestEnvironment.skip(because: "scale-out needs PostgreSQL (run under Scripts/with-postgres)")
        }
        try TestEnvironment.require([.nginx])
        try await Harness.with(.postgres, configure: { $0.clientAddressHeader = "X-Real-IP" }) { harness in
            // The second instance has its own connection pool, router, rate limiters and metrics.
            let (secondStore, secondRepository) = try await openRepository(harness.configuration, logger: Harness.logger)
            let admin = harness.adminToken
            let outcome: Result<Void, any Error>
            do {
                try await runLiveServer(repository: harness.repository, configuration: harness.configuration) { first in
                    try await runLiveServer(repository: secondRepository, configuration: harness.configuration) { second in
                        let balancer = try NginxBalancer(upstreams: [first, second])
                        defer { balancer.stop() }
                        let front = balancer.port
                        var upstreams: Set<String> = []
                        func post(_ path: String, _ json: [String: Any], token: String? = admin) async throws -> RawHTTP.Response {
                            let response = try await RawHTTP.json(port: front, method: "POST", path: "/api/v1/\(path)", token: token, json: json)
                            if let upstream = response.headers["x-upstream"] { upstreams.insert(upstream) }
                            return response
                        }
                        let campaign = try await post("campaigns", ["name": "C", "profile_id": "linux-baseline", "cutover_date": "2026-12-01"])
                        let campaignId = try #require(campaign.json["id"] as? String)
                        var agentIds: [String] = []
                        for index in 0..<10 {
                            let agent = try await post("agents", ["employee_id": "E\(index)", "name": "Agent \(index)", "campaign_id": campaignId])
                            #expect(agent.status == 201)
                            agentIds.append(try #require(agent.json["id"] as? String))
                        }
                        // A device enrolled through the balancer posts through it: its token works on both instances.
                        let code = try await post("enrollment-codes", ["employee_id": "E0"])
                        let enrolled = try await post("enroll", ["code": try #require(code.json["code"] as? String)], token: nil)
                        #expect(enrolled.status == 201)
                        let deviceToken = try #require(enrolled.json["token"] as? String)
                        let reused = try await post("enroll", ["code": try #require(code.json["code"] as? String)], token: nil)
                        #expect(reused.status == 403)
                        var reports: [CheckReport] = []
                        for index in 0..<10 {
                            let report = sampleReport(employeeId: "E\(index)", verdict: index % 3 == 0 ? .notReady : .ready)
                            reports.append(report)
                            let response = try await RawHTTP.request(
                                port: front, method: "POST", path: "/api/v1/reports",
                                headers: ["Authorization": "Bearer \(index == 0 ? deviceToken : admin)", "Content-Type": "application/json"],
                                body: try encodeReport(report))
                            #expect(response.status == 201)
                            if let upstream = response.headers["x-upstream"] { upstreams.insert(upstream) }
                        }
                        #expect(upstreams == ["127.0.0.1:\(first)", "127.0.0.1:\(second)"])
                        // The same report again through each instance is a duplicate on both.
                        for port in [first, second] {
                            let again = try await RawHTTP.request(
                                port: port, method: "POST", path: "/api/v1/reports",
                                headers: ["Authorization": "Bearer \(admin)", "Content-Type": "application/json"],
                                body: try encodeReport(reports[1]))
                            #expect(again.status == 200)
                        }
                        // Reads agree on both instances.
                        func get(_ port: Int, _ path: String) async throws -> String {
                            try await RawHTTP.request(port: port, method: "GET", path: path, headers: ["Authorization": "Bearer \(admin)"]).text
                        }
                        for id in agentIds {
                            let a = try await get(first, "/api/v1/agents/\(id)/reports")
                            let b = try await get(second, "/api/v1/agents/\(id)/reports")
                            #expect(a == b)
                            #expect(a.contains("report_id"))
                        }
                        for path in ["/api/v1/rollups?by=campaign", "/api/v1/agents?limit=1000"] {
                            let a = try await get(first, path)
                            let b = try await get(second, path)
                            #expect(a == b, "\(path) differs between instances")
                        }
                        // The admin audit trail is shared too: both instances list every admin write.
                        let auditA = try await RawHTTP.request(port: first, method: "GET", path: "/api/v1/audit?limit=1000", headers: ["Authorization": "Bearer \(admin)"])
                        let auditB = try await RawHTTP.request(port: second, method: "GET", path: "/api/v1/audit?limit=1000", headers: ["Authorization": "Bearer \(admin)"])
                        #expect(auditA.text == auditB.text)
                        let auditItems = auditA.json["items"] as? [[String: Any]] ?? []
                        // A campaign, 10 agents, an enrollment code, 9 reports posted as admin and 2 duplicates.
                        #expect(auditItems.count == 23)
                    }
                }
                outcome = .success(())
            } catch {
                outcome = .failure(error)
            }
            await secondStore.shutdown()
            try outcome.get()
        }
    }

    @Test("live updates through nginx: reports posted to either instance reach a dashboard stream on the other within 2 s")
    func liveUpdatesAcrossInstancesBehindNginx() async throws {
        guard TestBackend.available.contains(.postgres) else {
            try TestEnvironment.skip(because: "scale-out needs PostgreSQL (run under Scripts/with-postgres)")
        }
        try TestEnvironment.require([.nginx])
        try await Harness.with(.postgres) { h in
            let agent = try await DashboardLiveTests.makeAgent(h, "E-SCALE")
            let cookie = try await DashboardLiveTests.signIn(h)
            let a = try await LiveInstance.start(h.configuration)
            let b = try await LiveInstance.start(h.configuration)
            let balancer = try NginxBalancer(upstreams: [a.port, b.port])
            defer { balancer.stop() }
            // The dashboard's stream goes through nginx to one instance; reports go through nginx to both.
            let stream = try Subprocess.start([
                "curl", "-sN", "-H", "Cookie: hr_session=\(cookie)", "http://127.0.0.1:\(balancer.port)/events",
            ])
            defer { stream.stop() }
            _ = try await DashboardLiveTests.waitFor(": connected", in: { stream.log }, timeout: 5)
            // Both instances LISTEN before the first report (an instance starts listening just after it serves).
            try await Task.sleep(for: .milliseconds(500))
            var upstreams: Set<String> = []
            for index in 0..<6 {
                let report = sampleReport(employeeId: "E-SCALE", finishedAt: Date().addingTimeInterval(Double(index)))
                let response = try await RawHTTP.request(
                    port: balancer.port, method: "POST", path: "/api/v1/reports",
                    headers: ["Authorization": "Bearer \(h.adminToken)", "Content-Type": "application/json"],
                    body: try encodeReport(report))
                #expect(response.status == 201)
                if let upstream = response.headers["x-upstream"] { upstreams.insert(upstream) }
            }
            #expect(upstreams == ["127.0.0.1:\(a.port)", "127.0.0.1:\(b.port)"], "reports went through both instances")
            let lastSent = ContinuousClock.now
            let events = { stream.log.components(separatedBy: "event: report").count - 1 }
            let seconds = try await waitUntil(since: lastSent, timeout: 2) { events() >= 6 }
            #expect(seconds != nil, "2 s after the last report the stream had seen \(events()) of 6: \(stream.log)")
            #expect(stream.log.contains(agent.id))
            print("scale-out live: 6 reports through nginx over 2 instances, all on one stream \(seconds ?? -1) s after the last")
            await a.stop()
            await b.stop()
        }
    }
}
