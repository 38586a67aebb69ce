import Foundation
import HomeReadyModel
import HomeReadyTestSupport
import Testing

@testable import HomeReadyServer

@Suite("Shipments CSV import")
struct ShipmentTests {
    @Test("shipments create or update items by asset tag and drive them through the lifecycle, audited",
          arguments: TestBackend.available)
    func imports(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            try await harness.withClient { api in
                _ = try await api.create("agents", ["employee_id": "E1", "name": "Ada"])
                let existing = try await api.create("equipment", ["kind": "ups", "asset_tag": "AT-3"])
                let csv = """
                    asset_tag,kind,model,employee_id,carrier,tracking_number,shipped_at,delivered_at,note
                    AT-1,laptop,T14,E1,DHL,JD0001,2026-11-20,,
                    AT-2,usb_headset,,E1,UPS,1Z999,2026-11-19,2026-11-21T10:00:00Z,left at the door
                    AT-3,,APC 700,E1,,,,,

                    """
                let dry = try await api.send(.post, "/api/v1/import/shipments?dry_run=true", token: api.admin, raw: Data(csv.utf8))
                #expect(dry.status == .ok, "\(dry.text)")
                #expect(dry.json["created"] as? Int == 2 && dry.json["updated"] as? Int == 1)
                #expect(dry.json["dry_run"] as? Bool == true)
                #expect(try await api.send(.get, "/api/v1/equipment", token: api.admin).items.count == 1)

                let done = try await api.send(.post, "/api/v1/import/shipments", token: api.admin, raw: Data(csv.utf8))
                #expect(done.status == .ok, "\(done.text)")
                #expect(done.json["created"] as? Int == 2 && done.json["updated"] as? Int == 1)
                let items = try await api.send(.get, "/api/v1/equipment", token: api.admin).items
                func item(_ tag: String) -> [String: Any]? { items.first { $0["asset_tag"] as? String == tag } }
                #expect(item("AT-1")?["state"] as? String == "shipped")
                #expect(item("AT-1")?["carrier"] as? String == "DHL")
                #expect(item("AT-1")?["shipped_at"] as? String == "2026-11-20T00:00:00Z")
                #expect(item("AT-2")?["state"] as? String == "delivered")
                #expect(item("AT-2")?["delivered_at"] as? String == "2026-11-21T10:00:00Z")
                #expect(item("AT-3")?["state"] as? String == "requested")
                #expect(item("AT-3")?["model"] as? String == "APC 700")
                #expect(item("AT-3")?["agent_id"] as? String != nil)
                let id = try #require(item("AT-2")?["id"] as? String)
                let audit = try await api.send(.get, "/api/v1/equipment/\(id)/audit", token: api.planner).items
                #expect(audit.map { $0["to_state"] as? String } == ["requested", "allocated", "shipped", "delivered"])
                #expect(audit.last?["note"] as? String == "left at the door")
                #expect(try await api.send(.get, "/api/v1/equipment/\(existing)", token: api.admin).string("state") == "requested")

                // Importing the same file again changes nothing: every item is already where the file says.
                let again = try await api.send(.post, "/api/v1/import/shipments", token: api.admin, raw: Data(csv.utf8))
                #expect(again.json["created"] as? Int == 0 && again.json["updated"] as? Int == 3)
                #expect(try await api.send(.get, "/api/v1/equipment/\(id)/audit", token: api.planner).items.count == 4)
            }
        }
    }

    @Test("every bad row is reported by line and column and nothing is imported", arguments: TestBackend.available)
    func refusesBadRows(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            try await harness.withClient { api in
                let lost = try await api.create("equipment", ["kind": "laptop", "asset_tag": "AT-L"])
                for event in [["event": "allocate"], ["event": "ship", "carrier": "DHL", "tracking_number": "X"], ["event": "report_lost"]] {
                    _ = try await api.send(.post, "/api/v1/equipment/\(lost)/events", token: api.admin, json: event)
                }
                let before = try await api.send(.get, "/api/v1/equipment", token: api.admin).items.count
                let csv = """
                    asset_tag,kind,employee_id,carrier,tracking_number,shipped_at,delivered_at
                    AT-9,laptop,E404,DHL,X1,2026-11-20,
                    AT-10,,,,,,
                    AT-11,laptop,,DHL,,2026-11-20,
                    AT-12,laptop,,DHL,X2,2026-13-45,
                    AT-13,laptop,,DHL,X3,2026-11-20,2026-11-10
                    AT-L,,,DHL,X4,2026-11-22,
                    AT-14,laptop,,DHL,X5,2026-11-20,
                    AT-9,laptop,,DHL,X6,2026-11-20,

                    """
                for dryRun in [true, false] {
                    let reply = try await api.send(
                        .post, "/api/v1/import/shipments\(dryRun ? "?dry_run=true" : "")", token: api.admin, raw: Data(csv.utf8))
                    #expect(reply.status == .unprocessableContent)
                    let errors = reply.json["errors"] as? [[String: Any]] ?? []
                    #expect(
                        errors.map { "\($0["line"] as? Int ?? 0):\($0["column"] as? String ?? "")" }
                            == ["2:employee_id", "3:kind", "4:tracking_number", "5:shipped_at", "6:delivered_at", "7:shipped_at", "9:asset_tag"],
                        "\(reply.text)")
                    #expect(reply.json["created"] as? Int == 0)
                }
                #expect(try await api.send(.get, "/api/v1/equipment", token: api.admin).items.count == before)
                let header = try await api.send(.post, "/api/v1/import/shipments", token: api.admin, raw: Data("kind,colour\nx,y\n".utf8))
                #expect((header.json["errors"] as? [[String: Any]])?.map { $0["column"] as? String } == ["asset_tag", "colour"])
                #expect(try await api.send(.post, "/api/v1/import/shipments", token: api.planner, raw: Data(csv.utf8)).status == .forbidden)
            }
        }
    }

    @Test("homeready-server import-shipments FILE [--dry-run]: counts, or every bad row as FILE:LINE column C and exit 1")
    func subcommand() throws {
        let binary = TestEnvironment.productsDirectory.appendingPathComponent("homeready-server").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            try TestEnvironment.skip(because: "\(binary) is not built (swift build --build-tests builds it)")
        }
        let dir = try TemporaryDirectory(prefix: "homeready-shipments")
        defer { dir.remove() }
        let db = "sqlite:" + dir.url.appendingPathComponent("cli.sqlite").path
        let good = try dir.write("good.csv", "asset_tag,kind,carrier,tracking_number,shipped_at\nAT-1,laptop,DHL,JD1,2026-11-20\n")
        let bad = try dir.write("bad.csv", "asset_tag,kind,carrier,tracking_number,shipped_at\nAT-2,laptop,UPS,,2026-11-20\nAT-3,,,,\n")
        let dry = try Subprocess.run([binary, "import-shipments", "--db", db, good.path, "--dry-run"])
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("would create 1, would update 0"))
        let refused = try Subprocess.run([binary, "import-shipments", "--db", db, bad.path])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("bad.csv:2 column tracking_number:"))
        #expect(refused.stderr.contains("bad.csv:3 column kind:"))
        let done = try Subprocess.run([binary, "import-shipments", "--db", db, good.path])
        #expect(done.stdout.contains("created 1, updated 0"), "\(done.stderr)")
        let export = try Subprocess.run([binary, "export", "equipment", "--db", db])
        #expect(export.stdout.contains("AT-1,laptop,,,,shipped,DHL,JD1,2026-11-20T00:00:00Z,"))
    }
}
