import Foundation
import HTTPTypes
import HomeReadyModel
import HomeReadySigning
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import HomeReadyServer

/// A device enrolled with an Ed25519 key, as `homeready enroll` does.
struct SignedDevice: Sendable {
    let token: String
    let deviceId: String
    let key: DeviceKey

    static func enroll(_ api: APIClient, employeeId: String) async throws -> SignedDevice {
        let key = DeviceKey()
        let code = try await api.send(.post, "/api/v1/enrollment-codes", token: api.admin, json: ["employee_id": employeeId])
        let enrolled = try await api.send(
            .post, "/api/v1/enroll", token: nil,
            json: ["code": code.string("code") ?? "", "public_key": key.publicKeyBase64, "hostname": "laptop"])
        guard let token = enrolled.string("token"), let id = enrolled.string("device_id") else {
            throw TestFailure("enroll failed: \(enrolled.text)")
        }
        return SignedDevice(token: token, deviceId: id, key: key)
    }

    /// Posts `body` signed with `signer`'s key (default: this device's), naming `deviceHeader`.
    func post(_ api: APIClient, _ body: Data, signer: DeviceKey? = nil, deviceHeader: String? = nil, signed: Bool = true)
        async throws -> APIClient.Reply
    {
        var headers: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "application/json"]
        if signed {
            headers[HTTPField.Name(ReportSignature.deviceHeader)!] = deviceHeader ?? deviceId
            headers[HTTPField.Name(ReportSignature.signatureHeader)!] = try ReportSignature.sign(body: body, with: signer ?? key)
        }
        let response = try await api.client.execute(
            uri: "/api/v1/reports", method: .post, headers: headers, body: ByteBuffer(bytes: body))
        return APIClient.Reply(
            status: response.status, body: Data(response.body.readableBytesView), contentType: response.headers[.contentType])
    }
}

@Suite("Devices: signed reports, replay, clock skew, revocation, profile, equipment")
struct DeviceTests {
    @Test("a signed report is stored once; a re-upload is a 200 duplicate and the signature is kept", arguments: TestBackend.available)
    func signedReportIsStoredOnce(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            try await harness.withClient { api in
                _ = try await api.create("agents", ["employee_id": "E1", "name": "Ada"])
                let device = try await SignedDevice.enroll(api, employeeId: "E1")
                let body = try encodeReport(sampleReport(employeeId: "E1", finishedAt: Date()))
                let first = try await device.post(api, body)
                #expect(first.status == .created, "\(first.text)")
                let again = try await device.post(api, body)
                #expect(again.status == .ok)
                #expect(again.json["duplicate"] as? Bool == true)
                let stored = try await harness.store.withConnection { db in
                    try await db.raw("SELECT COUNT(*) AS n FROM reports WHERE signature IS NOT NULL").first()?.decode(column: "n", as: Int.self)
                }
                #expect(stored == 1)
            }
        }
    }

    @Test("wrong key, missing signature, device header mismatch: refused with a problem that says why", arguments: TestBackend.available)
    func badSignaturesAreRefused(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            try await harness.withClient { api in
                _ = try await api.create("agents", ["employee_id": "E1", "name": "Ada"])
                let device = try await SignedDevice.enroll(api, employeeId: "E1")
                let body = try encodeReport(sampleReport(employeeId: "E1", finishedAt: Date()))
                let wrongKey = try await device.post(api, body, signer: DeviceKey())
                #expect(wrongKey.status == .forbidden)
                #expect(wrongKey.contentType == "application/problem+json")
                #expect(wrongKey.string("title") == "Invalid signature")
                let unsigned = try await device.post(api, body, signed: false)
                #expect(unsigned.status == .unauthorized)
                #expect(unsigned.string("detail")?.contains("X-HomeReady-Signature") == true)
                let mismatch = try await device.post(api, body, deviceHeader: "someone-else")
                #expect(mismatch.status == .forbidden)
                #expect(mismatch.string("title") == "Device mismatch")
                // An altered body fails against the original signature.
                var tampered = body
                tampered.append(contentsOf: Array(" ".utf8))
                let signature = try ReportSignature.sign(body: body, with: device.key)
                #expect(!ReportSignature.verify(body: tampered, signature: signature, publicKey: device.key.publicKeyBase64))
                let list = try await api.send(.get, "/api/v1/agents/\(try #require(await harness.repository.agent(employeeId: "E1")).id)/reports", token: api.admin)
                #expect(list.items.isEmpty)
            }
        }
    }

    @Test("reports dated beyond the allowed clock skew are refused naming started_at", arguments: TestBackend.available)
    func clockSkew(backend: TestBackend) async throws {
        try await Harness.with(backend, configure: { $0.maxReportAgeSeconds = 24 * 3600 }) { harness in
            try await harness.withClient { api in
                _ = try await api.create("agents", ["employee_id": "E1", "name": "Ada"])
                let device = try await SignedDevice.enroll(api, employeeId: "E1")
                let old = try await device.post(api, try encodeReport(sampleReport(employeeId: "E1", finishedAt: Date().addingTimeInterval(-30 * 3600))))
                #expect(old.status == .unprocessableContent)
                #expect(old.string("field") == "started_at")
                #expect(old.string("title") == "Clock skew")
                #expect(old.string("detail")?.contains("before the server's clock") == true)
                let future = try await device.post(api, try encodeReport(sampleReport(employeeId: "E1", finishedAt: Date().addingTimeInterval(3600))))
                #expect(future.status == .unprocessableContent)
                #expect(future.string("detail")?.contains("ahead of the server's clock") == true)
                let fine = try await device.post(api, try encodeReport(sampleReport(employeeId: "E1", finishedAt: Date().addingTimeInterval(-20 * 3600))))
                #expect(fine.status == .created, "\(fine.text)")
            }
        }
    }

    @Test("a report stored from one device cannot be replayed by another", arguments: TestBackend.available)
    func replayFromAnotherDevice(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            try await harness.withClient { api in
                _ = try await api.create("agents", ["employee_id": "E1", "name": "Ada"])
                let laptop = try await SignedDevice.enroll(api, employeeId: "E1")
                let second = try await SignedDevice.enroll(api, employeeId: "E1")
                let body = try encodeReport(sampleReport(employeeId: "E1", finishedAt: Date()))
                #expect(try await laptop.post(api, body).status == .created)
                let replay = try await second.post(api, body)
                #expect(replay.status == .conflict)
                #expect(replay.string("title") == "Replayed report")
                // Replaying the first device's signature under the second device's identity fails the signature.
                let stolen = try await second.post(api, body, signer: laptop.key)
                #expect(stolen.status == .forbidden)
            }
        }
    }

    @Test("a revoked device can no longer report; only admins revoke", arguments: TestBackend.available)
    func revocation(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            try await harness.withClient { api in
                _ = try await api.create("agents", ["employee_id": "E1", "name": "Ada"])
                let device = try await SignedDevice.enroll(api, employeeId: "E1")
                let asPlanner = try await api.send(.post, "/api/v1/devices/\(device.deviceId)/revoke", token: api.planner, json: [:] as [String: String])
                #expect(asPlanner.status == .forbidden)
                let revoked = try await api.send(
                    .post, "/api/v1/devices/\(device.deviceId)/revoke", token: api.admin, json: ["reason": "laptop stolen"])
                #expect(revoked.status == .ok, "\(revoked.text)")
                #expect(revoked.string("revoked_at") != nil)
                let missing = try await api.send(.post, "/api/v1/devices/nope/revoke", token: api.admin, json: [:] as [String: String])
                #expect(missing.status == .notFound)
                let refused = try await device.post(api, try encodeReport(sampleReport(employeeId: "E1", finishedAt: Date())))
                #expect(refused.status == .unauthorized)
                let record = try await harness.repository.device(id: device.deviceId)
                #expect(record?.revokedAt != nil)
            }
        }
    }

    @Test("an enrolled device fetches its campaign's profile with an ETag; 304 when unchanged", arguments: TestBackend.available)
    func assignedProfile(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            try await harness.withClient { api in
                let campaign = try await api.create(
                    "campaigns", ["name": "Voice", "profile_id": "inbound-voice", "cutover_date": "2026-12-01"])
                _ = try await api.create("agents", ["employee_id": "E1", "name": "Ada", "campaign_id": campaign])
                _ = try await api.create("agents", ["employee_id": "E2", "name": "Bob"])
                let device = try await SignedDevice.enroll(api, employeeId: "E1")
                let reply = try await api.send(.get, "/api/v1/device/profile", token: device.token)
                #expect(reply.status == .ok, "\(reply.text)")
                #expect(reply.string("profile_id") == "inbound-voice")
                #expect(reply.string("yaml")?.contains("id: inbound-voice") == true)
                let etag = try #require(reply.string("etag"))
                let again = try await api.client.execute(
                    uri: "/api/v1/device/profile", method: .get,
                    headers: [.authorization: "Bearer \(device.token)", .ifNoneMatch: "\"\(etag)\""])
                #expect(again.status == .notModified)
                let other = try await SignedDevice.enroll(api, employeeId: "E2")
                let none = try await api.send(.get, "/api/v1/device/profile", token: other.token)
                #expect(none.status == .notFound)
                #expect(none.string("detail")?.contains("no campaign") == true)
                let admin = try await api.send(.get, "/api/v1/device/profile", token: api.admin)
                #expect(admin.status == .forbidden)
            }
        }
    }

    @Test("a report showing the headset and wired link verifies the delivered items, audited as the device", arguments: TestBackend.available)
    func equipmentVerifiedByReport(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            try await harness.withClient { api in
                let agent = try await api.agentInCampaign("E1", profileId: "inbound-voice")
                func item(_ kind: String, _ events: [[String: String]]) async throws -> String {
                    let id = try await api.create("equipment", ["kind": kind, "agent_id": agent])
                    for event in events {
                        let reply = try await api.send(.post, "/api/v1/equipment/\(id)/events", token: api.admin, json: event)
                        #expect(reply.status == .ok, "\(reply.text)")
                    }
                    return id
                }
                let delivered = [["event": "allocate"], ["event": "ship", "carrier": "DHL", "tracking_number": "T1"], ["event": "deliver"]]
                let headset = try await item("headset", delivered)
                let wired = try await item("wired_link", delivered + [["event": "accept"]])
                let webcam = try await item("webcam", delivered)
                let shipped = try await item("usb_headset", Array(delivered.prefix(2)))
                let device = try await SignedDevice.enroll(api, employeeId: "E1")
                var report = try await completeReport(for: agent, employeeId: "E1", repository: harness.repository)
                report.equipment = [
                    EquipmentResult(kind: "usb_headset", present: true, detail: "Jabra", required: true),
                    EquipmentResult(kind: "wired_link", present: true, detail: "eth0 up", required: true),
                    EquipmentResult(kind: "webcam", present: false, detail: "none", required: nil),
                ]
                #expect(try await device.post(api, try encodeReport(report)).status == .created)
                func state(_ id: String) async throws -> String? {
                    try await api.send(.get, "/api/v1/equipment/\(id)", token: api.admin).string("state")
                }
                #expect(try await state(headset) == "verified")
                #expect(try await state(wired) == "verified")
                #expect(try await state(webcam) == "delivered")
                #expect(try await state(shipped) == "shipped")
                let audit = try await api.send(.get, "/api/v1/equipment/\(headset)/audit", token: api.admin)
                #expect(audit.items.last?["actor"] as? String == "device:\(device.deviceId)")
                #expect(audit.items.last?["to_state"] as? String == "verified")
            }
        }
    }
}
