import Foundation
import HomeReadyModel
import Logging
import PostgresKit
import SQLKit

/// The `InventoryRepository` over SQLKit: one SQL for SQLite and PostgreSQL.
public struct SQLRepository: InventoryRepository {
    let store: SQLStore
    let logger: Logger
    /// Concurrent report ingests share transactions and are written as sets (one batch at a time per instance).
    let reportLane: GroupCommit<ReportWrite, IngestOutcome>

    public init(store: SQLStore, logger: Logger) {
        self.store = store
        self.logger = logger
        // Lingering 0.5 ms for up to 16 reports: batches of 3.3 became 14 under 50 agents posting at once, and
        // signed reports/s on SQLite rose from 3,065–3,157 to 3,351–3,357 (docs/performance.md, seventh pass).
        reportLane = GroupCommit(store: store, linger: .microseconds(500), lingerTarget: 16) { writes, db in
            try await Self.write(writes, on: db)
        }
    }

    static func newID() -> String { UUID().uuidString.lowercased() }

    /// Keyset pagination: rows after `after` by id, `limit` of them.
    static func page(_ after: String?, _ limit: Int) -> SQLQueryString {
        if let after {
            return "AND id > \(bind: after) ORDER BY id LIMIT \(literal: limit)"
        }
        return "ORDER BY id LIMIT \(literal: limit)"
    }

    /// The condition (` AND …`, empty without a cursor) for the rows after the one with id `after` in a list
    /// ordered by an integer column `key`, then id. The cursor's `key` is read first, so the condition bounds `key`
    /// from below, which an index on `key` seeks to whatever follows it in the index, and breaks ties by id.
    /// `scope` keeps the cursor to the list's own rows; an `after` outside them is refused, naming `what`.
    static func keysetAfter(
        _ after: String?, table: String, key: String, scope: SQLQueryString? = nil, what: String,
        on db: any SQLDatabase
    ) async throws -> SQLQueryString {
        guard let after else { return "" }
        let within: SQLQueryString = scope.map { " AND " + $0 } ?? ""
        guard let cursor = try await db.raw(
            "SELECT \(ident: key) AS cursor_key FROM \(ident: table) WHERE id = \(bind: after)\(within)"
        ).first() else { throw StorageError.unknownCursor(after, what: what) }
        let value = try cursor.optionalInt64("cursor_key") ?? Int64.min
        return """
             AND \(ident: key) >= \(literal: value) AND (\(ident: key) > \(literal: value) OR id > \(bind: after))
            """
    }

    /// Runs a write, turning constraint violations into storage errors that name the field.
    func writing<T: Sendable>(
        field: String?, _ body: (any SQLDatabase) async throws -> T
    ) async throws -> T {
        do {
            return try await store.transaction(body)
        } catch let error as StorageError {
            throw error
        } catch {
            throw Self.constraintViolation(error, field: field) ?? error
        }
    }

    /// The storage error for a database's constraint violation (unique, foreign key, check or not null).
    static func constraintViolation(_ error: any Error, field: String?) -> StorageError? {
        var kind: String?
        if let error = error as? PSQLError, let state = error.serverInfo?[.sqlState] {
            switch state {
            case "23505": kind = "unique"
            case "23503": kind = "foreign"
            case "23514", "23502": kind = "check"
            default: break
            }
        } else {
            let text = String(describing: error)
            if text.contains("UNIQUE constraint failed") { kind = "unique" }
            else if text.contains("FOREIGN KEY constraint failed") { kind = "foreign" }
            else if text.contains("CHECK constraint failed") || text.contains("NOT NULL constraint failed") {
                kind = "check"
            }
        }
        switch kind {
        case "unique": return .conflict(field: field)
        case "foreign": return .badReference(field: field ?? "id")
        case "check": return .invalidValue(field: field ?? "value")
        default: return nil
        }
    }

    public func ping() async throws {
        try await store.withConnection { db in _ = try await db.raw("SELECT 1 AS one").all() }
    }
}

// MARK: - Row decoding

/// The optional columns are read as "is it NULL, else the plain type": both drivers convert a `String` or an
/// `Int64` directly, while an `Optional` goes through their generic `Decoder` (an object per value), which took an
/// eighth of the readiness export.
extension SQLRow {
    func string(_ column: String) throws -> String { try decode(column: column, as: String.self) }
    func optionalString(_ column: String) throws -> String? {
        try decodeNil(column: column) ? nil : decode(column: column, as: String.self)
    }
    func int(_ column: String) throws -> Int { Int(try decode(column: column, as: Int64.self)) }
    func optionalInt64(_ column: String) throws -> Int64? {
        try decodeNil(column: column) ? nil : decode(column: column, as: Int64.self)
    }
    func date(_ column: String) throws -> Date { Clock.date(try decode(column: column, as: Int64.self)) }
    func optionalDate(_ column: String) throws -> Date? { try optionalInt64(column).map(Clock.date) }
}

extension SQLQueryString {
    /// An integer literal or NULL (avoids untyped NULL parameters, which PostgreSQL cannot always place).
    mutating func appendInterpolation(millis date: Date?) {
        if let date { appendInterpolation(literal: Clock.millis(date)) } else { appendInterpolation(unsafeRaw: "NULL") }
    }
}
