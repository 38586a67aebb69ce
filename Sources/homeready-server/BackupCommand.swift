import ArgumentParser
import Foundation
import HomeReadyServer

/// `homeready-server backup`: an online, consistent copy of the SQLite database.
struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a consistent copy of the SQLite database while the server runs (PostgreSQL: use pg_dump).",
        discussion: "The copy is checked (integrity, schema) before it gets its final name; existing files are never overwritten.")
    @OptionGroup var options: DatabaseOptions
    @Option(name: .long, help: "The backup file to create (must not exist).") var to: String

    func run() async throws {
        if case .postgres = try DatabaseLocation(parsing: options.db) {
            throw ValidationError(
                "backup copies an SQLite database; back up PostgreSQL with pg_dump --format=custom (docs/operations.md#backups)")
        }
        let (store, _) = try await openRepository(try options.configuration(), logger: options.logger)
        do {
            let summary = try await DatabaseBackup.backup(store: store, to: to, logger: options.logger)
            await store.shutdown()
            print(summary.line)
        } catch {
            await store.shutdown()
            throw error
        }
    }
}

/// `homeready-server restore`: puts a backup back in place of the SQLite database.
struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replace the SQLite database with a backup (stop the server first).",
        discussion: "The backup is copied and checked before anything is replaced; with --force an existing database is kept beside it as PATH.before-restore-TIMESTAMP.")
    @OptionGroup var options: DatabaseOptions
    @Option(name: .long, help: "The backup file written by `homeready-server backup`.") var from: String
    @Flag(help: "Replace an existing database (it is kept beside, renamed).") var force = false

    func run() async throws {
        guard case .sqlite(let path) = try DatabaseLocation(parsing: options.db) else {
            throw ValidationError("restore works on sqlite:PATH; restore PostgreSQL with pg_restore (docs/operations.md#backups)")
        }
        let summary = try await DatabaseBackup.restore(from: from, to: path, force: force, logger: options.logger)
        print("restored \(summary.line)")
    }
}
