import Foundation
import SQLKit
import Testing

@testable import HomeReadyServer

@Suite("Bulk loads with the secondary indexes deferred")
struct BulkLoadTests {
    /// The indexes of `tables` with their definitions, as the database lists them.
    static func indexes(_ tables: [String], on store: SQLStore) async throws -> [String: String] {
        try await store.withConnection { db in
            let rows =
                db.dialect.name == "postgresql"
                ? try await db.raw(
                    "SELECT indexname AS name, indexdef AS definition FROM pg_indexes WHERE schemaname = current_schema() AND tablename IN (\(binds: tables))"
                ).all()
                : try await db.raw(
                    "SELECT name, COALESCE(sql, '(constraint)') AS definition FROM sqlite_master WHERE type = 'index' AND tbl_name IN (\(binds: tables))"
                ).all()
            return Dictionary(uniqueKeysWithValues: try rows.map { (try $0.string("name"), try $0.string("definition")) })
        }
    }

    struct Interrupted: Error {}

    @Test("plain indexes are dropped during the load and built again after; unique ones stay",
          arguments: TestBackend.available)
    func droppedAndRebuilt(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            let store = harness.repository.store
            let tables = DemoData.tablesFilled
            let before = try await Self.indexes(tables, on: store)
            #expect(before.keys.contains("agents_freshness") && before.keys.contains("reports_agent_finished"))
            let during = try await store.withSecondaryIndexesDeferred(on: tables) {
                try await Self.indexes(tables, on: store)
            }
            #expect(!during.keys.contains("agents_freshness") && !during.keys.contains("check_states_check"))
            // What a constraint needs (primary keys, `employee_id UNIQUE`, `report_id UNIQUE`) stays.
            #expect(!during.isEmpty)
            #expect(during.keys.allSatisfy { before[$0] != nil })
            #expect(try await Self.indexes(tables, on: store) == before)

            // A load that fails still leaves every index as it was.
            await #expect(throws: Interrupted.self) {
                try await store.withSecondaryIndexesDeferred(on: tables) { () async throws -> Int in throw Interrupted() }
            }
            #expect(try await Self.indexes(tables, on: store) == before)
        }
    }
}
