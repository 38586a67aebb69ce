import Foundation
import Logging
import SQLKit

#if canImport(Glibc)
    import Glibc
#endif

/// What a backup file holds, read back from the file itself after it was written.
public struct BackupSummary: Sendable, Equatable {
    /// The file inspected.
    public var path: String
    /// Its size in bytes.
    public var bytes: Int64
    /// The newest migration applied in it.
    public var schemaVersion: Int
    /// Row counts of the tables people ask about after a restore (agents, equipment, reports, ...).
    public var rows: [String: Int]

    /// One line for a terminal: `PATH: N bytes, schema 6, 500 agents, 2,000 equipment items, ...`.
    public var line: String {
        let counts = Self.countedTables.map { "\(rows[$0.table] ?? 0) \($0.label)" }.joined(separator: ", ")
        return "\(path): \(bytes) bytes, schema version \(schemaVersion), \(counts)"
    }

    static let countedTables: [(table: String, label: String)] = [
        ("agents", "agents"), ("equipment_items", "equipment items"), ("equipment_audit", "audit entries"),
        ("reports", "reports"), ("devices", "devices"),
    ]
}

/// Online backups and restores of the SQLite database.
///
/// A backup is taken with `VACUUM INTO` on a live connection: SQLite copies one consistent snapshot (a read
/// transaction) while the server keeps writing, and the copy is compacted. The copy is written beside its
/// destination, checked (`PRAGMA integrity_check`, a HomeReady schema), flushed to disk, and only then renamed
/// into place, so a crash never leaves a half backup under the final name. PostgreSQL is backed up with
/// `pg_dump` (see docs/operations.md).
public enum DatabaseBackup {
    /// Writes a consistent copy of the database behind `store` to `destination`, which must not exist yet.
    public static func backup(store: SQLStore, to destination: String, logger: Logger) async throws -> BackupSummary {
        guard store.backend == .sqlite else {
            throw ServerError.backup(
                "backups of a PostgreSQL database are taken with pg_dump, e.g. pg_dump --format=custom --file=homeready.dump \"$DATABASE_URL\" (docs/operations.md#backups)"
            )
        }
        let fileManager = FileManager.default
        guard !fileManager.fileExists(atPath: destination) else {
            throw ServerError.backup("\(destination) already exists; backups never overwrite a file: choose a new name")
        }
        let folder = (destination as NSString).deletingLastPathComponent
        let directory = folder.isEmpty ? "." : folder
        guard fileManager.isWritableFile(atPath: directory) else {
            throw ServerError.backup("cannot write into \(directory): create it or choose a writable folder for the backup")
        }
        let partial = destination + ".partial"
        try? fileManager.removeItem(atPath: partial)
        do {
            try await store.withConnection { db in
                try await db.raw("VACUUM INTO \(bind: partial)").run()
            }
            var summary = try await inspect(path: partial, logger: logger)
            try syncFile(partial)
            try move(partial, to: destination)
            summary.path = destination
            logger.info("backup.written", metadata: ["backup.path": "\(destination)", "backup.bytes": "\(summary.bytes)"])
            return summary
        } catch {
            try? fileManager.removeItem(atPath: partial)
            throw error
        }
    }

    /// Replaces the SQLite database at `databasePath` with the backup at `source`.
    ///
    /// The backup is copied and checked before anything is replaced. An existing database is only replaced with
    /// `force`, and even then it is kept beside as `PATH.before-restore-TIMESTAMP` (with its WAL) so nothing is
    /// lost. Stop the server first: a running server would keep writing into the file it had open.
    public static func restore(
        from source: String, to databasePath: String, force: Bool, now: Date = Date(), logger: Logger
    ) async throws -> BackupSummary {
        let fileManager = FileManager.default
        guard fileManager.fileExists(atPath: source) else {
            throw ServerError.backup("\(source) does not exist: give the path of a file written by `homeready-server backup`")
        }
        let exists = fileManager.fileExists(atPath: databasePath)
        if exists && !force {
            throw ServerError.backup(
                "\(databasePath) already exists; stop the server and add --force to replace it (the current file is kept as \(databasePath).before-restore-…)"
            )
        }
        let partial = databasePath + ".restoring"
        for leftover in [partial, partial + "-wal", partial + "-shm"] { try? fileManager.removeItem(atPath: leftover) }
        var summary: BackupSummary
        do {
            try fileManager.copyItem(atPath: source, toPath: partial)
            summary = try await inspect(path: partial, logger: logger)
            try syncFile(partial)
        } catch let error as ServerError {
            try? fileManager.removeItem(atPath: partial)
            throw ServerError.backup("\(source) cannot be restored: \(error.description)")
        } catch {
            try? fileManager.removeItem(atPath: partial)
            throw ServerError.backup("\(source) cannot be restored: \(error)")
        }
        if exists {
            let stamp = ISO8601DateFormatter().string(from: now).replacingOccurrences(of: ":", with: "")
            let kept = "\(databasePath).before-restore-\(stamp)"
            for suffix in ["", "-wal", "-shm"] where fileManager.fileExists(atPath: databasePath + suffix) {
                try move(databasePath + suffix, to: kept + suffix)
            }
            logger.notice("restore.kept_previous", metadata: ["restore.previous": "\(kept)"])
        } else {
            // A WAL left by a deleted database would be replayed into the restored file: never let one survive.
            for suffix in ["-wal", "-shm"] { try? fileManager.removeItem(atPath: databasePath + suffix) }
        }
        try move(partial, to: databasePath)
        summary.path = databasePath
        logger.info("restore.done", metadata: ["restore.source": "\(source)", "restore.path": "\(databasePath)"])
        return summary
    }

    /// Opens an SQLite file, checks it is intact and holds a HomeReady schema this build can read, and counts rows.
    public static func inspect(path: String, logger: Logger) async throws -> BackupSummary {
        let header = FileManager.default.contents(atPath: path)?.prefix(16) ?? Data()
        guard header == Data("SQLite format 3\u{0}".utf8) else {
            throw ServerError.backup("\(path) is not an SQLite database (its first bytes are not the SQLite header)")
        }
        let store = try SQLStore(location: .sqlite(path: path), connectionsPerEventLoop: 1, logger: logger)
        do {
            let summary = try await store.withConnection { db in
                let check: String
                do {
                    check = try await db.raw("PRAGMA integrity_check").first()?.decode(column: "integrity_check", as: String.self) ?? ""
                } catch {
                    throw ServerError.backup("\(path) is not an SQLite database (\(String(describing: error)))")
                }
                guard check == "ok" else {
                    throw ServerError.backup("\(path) is damaged: SQLite's integrity check says \"\(check)\"")
                }
                let tables = try await db.raw("SELECT name FROM sqlite_master WHERE type = 'table'").all()
                    .map { try $0.decode(column: "name", as: String.self) }
                guard tables.contains("schema_migrations") else {
                    throw ServerError.backup("\(path) is an SQLite file but not a HomeReady database (no schema_migrations table)")
                }
                let version = try await db.raw("SELECT MAX(version) AS v FROM schema_migrations").first()?
                    .decode(column: "v", as: Int?.self) ?? 0
                let newest = Migrations.all.map(\.version).max() ?? 0
                guard version <= newest else {
                    throw ServerError.backup(
                        "\(path) has schema version \(version), newer than this server's \(newest): restore it with the server version that wrote it"
                    )
                }
                var rows: [String: Int] = [:]
                for (table, _) in BackupSummary.countedTables where tables.contains(table) {
                    rows[table] = try await db.raw("SELECT COUNT(*) AS n FROM \(ident: table)").first()?
                        .decode(column: "n", as: Int.self) ?? 0
                }
                return BackupSummary(path: path, bytes: 0, schemaVersion: version, rows: rows)
            }
            await store.shutdown()
            var sized = summary
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            sized.bytes = (attributes[.size] as? NSNumber)?.int64Value ?? 0
            return sized
        } catch {
            await store.shutdown()
            throw error
        }
    }

    /// Flushes a file's contents to stable storage.
    private static func syncFile(_ path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw ServerError.backup("cannot open \(path) to flush it: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw ServerError.backup("cannot flush \(path) to disk: \(String(cString: strerror(errno)))") }
    }

    /// Renames within one file system (atomic) and flushes the folder so the new name survives a crash.
    private static func move(_ source: String, to destination: String) throws {
        guard rename(source, destination) == 0 else {
            throw ServerError.backup("cannot rename \(source) to \(destination): \(String(cString: strerror(errno)))")
        }
        let folder = (destination as NSString).deletingLastPathComponent
        let fd = open(folder.isEmpty ? "." : folder, O_RDONLY)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
    }
}
