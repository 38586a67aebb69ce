import Foundation
import HomeReadyTestSupport
import Testing

@testable import HomeReadyServer

@Suite("Admin audit")
struct AdminAuditTests {
    @Test("every mutating admin request is audited with token, method, path, status and request id", arguments: TestBackend.available)
    func audited(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            try await harness.withClient { api in
                let site = try await api.send(.post, "/api/v1/sites", token: api.admin, json: ["name": "Leeds"])
                #expect(site.status == .created)
                let token = try await api.send(.post, "/api/v1/tokens", token: api.admin, json: ["role": "planner", "label": "ops"])
                #expect(token.status == .created)
                let agent = try await api.send(.post, "/api/v1/agents", token: api.admin, json: ["employee_id": "E1", "name": "Ada"])
                #expect(agent.status == .created)
                let bad = try await api.send(.post, "/api/v1/campaigns", token: api.admin, json: ["name": "C"])
                #expect(bad.status == .badRequest)
                let hook = try await api.send(
                    .post, "/api/v1/webhooks", token: api.admin, json: ["url": "http://127.0.0.1:9/hook", "events": ["agent.not_ready"]])
                // Not audited: reads, and writes by other roles or anonymous callers.
                _ = try await api.send(.get, "/api/v1/sites", token: api.admin)
                _ = try await api.send(.post, "/api/v1/sites", token: api.planner, json: ["name": "York"])
                _ = try await api.send(.post, "/api/v1/enroll", token: nil, json: ["code": "enr_x"])

                let trail = try await api.send(.get, "/api/v1/audit", token: api.admin)
                #expect(trail.status == .ok)
                let items = trail.items
                let seen = items.map { "\($0["method"] as? String ?? "") \($0["path"] as? String ?? "") \($0["status"] as? Int ?? 0)" }
                #expect(seen == [
                    "POST /api/v1/webhooks \(hook.status.code)",
                    "POST /api/v1/campaigns 400",
                    "POST /api/v1/agents 201",
                    "POST /api/v1/tokens 201",
                    "POST /api/v1/sites 201",
                ])
                for item in items {
                    #expect(item["token_label"] as? String == "test")
                    #expect((item["token_id"] as? String)?.isEmpty == false)
                    #expect((item["request_id"] as? String)?.isEmpty == false)
                    #expect(item["at"] is String)
                }
                // The audit trail itself never holds the secrets the responses returned.
                #expect(!trail.text.contains(token.string("token") ?? "?"))
            }
        }
    }

    @Test("the audit trail is admin only and pages newest first", arguments: TestBackend.available)
    func paging(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            try await harness.withClient { api in
                for name in ["A", "B", "C"] {
                    _ = try await api.send(.post, "/api/v1/sites", token: api.admin, json: ["name": name])
                }
                #expect(try await api.send(.get, "/api/v1/audit", token: api.planner).status == .forbidden)
                #expect(try await api.send(.get, "/api/v1/audit", token: nil).status == .unauthorized)
                var paths: [String] = []
                var cursor: String?
                var pages = 0
                repeat {
                    let query = "/api/v1/audit?limit=2" + (cursor.map { "&after=\($0)" } ?? "")
                    let page = try await api.send(.get, query, token: api.admin)
                    #expect(page.status == .ok)
                    paths += page.items.compactMap { $0["status"] as? Int }.map(String.init)
                    cursor = page.string("next")
                    pages += 1
                } while cursor != nil && pages < 5
                #expect(paths == ["201", "201", "201"])
                #expect(pages == 2)
            }
        }
    }

    @Test("concurrent admin writes are all audited without stalling the database", arguments: TestBackend.available)
    func concurrentWrites(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            try await harness.withLiveServer { port in
                let admin = harness.adminToken
                let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                    for index in 0..<24 {
                        group.addTask {
                            try await RawHTTP.json(
                                port: port, method: "POST", path: "/api/v1/sites", token: admin, json: ["name": "S\(index)"]
                            ).status
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(statuses.allSatisfy { $0 == 201 })
                let trail = try await RawHTTP.request(
                    port: port, method: "GET", path: "/api/v1/audit?limit=100", headers: ["Authorization": "Bearer \(admin)"])
                #expect((trail.json["items"] as? [[String: Any]])?.count == 24)
            }
        }
    }

    @Test("audit ids sort by time")
    func ids() {
        let early = SQLRepository.auditID(at: Date(timeIntervalSince1970: 5), sequence: 9)
        let same = SQLRepository.auditID(at: Date(timeIntervalSince1970: 5), sequence: 10)
        let late = SQLRepository.auditID(at: Date(timeIntervalSince1970: 1_800_000_000), sequence: 1)
        #expect(early < same)
        #expect(same < late)
        #expect(early.hasPrefix("0000000005000-0000000009-"))
    }
}
