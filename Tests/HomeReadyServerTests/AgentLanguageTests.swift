import Foundation
import HomeReadyDashboard
import HomeReadyLocalization
import Testing

@testable import HomeReadyServer

/// The language each agent reads (issue 19): the roster's `language` column, the agent JSON, the dashboard's page.
@Suite("Agent language")
struct AgentLanguageTests {
    @Test("The roster's language column is stored, shown in the agent JSON and on the dashboard", arguments: TestBackend.available)
    func rosterLanguage(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            try await harness.withClient { api in
                let roster = "employee_id,name,language\nE1,Ana Reyes,es\nE2,Bob Smith,en-US\nE3,Chris Doe,\n"
                let imported = try await api.send(.post, "/api/v1/import/roster", token: api.admin, raw: Data(roster.utf8))
                #expect(imported.status == .ok, "\(imported.text)")
                let agents = try await api.send(.get, "/api/v1/agents", token: api.admin).items
                let languages = Dictionary(
                    uniqueKeysWithValues: agents.map { ($0["employee_id"] as? String ?? "", $0["language"] as? String) })
                #expect(languages == ["E1": "es", "E2": "en", "E3": nil])

                let bad = "employee_id,name,language\nE4,Dee,fr\nE5,Eve,es\n"
                let refused = try await api.send(.post, "/api/v1/import/roster", token: api.admin, raw: Data(bad.utf8))
                #expect(refused.status == .unprocessableContent)
                let errors = refused.json["errors"] as? [[String: Any]] ?? []
                #expect(errors.count == 1)
                #expect(errors.first?["line"] as? Int == 2 && errors.first?["column"] as? String == "language")
                #expect((errors.first?["message"] as? String)?.contains("es or en") == true)

                let created = try await api.send(
                    .post, "/api/v1/agents", token: api.admin, json: ["employee_id": "E6", "name": "Fer", "language": "es"])
                #expect(created.status == .created)
                #expect(created.string("language") == "es")
                let wrong = try await api.send(
                    .post, "/api/v1/agents", token: api.admin, json: ["employee_id": "E7", "name": "Gil", "language": "de"])
                #expect(wrong.status == .unprocessableContent, "\(wrong.text)")

                let ana = try #require(agents.first { $0["employee_id"] as? String == "E1" }?["id"] as? String)
                let page = try await SQLDashboard(repository: harness.repository, now: { Date() }).agent(id: ana)
                #expect(page?.preferredLanguage == .es)
                // A re-import without the column clears it, like every other roster column.
                _ = try await api.send(
                    .post, "/api/v1/import/roster", token: api.admin, raw: Data("employee_id,name\nE1,Ana Reyes\n".utf8))
                #expect(try await SQLDashboard(repository: harness.repository, now: { Date() }).agent(id: ana)?
                    .preferredLanguage == nil)
            }
        }
    }

    @Test("The schema refuses a language other than es or en", arguments: TestBackend.available)
    func schemaConstraint(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            let agent = try await harness.repository.createAgent(NewAgent(employeeId: "E1", name: "Ada", language: "en"))
            #expect(agent.language == "en")
            await #expect(throws: (any Error).self) {
                try await harness.store.withConnection { db in
                    try await db.raw("UPDATE agents SET language = 'fr' WHERE id = \(bind: agent.id)").run()
                }
            }
        }
    }
}
