import Foundation
import HomeReadyModel
import HTTPTypes
import Testing

@testable import HomeReadyServer

/// Who may and who may not, endpoint by endpoint.
@Suite("Access control")
struct AccessTests {
    enum Caller: String, CaseIterable, Sendable { case anonymous, badToken, planner, device, admin }

    struct Rule: Sendable, CustomTestStringConvertible {
        let method: String
        let path: String
        /// Callers allowed; everyone else gets 401 (no/bad token) or 403.
        let allowed: Set<Caller>
        var testDescription: String { "\(method) \(path)" }
    }

    /// `{agent}` is the device's own agent, `{other}` another agent, `{item}` an item of the device's agent.
    static let rules: [Rule] = [
        Rule(method: "GET", path: "/api/v1/sites", allowed: [.admin, .planner]),
        Rule(method: "POST", path: "/api/v1/sites", allowed: [.admin]),
        Rule(method: "GET", path: "/api/v1/campaigns", allowed: [.admin, .planner]),
        Rule(method: "POST", path: "/api/v1/campaigns", allowed: [.admin]),
        Rule(method: "GET", path: "/api/v1/teams", allowed: [.admin, .planner]),
        Rule(method: "POST", path: "/api/v1/teams", allowed: [.admin]),
        Rule(method: "GET", path: "/api/v1/roles", allowed: [.admin, .planner]),
        Rule(method: "POST", path: "/api/v1/roles", allowed: [.admin]),
        Rule(method: "GET", path: "/api/v1/agents", allowed: [.admin, .planner]),
        Rule(method: "POST", path: "/api/v1/agents", allowed: [.admin]),
        Rule(method: "GET", path: "/api/v1/agents/{agent}", allowed: [.admin, .planner, .device]),
        Rule(method: "GET", path: "/api/v1/agents/{other}", allowed: [.admin, .planner]),
        Rule(method: "GET", path: "/api/v1/agents/{agent}/readiness", allowed: [.admin, .planner, .device]),
        Rule(method: "GET", path: "/api/v1/agents/{other}/readiness", allowed: [.admin, .planner]),
        Rule(method: "GET", path: "/api/v1/agents/{agent}/reports", allowed: [.admin, .planner, .device]),
        Rule(method: "GET", path: "/api/v1/agents/{other}/checks", allowed: [.admin, .planner]),
        Rule(method: "POST", path: "/api/v1/agents/{agent}/kit", allowed: [.admin]),
        Rule(method: "POST", path: "/api/v1/kits/bulk", allowed: [.admin]),
        Rule(method: "GET", path: "/api/v1/equipment", allowed: [.admin, .planner]),
        Rule(method: "POST", path: "/api/v1/equipment", allowed: [.admin]),
        Rule(method: "GET", path: "/api/v1/equipment/overdue", allowed: [.admin, .planner]),
        Rule(method: "GET", path: "/api/v1/equipment/{item}/audit", allowed: [.admin, .planner]),
        Rule(method: "POST", path: "/api/v1/tokens", allowed: [.admin]),
        Rule(method: "POST", path: "/api/v1/enrollment-codes", allowed: [.admin]),
        Rule(method: "POST", path: "/api/v1/reports", allowed: [.admin, .device]),
        Rule(method: "GET", path: "/api/v1/rollups", allowed: [.admin, .planner]),
        Rule(method: "GET", path: "/api/v1/history", allowed: [.admin, .planner]),
        Rule(method: "POST", path: "/api/v1/snapshots", allowed: [.admin]),
        Rule(method: "POST", path: "/api/v1/campaigns/{campaign}/capacity", allowed: [.admin, .planner]),
        // Browser self-test links (issue 17): IT only.
        Rule(method: "POST", path: "/api/v1/agents/{agent}/self-test-links", allowed: [.admin]),
        Rule(method: "GET", path: "/api/v1/agents/{agent}/self-test-links", allowed: [.admin]),
        Rule(method: "POST", path: "/api/v1/campaigns/{campaign}/self-test-links.csv", allowed: [.admin]),
        Rule(method: "PATCH", path: "/api/v1/campaigns/{campaign}", allowed: [.admin]),
        Rule(method: "DELETE", path: "/api/v1/self-test-links/stl_none", allowed: [.admin]),
        // Readiness statements (issue 20): read like the agent's readiness; the key is public.
        Rule(method: "GET", path: "/api/v1/agents/{agent}/readiness-statement", allowed: [.admin, .planner, .device]),
        Rule(method: "GET", path: "/api/v1/agents/{other}/readiness-statement", allowed: [.admin, .planner]),
        Rule(method: "GET", path: "/api/v1/readiness-key", allowed: [.anonymous, .planner, .device, .admin]),
    ]

    @Test("each endpoint admits exactly its roles", arguments: TestBackend.available)
    func matrix(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            try await harness.withClient { api in
                let campaign = try await api.create(
                    "campaigns", ["name": "C", "profile_id": "linux-baseline", "cutover_date": "2026-12-01"])
                let agent = try await api.create("agents", ["employee_id": "E1", "name": "Ada", "campaign_id": campaign])
                let other = try await api.create("agents", ["employee_id": "E2", "name": "Bob"])
                let item = try await api.create("equipment", ["kind": "laptop", "agent_id": agent])
                let device = try await enrollDevice(api, employeeId: "E1")
                for rule in Self.rules {
                    let path = rule.path.replacingOccurrences(of: "{agent}", with: agent)
                        .replacingOccurrences(of: "{other}", with: other).replacingOccurrences(of: "{item}", with: item)
                        .replacingOccurrences(of: "{campaign}", with: campaign)
                    for caller in Caller.allCases {
                        let token: String? =
                            switch caller {
                            case .anonymous: nil
                            case .badToken: Tokens.generate()
                            case .planner: api.planner
                            case .device: device
                            case .admin: api.admin
                            }
                        // An empty body: allowed callers get past authorization and fail validation (4xx other
                        // than 401/403) or succeed; others are refused before the body is read.
                        let reply = try await api.send(
                            HTTPRequest.Method(rule.method) ?? .post, path, token: token,
                            json: rule.method == "GET" ? nil : [String: String]())
                        let code = reply.status.code
                        if rule.allowed.contains(caller) {
                            #expect(code != 401 && code != 403, "\(caller) \(rule.method) \(rule.path) got \(code)")
                        } else if caller == .anonymous || caller == .badToken {
                            #expect(code == 401, "\(caller) \(rule.method) \(rule.path) got \(code)")
                        } else {
                            #expect(code == 403, "\(caller) \(rule.method) \(rule.path) got \(code)")
                        }
                    }
                }
            }
        }
    }

    @Test("a device may accept its own agent's items and nothing else", arguments: TestBackend.available)
    func deviceEquipment(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            try await harness.withClient { api in
                let agent = try await api.create("agents", ["employee_id": "E1", "name": "Ada"])
                let other = try await api.create("agents", ["employee_id": "E2", "name": "Bob"])
                let mine = try await api.create("equipment", ["kind": "laptop", "agent_id": agent])
                let theirs = try await api.create("equipment", ["kind": "laptop", "agent_id": other])
                for item in [mine, theirs] {
                    for event in [["event": "allocate"], ["event": "ship", "carrier": "DHL", "tracking_number": "1"], ["event": "deliver"]] {
                        _ = try await api.send(.post, "/api/v1/equipment/\(item)/events", token: api.admin, json: event)
                    }
                }
                let device = try await enrollDevice(api, employeeId: "E1")
                let accept = try await api.send(.post, "/api/v1/equipment/\(mine)/events", token: device, json: ["event": "accept"])
                #expect(accept.status == .ok)
                let foreign = try await api.send(.post, "/api/v1/equipment/\(theirs)/events", token: device, json: ["event": "accept"])
                #expect(foreign.status == .forbidden)
                let verify = try await api.send(.post, "/api/v1/equipment/\(mine)/events", token: device, json: ["event": "verify"])
                #expect(verify.status == .forbidden)
            }
        }
    }
}

/// Enrolls a device for an employee and returns its token.
func enrollDevice(_ api: APIClient, employeeId: String, publicKey: String? = nil) async throws -> String {
    let code = try await api.send(.post, "/api/v1/enrollment-codes", token: api.admin, json: ["employee_id": employeeId])
    guard let secret = code.string("code") else { throw TestFailure("no code: \(code.text)") }
    var body: [String: Any] = ["code": secret, "hostname": "laptop-\(employeeId)"]
    if let publicKey { body["public_key"] = publicKey }
    let enrolled = try await api.send(.post, "/api/v1/enroll", token: nil, json: body)
    guard let token = enrolled.string("token") else { throw TestFailure("enroll failed: \(enrolled.text)") }
    return token
}
