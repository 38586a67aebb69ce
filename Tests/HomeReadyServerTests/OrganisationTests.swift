import Foundation
import Testing

@testable import HomeReadyServer

@Suite("Organisation and roster")
struct OrganisationTests {
    @Test("sites, campaigns, teams, roles and agents are created and listed", arguments: TestBackend.available)
    func createAndList(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            try await harness.withClient { api in
                let site = try await api.create("sites", ["name": "Leeds", "timezone": "Europe/London"])
                let campaign = try await api.create(
                    "campaigns",
                    ["name": "Billing", "profile_id": "linux-baseline", "cutover_date": "2026-12-01", "freshness_hours": 48])
                let team = try await api.create("teams", ["name": "Billing A", "site_id": site])
                let role = try await api.create("roles", ["name": "voice agent", "kit": ["laptop", "usb_headset"]])
                let agent = try await api.create(
                    "agents",
                    ["employee_id": "E100", "name": "Ada", "site_id": site, "campaign_id": campaign, "team_id": team,
                     "role_id": role, "contact": "ada@example.invalid"])
                let got = try await api.send(.get, "/api/v1/agents/\(agent)", token: api.planner)
                #expect(got.status == .ok)
                #expect(got.string("employee_id") == "E100")
                #expect(got.string("equipment_status") == "missing")
                let roles = try await api.send(.get, "/api/v1/roles", token: api.planner)
                #expect(roles.items.first?["kit"] as? [String] == ["laptop", "usb_headset"])
                let c = try await api.send(.get, "/api/v1/campaigns/\(campaign)", token: api.admin)
                #expect(c.json["freshness_hours"] as? Int == 48)
            }
        }
    }

    @Test("a duplicate employee id is a 409 problem naming the field", arguments: TestBackend.available)
    func duplicateEmployee(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            try await harness.withClient { api in
                _ = try await api.create("agents", ["employee_id": "E1", "name": "Ada"])
                let reply = try await api.send(.post, "/api/v1/agents", token: api.admin, json: ["employee_id": "E1", "name": "Bob"])
                #expect(reply.status == .conflict)
                #expect(reply.contentType == "application/problem+json")
                #expect(reply.string("field") == "employee_id")
                #expect(reply.json["status"] as? Int == 409)
            }
        }
    }

    @Test("bad input is a problem naming the field", arguments: TestBackend.available)
    func validation(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            try await harness.withClient { api in
                let missing = try await api.send(.post, "/api/v1/agents", token: api.admin, json: ["name": "Ada"])
                #expect(missing.status == .badRequest)
                #expect(missing.string("field") == "employee_id")
                let date = try await api.send(
                    .post, "/api/v1/campaigns", token: api.admin,
                    json: ["name": "X", "profile_id": "p", "cutover_date": "next week"])
                #expect(date.status == .unprocessableContent)
                #expect(date.string("field") == "cutover_date")
                let type = try await api.send(.post, "/api/v1/sites", token: api.admin, json: ["name": 5])
                #expect(type.string("field") == "name")
                let foreign = try await api.send(
                    .post, "/api/v1/agents", token: api.admin, json: ["employee_id": "E9", "name": "A", "site_id": "nope"])
                #expect(foreign.status == .unprocessableContent)
                let malformed = try await api.send(.post, "/api/v1/sites", token: api.admin, raw: Data("{".utf8))
                #expect(malformed.status == .badRequest)
                let limit = try await api.send(.get, "/api/v1/agents?limit=0", token: api.admin)
                #expect(limit.string("field") == "limit")
            }
        }
    }

    @Test("lists are paged with a cursor", arguments: TestBackend.available)
    func pagination(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            try await harness.withClient { api in
                for index in 0..<5 { _ = try await api.create("agents", ["employee_id": "E\(index)", "name": "A\(index)"]) }
                var seen: [String] = []
                var uri = "/api/v1/agents?limit=2"
                while true {
                    let page = try await api.send(.get, uri, token: api.admin)
                    seen += page.items.compactMap { $0["employee_id"] as? String }
                    guard let next = page.string("next") else { break }
                    uri = "/api/v1/agents?limit=2&after=\(next)"
                }
                #expect(seen.sorted() == ["E0", "E1", "E2", "E3", "E4"])
            }
        }
    }

    @Test("bodies over the limit are refused with 413", arguments: TestBackend.available)
    func sizeLimit(backend: TestBackend) async throws {
        try await Harness.with(backend, configure: { $0.maxJSONBytes = 100 }) { harness in
            try await harness.withClient { api in
                let reply = try await api.send(
                    .post, "/api/v1/sites", token: api.admin, json: ["name": String(repeating: "x", count: 500)])
                #expect(reply.status == .contentTooLarge)
                #expect(reply.contentType == "application/problem+json")
            }
        }
    }
}
