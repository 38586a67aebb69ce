import Foundation
import HomeReadyModel
import HomeReadyTestSupport
import SQLKit
import Testing

@testable import HomeReadyServer

/// `homeready-server backup` / `restore`: online SQLite backups and the documented pg_dump procedure.
@Suite struct BackupTests {
    /// Rows of `table` in the database behind `store`.
    static func count(_ table: String, _ store: SQLStore) async throws -> Int {
        try await store.withConnection { db in
            try await db.raw("SELECT COUNT(*) AS n FROM \(ident: table)").first()?.decode(column: "n", as: Int.self) ?? -1
        }
    }

    @Test func backupTakenWhileReportsArriveRestoresToAConsistentDatabase() async throws {
        try await Harness.with(.sqlite) { harness in
            let agent = try await harness.repository.createAgent(NewAgent(employeeId: "E1", name: "Ada"))
            for _ in 0..<50 {
                _ = try await harness.repository.ingest(
                    sampleReport(employeeId: "E1"), body: "{}", agentId: agent.id, deviceId: nil, at: Date())
            }
            let directory = try TemporaryDirectory(prefix: "homeready-backup")
            defer { directory.remove() }
            let backupPath = directory.url.appendingPathComponent("nightly.sqlite").path
            // A writer keeps ingesting while the backup runs: the copy must be one consistent snapshot.
            let writer = Task {
                var written = 0
                while !Task.isCancelled && written < 2_000 {
                    _ = try await harness.repository.ingest(
                        sampleReport(employeeId: "E1"), body: "{}", agentId: agent.id, deviceId: nil, at: Date())
                    written += 1
                }
                return written
            }
            try await Task.sleep(for: .milliseconds(50))
            let summary = try await DatabaseBackup.backup(store: harness.store, to: backupPath, logger: Harness.logger)
            writer.cancel()
            _ = try? await writer.value
            #expect(summary.path == backupPath)
            #expect(summary.rows["agents"] == 1)
            #expect((summary.rows["reports"] ?? 0) >= 50)
            #expect(summary.schemaVersion == Migrations.all.map(\.version).max())
            #expect(!FileManager.default.fileExists(atPath: backupPath + ".partial"))

            let restoredPath = directory.url.appendingPathComponent("restored.sqlite").path
            let restored = try await DatabaseBackup.restore(from: backupPath, to: restoredPath, force: false, logger: Harness.logger)
            #expect(restored.rows == summary.rows)
            var configuration = harness.configuration
            configuration.database = .sqlite(path: restoredPath)
            let (store, repository) = try await openRepository(configuration, logger: Harness.logger)
            defer { Task { await store.shutdown() } }
            #expect(try await repository.agent(employeeId: "E1")?.name == "Ada")
            #expect(try await Self.count("reports", store) == summary.rows["reports"])
            // The restored database takes new reports.
            #expect(try await repository.ingest(sampleReport(employeeId: "E1"), body: "{}", agentId: agent.id, deviceId: nil, at: Date()))
            await store.shutdown()
        }
    }

    @Test func backupNeverOverwritesAndPointsPostgresAtPgDump() async throws {
        try await Harness.with(.sqlite) { harness in
            let directory = try TemporaryDirectory(prefix: "homeready-backup")
            defer { directory.remove() }
            let existing = directory.url.appendingPathComponent("taken.sqlite").path
            try Data("keep me".utf8).write(to: URL(fileURLWithPath: existing))
            let error = await #expect(throws: ServerError.self) {
                try await DatabaseBackup.backup(store: harness.store, to: existing, logger: Harness.logger)
            }
            #expect(error?.description.contains("already exists") == true)
            #expect(try String(contentsOfFile: existing, encoding: .utf8) == "keep me")
            let missingFolder = directory.url.appendingPathComponent("no/such/folder/b.sqlite").path
            let folderError = await #expect(throws: ServerError.self) {
                try await DatabaseBackup.backup(store: harness.store, to: missingFolder, logger: Harness.logger)
            }
            #expect(folderError?.description.contains("cannot write into") == true)
        }
        if TestBackend.available.contains(.postgres) {
            try await Harness.with(.postgres) { harness in
                let error = await #expect(throws: ServerError.self) {
                    try await DatabaseBackup.backup(store: harness.store, to: "/tmp/never.sqlite", logger: Harness.logger)
                }
                #expect(error?.description.contains("pg_dump") == true)
            }
        }
    }

    @Test func restoreChecksTheBackupFirstAndKeepsTheReplacedDatabase() async throws {
        try await Harness.with(.sqlite) { harness in
            _ = try await harness.repository.createAgent(NewAgent(employeeId: "E7", name: "Grace"))
            let directory = try TemporaryDirectory(prefix: "homeready-restore")
            defer { directory.remove() }
            let target = directory.url.appendingPathComponent("live.sqlite").path
            let good = directory.url.appendingPathComponent("good.sqlite").path
            _ = try await DatabaseBackup.backup(store: harness.store, to: good, logger: Harness.logger)

            // Garbage, a foreign SQLite file and a truncated backup are refused; nothing is created or replaced.
            let garbage = directory.url.appendingPathComponent("garbage.sqlite").path
            try Data(repeating: 0x41, count: 8192).write(to: URL(fileURLWithPath: garbage))
            let garbageError = await #expect(throws: ServerError.self) {
                try await DatabaseBackup.restore(from: garbage, to: target, force: false, logger: Harness.logger)
            }
            #expect(garbageError?.description.contains("cannot be restored") == true)
            #expect(!FileManager.default.fileExists(atPath: target))

            let foreign = directory.url.appendingPathComponent("foreign.sqlite").path
            let other = try SQLStore(location: .sqlite(path: foreign), connectionsPerEventLoop: 1, logger: Harness.logger)
            try await other.withConnection { db in try await db.raw("CREATE TABLE notes (x TEXT)").run() }
            await other.shutdown()
            let foreignError = await #expect(throws: ServerError.self) {
                try await DatabaseBackup.restore(from: foreign, to: target, force: false, logger: Harness.logger)
            }
            #expect(foreignError?.description.contains("not a HomeReady database") == true)

            let truncated = directory.url.appendingPathComponent("truncated.sqlite").path
            let bytes = try Data(contentsOf: URL(fileURLWithPath: good))
            try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: truncated))
            await #expect(throws: ServerError.self) {
                try await DatabaseBackup.restore(from: truncated, to: target, force: false, logger: Harness.logger)
            }
            #expect(!FileManager.default.fileExists(atPath: target))

            // A good backup goes in; over an existing database only with force, and the old one is kept.
            _ = try await DatabaseBackup.restore(from: good, to: target, force: false, logger: Harness.logger)
            let again = await #expect(throws: ServerError.self) {
                try await DatabaseBackup.restore(from: good, to: target, force: false, logger: Harness.logger)
            }
            #expect(again?.description.contains("--force") == true)
            let summary = try await DatabaseBackup.restore(
                from: good, to: target, force: true, now: Date(timeIntervalSince1970: 1_800_000_000), logger: Harness.logger)
            #expect(summary.rows["agents"] == 1)
            let kept = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.contains("before-restore") }
            #expect(kept == ["live.sqlite.before-restore-2027-01-15T080000Z"])
        }
    }

    /// The PostgreSQL procedure in docs/operations.md: pg_dump in custom format, pg_restore, same rows.
    @Test func pgDumpAndPgRestoreRoundTrip() async throws {
        guard TestBackend.available.contains(.postgres) else {
            try TestEnvironment.skip(because: "pgDumpAndPgRestoreRoundTrip needs HOMEREADY_TEST_POSTGRES_URL (Scripts/with-postgres)")
        }
        let binaries = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        guard let version = binaries.sorted().last else {
            try TestEnvironment.skip(because: "pgDumpAndPgRestoreRoundTrip found no /usr/lib/postgresql/*/bin")
        }
        let bin = "/usr/lib/postgresql/\(version)/bin"
        let url = ProcessInfo.processInfo.environment["HOMEREADY_TEST_POSTGRES_URL"]!
        try await Harness.with(.postgres) { harness in
            guard case .postgres(_, let schema?) = harness.configuration.database else {
                Issue.record("Harness.with(.postgres) did not give a PostgreSQL configuration with a schema")
                return
            }
            let agent = try await harness.repository.createAgent(NewAgent(employeeId: "P1", name: "Hedy"))
            for _ in 0..<20 {
                _ = try await harness.repository.ingest(
                    sampleReport(employeeId: "P1"), body: "{}", agentId: agent.id, deviceId: nil, at: Date())
            }
            let directory = try TemporaryDirectory(prefix: "homeready-pgdump")
            defer { directory.remove() }
            let dump = directory.url.appendingPathComponent("homeready.dump").path
            let dumped = try Subprocess.run(
                ["\(bin)/pg_dump", "--format=custom", "--schema=\(schema)", "--file=\(dump)", url], timeout: 60)
            #expect(dumped.status == 0, "\(dumped.stderr)")
            try await harness.store.withConnection { db in try await db.raw("DROP SCHEMA \(ident: schema) CASCADE").run() }
            let restored = try Subprocess.run(["\(bin)/pg_restore", "--dbname=\(url)", "--exit-on-error", dump], timeout: 60)
            #expect(restored.status == 0, "\(restored.stderr)")
            #expect(try await harness.repository.agent(employeeId: "P1")?.name == "Hedy")
            #expect(try await Self.count("reports", harness.store) == 20)
        }
    }
}
