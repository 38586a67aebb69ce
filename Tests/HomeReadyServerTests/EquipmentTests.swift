import Foundation
import Testing

@testable import HomeReadyServer

@Suite("Equipment")
struct EquipmentTests {
    @Test("an item walks its lifecycle through the API with an audit log", arguments: TestBackend.available)
    func lifecycle(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            try await harness.withClient { api in
                let agent = try await api.create("agents", ["employee_id": "E1", "name": "Ada"])
                let item = try await api.create(
                    "equipment", ["kind": "usb_headset", "model": "Jabra Evolve2 40", "asset_tag": "AT-1", "agent_id": agent])
                for event in [
                    ["event": "allocate"], ["event": "ship", "carrier": "DHL", "tracking_number": "JD01"],
                    ["event": "deliver"], ["event": "accept", "note": "arrived fine"], ["event": "verify"],
                ] {
                    let reply = try await api.send(.post, "/api/v1/equipment/\(item)/events", token: api.admin, json: event)
                    #expect(reply.status == .ok, "\(event): \(reply.text)")
                }
                let got = try await api.send(.get, "/api/v1/equipment/\(item)", token: api.planner)
                #expect(got.string("state") == "verified")
                #expect(got.string("tracking_number") == "JD01")
                let audit = try await api.send(.get, "/api/v1/equipment/\(item)/audit", token: api.planner)
                #expect(audit.items.map { $0["to_state"] as? String } == ["requested", "allocated", "shipped", "delivered", "accepted", "verified"])
                #expect(audit.items[4]["note"] as? String == "arrived fine")
                #expect((audit.items[1]["actor"] as? String)?.hasPrefix("admin:") == true)
            }
        }
    }

    @Test("an impossible transition is refused with a clear 409", arguments: TestBackend.available)
    func impossible(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            try await harness.withClient { api in
                let item = try await api.create("equipment", ["kind": "laptop"])
                let reply = try await api.send(.post, "/api/v1/equipment/\(item)/events", token: api.admin, json: ["event": "deliver"])
                #expect(reply.status == .conflict)
                #expect(reply.string("detail")?.contains("cannot deliver an item that is requested") == true)
                _ = try await api.send(.post, "/api/v1/equipment/\(item)/events", token: api.admin, json: ["event": "allocate"])
                let ship = try await api.send(.post, "/api/v1/equipment/\(item)/events", token: api.admin, json: ["event": "ship"])
                #expect(ship.string("field") == "carrier")
                let unknown = try await api.send(.post, "/api/v1/equipment/\(item)/events", token: api.admin, json: ["event": "explode"])
                #expect(unknown.status == .badRequest)
                #expect(unknown.string("field") == "event")
            }
        }
    }

    @Test("a faulty item gets a requested replacement", arguments: TestBackend.available)
    func replacement(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            try await harness.withClient { api in
                let agent = try await api.create("agents", ["employee_id": "E1", "name": "Ada"])
                let item = try await api.create("equipment", ["kind": "laptop", "agent_id": agent])
                _ = try await api.send(.post, "/api/v1/equipment/\(item)/events", token: api.admin, json: ["event": "allocate"])
                let faulty = try await api.send(
                    .post, "/api/v1/equipment/\(item)/events", token: api.admin, json: ["event": "report_faulty", "note": "no boot"])
                #expect(faulty.string("state") == "faulty")
                let items = try await api.send(.get, "/api/v1/equipment?agent_id=\(agent)", token: api.admin)
                let replacement = items.items.first { $0["replaces_id"] as? String == item }
                #expect(replacement?["state"] as? String == "requested")
            }
        }
    }

    @Test("kits are issued per role, one agent or many in bulk", arguments: TestBackend.available)
    func kits(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            try await harness.withClient { api in
                let role = try await api.create("roles", ["name": "voice", "kit": ["laptop", "usb_headset", "ups"]])
                var agents: [String] = []
                for index in 0..<20 {
                    agents.append(try await api.create("agents", ["employee_id": "E\(index)", "name": "A", "role_id": role]))
                }
                let one = try await api.send(.post, "/api/v1/agents/\(agents[0])/kit", token: api.admin)
                #expect(one.status == .created)
                #expect(one.items.count == 3)
                let bulk = try await api.send(.post, "/api/v1/kits/bulk", token: api.admin, json: ["agent_ids": agents])
                #expect(bulk.status == .created)
                #expect(bulk.items.count == 19 * 3)  // the first agent already holds its kit
                let bad = try await api.send(.post, "/api/v1/kits/bulk", token: api.admin, json: ["agent_ids": ["nope"]])
                #expect(bad.status == .unprocessableContent)
            }
        }
    }

    @Test("shipments not delivered after N days are listed as overdue", arguments: TestBackend.available)
    func overdue(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            let repository = harness.repository
            let old = try await repository.createItem(NewItem(kind: "laptop"), actor: "test")
            let recent = try await repository.createItem(NewItem(kind: "ups"), actor: "test")
            let tenDaysAgo = Date().addingTimeInterval(-10 * 86_400)
            for (item, at) in [(old, tenDaysAgo), (recent, Date())] {
                _ = try await repository.applyEvent(itemId: item.id, event: .init(.allocate), actor: "t", at: at)
                _ = try await repository.applyEvent(
                    itemId: item.id, event: .init(.ship, carrier: "UPS", trackingNumber: "1Z"), actor: "t", at: at)
            }
            // Five more, three of them shipped in the same millisecond: pages by shipment time, then id.
            let sameTime = Date().addingTimeInterval(-8 * 86_400)
            var more: [(Date, String)] = []
            for (index, at) in [sameTime, sameTime, sameTime, tenDaysAgo.addingTimeInterval(-86_400), sameTime.addingTimeInterval(60)].enumerated() {
                let item = try await repository.createItem(NewItem(kind: "headset-\(index)"), actor: "test")
                _ = try await repository.applyEvent(itemId: item.id, event: .init(.allocate), actor: "t", at: at)
                _ = try await repository.applyEvent(
                    itemId: item.id, event: .init(.ship, carrier: "UPS", trackingNumber: "1Z\(index)"), actor: "t", at: at)
                more.append((Date(timeIntervalSince1970: (at.timeIntervalSince1970 * 1000).rounded(.down) / 1000), item.id))
            }
            let expected = ([(Date(timeIntervalSince1970: (tenDaysAgo.timeIntervalSince1970 * 1000).rounded(.down) / 1000), old.id)] + more)
                .sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map(\.1)
            try await harness.withClient { api in
                let reply = try await api.send(.get, "/api/v1/equipment/overdue?days=5", token: api.planner)
                #expect(reply.items.map { $0["id"] as? String } == expected)
                #expect(reply.json["next"] == nil || reply.json["next"] is NSNull, "one page holds them all")
                // Pages of two, each from the `next` of the one before.
                var paged: [String] = []
                var cursor: String?
                repeat {
                    let uri = "/api/v1/equipment/overdue?days=5&limit=2" + (cursor.map { "&after=\($0)" } ?? "")
                    let page = try await api.send(.get, uri, token: api.planner)
                    #expect(page.status == .ok)
                    paged += page.items.compactMap { $0["id"] as? String }
                    cursor = page.json["next"] as? String
                } while cursor != nil && paged.count < 20
                #expect(paged == expected)
                let unknown = try await api.send(.get, "/api/v1/equipment/overdue?after=nope", token: api.planner)
                #expect(unknown.status == .unprocessableContent)
                #expect(unknown.json["field"] as? String == "after")
            }
        }
    }
}
