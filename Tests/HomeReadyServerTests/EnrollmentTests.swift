import Crypto
import Foundation
import Testing

@testable import HomeReadyServer

@Suite("Enrollment")
struct EnrollmentTests {
    @Test("a code is traded once for a device holding the Ed25519 public key", arguments: TestBackend.available)
    func singleUse(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            try await harness.withClient { api in
                let campaign = try await api.create(
                    "campaigns", ["name": "C", "profile_id": "voice-strict", "cutover_date": "2026-12-01"])
                let agent = try await api.create("agents", ["employee_id": "E1", "name": "Ada", "campaign_id": campaign])
                let key = Curve25519.Signing.PrivateKey().publicKey.rawRepresentation.base64EncodedString()
                let code = try await api.send(.post, "/api/v1/enrollment-codes", token: api.admin, json: ["employee_id": "E1"])
                #expect(code.status == .created)
                let secret = try #require(code.string("code"))
                let first = try await api.send(.post, "/api/v1/enroll", token: nil, json: ["code": secret, "public_key": key, "hostname": "h"])
                #expect(first.status == .created)
                #expect(first.string("agent_id") == agent)
                #expect(first.string("profile_id") == "voice-strict")
                let deviceId = try #require(first.string("device_id"))
                let device = try await harness.repository.device(id: deviceId)
                #expect(device?.publicKey == key)
                let again = try await api.send(.post, "/api/v1/enroll", token: nil, json: ["code": secret, "public_key": key])
                #expect(again.status == .forbidden)
                #expect(again.string("field") == "code")
                let token = try #require(first.string("token"))
                let me = try await api.send(.get, "/api/v1/agents/\(agent)", token: token)
                #expect(me.status == .ok)
            }
        }
    }

    @Test("expired codes, unknown codes and malformed keys are refused", arguments: TestBackend.available)
    func refused(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            let agent = try await harness.repository.createAgent(NewAgent(employeeId: "E1", name: "Ada"))
            let expired = Tokens.generate(prefix: "enr_")
            try await harness.repository.createEnrollmentCode(
                hash: Tokens.hash(expired), agentId: agent.id, expiresAt: Date().addingTimeInterval(-1),
                at: Date().addingTimeInterval(-3600))
            try await harness.withClient { api in
                let old = try await api.send(.post, "/api/v1/enroll", token: nil, json: ["code": expired])
                #expect(old.status == .forbidden)
                let unknown = try await api.send(.post, "/api/v1/enroll", token: nil, json: ["code": "enr_nothing"])
                #expect(unknown.status == .forbidden)
                let code = try await api.send(.post, "/api/v1/enrollment-codes", token: api.admin, json: ["employee_id": "E1"])
                let bad = try await api.send(
                    .post, "/api/v1/enroll", token: nil, json: ["code": code.string("code")!, "public_key": "AAAA"])
                #expect(bad.status == .unprocessableContent)
                #expect(bad.string("field") == "public_key")
                let nobody = try await api.send(.post, "/api/v1/enrollment-codes", token: api.admin, json: ["employee_id": "E404"])
                #expect(nobody.string("field") == "employee_id")
            }
        }
    }

    @Test("two concurrent enrollments with one code: exactly one wins", arguments: TestBackend.available)
    func race(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            let agent = try await harness.repository.createAgent(NewAgent(employeeId: "E1", name: "Ada"))
            let code = Tokens.generate(prefix: "enr_")
            try await harness.repository.createEnrollmentCode(
                hash: Tokens.hash(code), agentId: agent.id, expiresAt: Date().addingTimeInterval(3600), at: Date())
            let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await harness.repository.enroll(
                            codeHash: Tokens.hash(code), publicKey: nil, hostname: nil,
                            tokenHash: Tokens.hash(Tokens.generate()), at: Date()) != nil
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(wins == 1)
        }
    }
}
