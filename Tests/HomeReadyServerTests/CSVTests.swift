import Foundation
import HomeReadyModel
import Testing

@testable import HomeReadyServer

@Suite("CSV import and export")
struct CSVTests {
    @Test("the parser handles quotes, doubled quotes, CRLF and embedded newlines")
    func parse() {
        let (records, error) = CSV.parse("a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\n\"two\nlines\",z\n")
        #expect(error == nil)
        #expect(records.map(\.fields) == [["a", "b"], ["x, y", "say \"hi\""], ["two\nlines", "z"]])
        #expect(records.map(\.line) == [1, 2, 3])
        #expect(CSV.parse("a\n\"open").error?.line == 2)
        #expect(CSV.line(["a,b", "c"]) == "\"a,b\",c\n")
    }

    @Test("a roster imports all or nothing, with every bad row by line and column", arguments: TestBackend.available)
    func roster(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            try await harness.withClient { api in
                _ = try await api.create("sites", ["name": "Leeds"])
                _ = try await api.create("roles", ["name": "voice", "kit": ["laptop"]])
                _ = try await api.create("agents", ["employee_id": "E1", "name": "Old name"])
                let good = "employee_id,name,site,role\nE1,Ada Lovelace,Leeds,voice\nE2,\"Hopper, Grace\",Leeds,\n"
                let dry = try await api.send(.post, "/api/v1/import/roster?dry_run=true", token: api.admin, raw: Data(good.utf8))
                #expect(dry.status == .ok)
                #expect(dry.json["created"] as? Int == 1 && dry.json["updated"] as? Int == 1)
                #expect(try await api.send(.get, "/api/v1/agents", token: api.admin).items.count == 1)

                let bad = "employee_id,name,site,role\nE3,Alan,Leeds,voice\nE4,,Leeds,\nE5,Edsger,Paris,voice\nE3,Again,,\n"
                let refused = try await api.send(.post, "/api/v1/import/roster", token: api.admin, raw: Data(bad.utf8))
                #expect(refused.status == .unprocessableContent)
                let errors = refused.json["errors"] as? [[String: Any]] ?? []
                #expect(errors.map { "\($0["line"] as? Int ?? 0):\($0["column"] as? String ?? "")" } == ["3:name", "5:employee_id"])
                #expect(try await api.send(.get, "/api/v1/agents", token: api.admin).items.count == 1)
                let unknownSite = "employee_id,name,site\nE5,Edsger,Paris\n"
                let paris = try await api.send(.post, "/api/v1/import/roster", token: api.admin, raw: Data(unknownSite.utf8))
                #expect((paris.json["errors"] as? [[String: Any]])?.first?["column"] as? String == "site")

                let imported = try await api.send(.post, "/api/v1/import/roster", token: api.admin, raw: Data(good.utf8))
                #expect(imported.status == .ok)
                let agents = try await api.send(.get, "/api/v1/agents", token: api.admin).items
                #expect(Set(agents.compactMap { $0["name"] as? String }) == ["Ada Lovelace", "Hopper, Grace"])
                let ada = agents.first { $0["employee_id"] as? String == "E1" }
                #expect(ada?["equipment_status"] as? String == "missing")

                let header = try await api.send(.post, "/api/v1/import/roster", token: api.admin, raw: Data("name,shoe_size\nx,4\n".utf8))
                #expect((header.json["errors"] as? [[String: Any]])?.count == 2)
            }
        }
    }

    @Test("exports read a page at a time give the same rows as one page, each page judged like the API", arguments: TestBackend.available)
    func pagedExports(backend: TestBackend) async throws {
        try await Harness.with(backend) { h in
            let now = Date(timeIntervalSince1970: 1_795_000_000)
            _ = try await DemoData(agents: 23, seed: 5, days: 3).run(on: h.repository, now: now, logger: Harness.logger)
            let agent = try #require(try await h.repository.agents(after: nil, limit: 1).first)
            _ = try await h.repository.createItem(
                NewItem(kind: "headset", model: "tagged", serial: nil, assetTag: "AT-1", agentId: agent.id), actor: "test")
            _ = try await h.repository.createItem(
                NewItem(kind: "headset", model: "tagged", serial: nil, assetTag: "AT-0", agentId: nil), actor: "test")
            var pages = 0
            var paged = ""
            try await h.repository.exportReadinessCSV(now: now, pageSize: 4) { paged += $0; pages += 1 }
            #expect(pages == 1 + 6, "the header, then 23 agents in pages of 4")
            let whole = try await h.repository.exportReadinessCSV(now: now)
            #expect(paged == whole)
            // Pages of one (many reads in flight at once, emitted in order), a page the fleet fills exactly, and
            // one page larger than the fleet.
            for size in [1, 23, 30] {
                var count = 0
                var text = ""
                try await h.repository.exportReadinessCSV(now: now, pageSize: size) { text += $0; count += 1 }
                #expect(text == whole, "pages of \(size)")
                #expect(count == 1 + (23 + size - 1) / size, "pages of \(size): the header, then every non-empty page")
            }
            let lines = whole.split(separator: "\n")
            #expect(lines.count == 24)
            #expect(lines.dropFirst().map { $0.prefix(6) } == (1...23).map { String(format: "E%05d", $0).prefix(6) })
            // Each row's status is the one the API gives the agent.
            let row = try #require(lines.first { $0.hasPrefix(agent.employeeId + ",") })
            let input = try #require(try await h.repository.readinessInput(agentId: agent.id))
            let status = Readiness.evaluate(input, now: now).0
            #expect(row.split(separator: ",", omittingEmptySubsequences: false)[5] == Substring(status.rawValue))
            // Site, campaign and team are looked up by id once per export: each named cell is a known name.
            let sites = Set(try await h.repository.sites(after: nil, limit: 500).map(\.name))
            let campaigns = Set(try await h.repository.campaigns(after: nil, limit: 500).map(\.name))
            let cells = lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
            #expect(cells.contains { !$0[2].isEmpty } && cells.allSatisfy { $0[2].isEmpty || sites.contains($0[2]) })
            #expect(cells.contains { !$0[3].isEmpty } && cells.allSatisfy { $0[3].isEmpty || campaigns.contains($0[3]) })

            var equipmentPages = 0
            var pagedEquipment = ""
            try await h.repository.exportEquipmentCSV(pageSize: 10) { pagedEquipment += $0; equipmentPages += 1 }
            let wholeEquipment = try await h.repository.exportEquipmentCSV()
            #expect(pagedEquipment == wholeEquipment)
            // Pages of one (the two tagged items fill theirs exactly) and of two.
            for size in [1, 2] {
                var text = ""
                try await h.repository.exportEquipmentCSV(pageSize: size) { text += $0 }
                #expect(text == wholeEquipment, "pages of \(size)")
            }
            let rows = wholeEquipment.split(separator: "\n").dropFirst()
            #expect(rows.count > 50 && equipmentPages > 5)
            // Untagged items first, then the tagged ones by tag, on both databases.
            #expect(rows.suffix(2).map { $0.prefix(5) } == ["AT-0,", "AT-1,"])
        }
    }

    @Test("readiness and equipment export as CSV with each check's status", arguments: TestBackend.available)
    func export(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            try await harness.withClient { api in
                let agent = try await api.agentInCampaign("E1", profileId: "linux-baseline")
                _ = try await api.create("equipment", ["kind": "laptop", "asset_tag": "AT-9"])
                let device = try await enrollDevice(api, employeeId: "E1")
                let failing = try await completeReport(
                    for: agent, employeeId: "E1", repository: harness.repository, outcome: .failing)
                _ = try await api.send(.post, "/api/v1/reports", token: device, raw: try encodeReport(failing))
                let readiness = try await api.send(.get, "/api/v1/export/readiness.csv", token: api.planner)
                #expect(readiness.contentType?.hasPrefix("text/csv") == true)
                let lines = readiness.text.split(separator: "\n")
                let header = lines.first?.split(separator: ",").map(String.init) ?? []
                #expect(Array(header.prefix(9)) == ["employee_id", "name", "site", "campaign", "team", "status", "evidence", "reasons", "explanation"])
                #expect(header.contains("network.download") && header.contains("posture.disk-encryption"))
                let row = CSV.parse(String(lines.last ?? "")).records.first?.fields ?? []
                #expect(Array(row.prefix(8)) == ["E1", "E1", "", "C-E1", "", "not_ready", "cli", "verdict.not_ready"])
                #expect(row[8] == "last check verdict is not_ready", "\(row)")
                #expect(row[header.firstIndex(of: "network.download")!] == "fail")
                #expect(row[header.firstIndex(of: "network.upload")!] == "pass")
                let equipment = try await api.send(.get, "/api/v1/export/equipment.csv", token: api.planner)
                #expect(equipment.text.contains("AT-9,laptop,,,,requested"))
                #expect(try await api.send(.get, "/api/v1/export/equipment.csv", token: device).status == .forbidden)
            }
        }
    }
}
