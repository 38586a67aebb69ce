import SQLKit

extension SQLStore {
    /// Runs `body` with the secondary indexes of `tables` dropped, then builds them again from their own stored
    /// definitions: a bulk load (a demo fleet) writes rows faster when each index is sorted once at the end than
    /// when every row moves entries around in it (measured for 100,000 agents: reports and snapshots 59.6 s →
    /// 50.9 s, with 2.1 s of that rebuilding the indexes).
    ///
    /// Only plain indexes are dropped: unique indexes and primary keys stay, since constraints (and `ON CONFLICT`)
    /// need them. When `body` throws, the indexes are built again before the error goes on.
    func withSecondaryIndexesDeferred<T: Sendable>(on tables: [String], _ body: () async throws -> T) async throws -> T {
        let dropped = try await transaction(in: .writeLane) { db -> [String] in
            let definitions = try await Self.secondaryIndexes(of: tables, on: db)
            for (name, _) in definitions { try await db.raw("DROP INDEX \(ident: name)").run() }
            return definitions.map(\.definition)
        }
        let rebuild = {
            try await self.transaction(in: .writeLane) { db in
                for definition in dropped { try await db.raw("\(unsafeRaw: definition)").run() }
            }
        }
        do {
            let result = try await body()
            try await rebuild()
            return result
        } catch {
            try? await rebuild()
            throw error
        }
    }

    /// The non-unique indexes of `tables`, each with the statement that creates it.
    private static func secondaryIndexes(of tables: [String], on db: any SQLDatabase) async throws
        -> [(name: String, definition: String)]
    {
        let rows: [any SQLRow]
        if db.dialect.name == "postgresql" {
            rows = try await db.raw(
                """
                SELECT i.indexname AS name, i.indexdef AS definition FROM pg_indexes i
                JOIN pg_class c ON c.relname = i.indexname AND c.relnamespace = to_regnamespace(i.schemaname)
                JOIN pg_index x ON x.indexrelid = c.oid
                WHERE i.schemaname = current_schema() AND i.tablename IN (\(binds: tables))
                  AND NOT x.indisunique AND NOT x.indisprimary
                ORDER BY i.indexname
                """
            ).all()
        } else {
            // An index SQLite made for a constraint has no statement (`sql` is NULL); a declared one may be unique.
            rows = try await db.raw(
                """
                SELECT name, sql AS definition FROM sqlite_master
                WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (\(binds: tables))
                  AND NOT EXISTS (SELECT 1 FROM pragma_index_list(sqlite_master.tbl_name) l
                                  WHERE l.name = sqlite_master.name AND l."unique" = 1)
                ORDER BY name
                """
            ).all()
        }
        return try rows.map { (try $0.string("name"), try $0.string("definition")) }
    }
}
