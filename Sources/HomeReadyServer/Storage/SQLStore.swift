@preconcurrency import AsyncKit
import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresKit
import SQLKit
import SQLiteKit

/// The SQL dialect in use; the rest of the server writes one SQL that both accept.
public enum SQLBackend: String, Sendable {
    case sqlite, postgres
}

/// A pool of connections to SQLite or PostgreSQL with scoped connection and transaction helpers.
///
/// Everything above this type sees SQLKit's `SQLDatabase` only.
public final class SQLStore: Sendable {
    /// AsyncKit's pools lock their own state but are not marked `Sendable`.
    private enum Pool: @unchecked Sendable {
        case sqlite(EventLoopGroupConnectionPool<WALSQLiteSource>)
        case postgres(EventLoopGroupConnectionPool<PostgresConnectionSource>)
    }

    public let backend: SQLBackend
    private let pool: Pool
    private let logger: Logger
    /// SQLite has one writer at a time; queueing writers here keeps them from blocking the I/O thread pool in
    /// SQLite's busy handler (which can starve the transaction holding the lock).
    private let writeGate = WriteGate()

    /// Opens a pool for `location` (no connection is made until first use).
    public init(location: DatabaseLocation, connectionsPerEventLoop: Int = 4, logger: Logger) throws {
        // The drivers log statements with their bind values (webhook secrets, personal data) and wire messages
        // at debug and trace: they get at most info, and statements are never logged (SecretLoggingTests).
        var driverLogger = logger
        if driverLogger.logLevel < .info { driverLogger.logLevel = .info }
        self.logger = driverLogger
        let logger = driverLogger
        let group = MultiThreadedEventLoopGroup.singleton
        switch location {
        case .sqlite(let path):
            backend = .sqlite
            pool = .sqlite(
                EventLoopGroupConnectionPool(
                    source: WALSQLiteSource(path: path), maxConnectionsPerEventLoop: connectionsPerEventLoop,
                    requestTimeout: .seconds(30), logger: logger, on: group))
        case .postgres(let url, let schema):
            backend = .postgres
            var configuration: SQLPostgresConfiguration
            do { configuration = try SQLPostgresConfiguration(url: url) } catch { throw ServerError.badDatabaseURL(url) }
            if let schema { configuration.searchPath = [schema] }
            pool = .postgres(
                EventLoopGroupConnectionPool(
                    source: PostgresConnectionSource(sqlConfiguration: configuration),
                    maxConnectionsPerEventLoop: connectionsPerEventLoop, requestTimeout: .seconds(30), logger: logger,
                    on: group))
        }
    }

    /// Runs `body` with one connection held for its duration.
    public func withConnection<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        switch pool {
        case .sqlite(let pool):
            let connection = try await pool.requestConnection(logger: logger).get()
            defer { pool.releaseConnection(connection, logger: logger) }
            return try await body(connection.sql(queryLogLevel: nil))
        case .postgres(let pool):
            let connection = try await pool.requestConnection(logger: logger).get()
            defer { pool.releaseConnection(connection, logger: logger) }
            return try await body(connection.sql(queryLogLevel: nil, logger: logger))
        }
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    ///
    /// On SQLite the transaction takes the write lock at once (`BEGIN IMMEDIATE`) so concurrent writers wait
    /// instead of failing on a lock upgrade.
    public func transaction<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        let gated = backend == .sqlite
        if gated { await writeGate.acquire() }
        do {
            let value = try await withConnection { db in
                try await db.raw(gated ? "BEGIN IMMEDIATE" : "BEGIN").run()
                do {
                    let value = try await body(db)
                    try await db.raw("COMMIT").run()
                    return value
                } catch {
                    try? await db.raw("ROLLBACK").run()
                    throw error
                }
            }
            if gated { await writeGate.release() }
            return value
        } catch {
            if gated { await writeGate.release() }
            throw error
        }
    }

    /// Whether `error` is PostgreSQL aborting a transaction that may simply be run again (deadlock, serialization).
    static func isTransient(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError, let state = error.serverInfo?[.sqlState] else { return false }
        return state == "40P01" || state == "40001"
    }

    /// Closes every connection.
    public func shutdown() async {
        switch pool {
        case .sqlite(let pool): try? await pool.shutdownAsync()
        case .postgres(let pool): try? await pool.shutdownAsync()
        }
    }
}

/// SQLite connections in WAL mode with a busy timeout and foreign keys on.
struct WALSQLiteSource: ConnectionPoolSource, Sendable {
    let path: String

    func makeConnection(logger: Logger, on eventLoop: any EventLoop) -> EventLoopFuture<SQLiteConnection> {
        SQLiteConnection.open(storage: .file(path: path), threadPool: .singleton, logger: logger, on: eventLoop)
            .flatMap { connection in
                connection.query("PRAGMA busy_timeout = 30000")
                    .flatMap { _ in connection.query("PRAGMA journal_mode = WAL") }
                    .flatMap { _ in connection.query("PRAGMA synchronous = NORMAL") }
                    .flatMap { _ in connection.query("PRAGMA foreign_keys = ON") }
                    .map { _ in connection }
                    // A file that is not a database fails here: close the handle so the error reaches the caller.
                    .flatMapError { error in connection.close().flatMapThrowing { throw error } }
            }
    }
}

/// A FIFO lock for async code.
actor WriteGate {
    private var held = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func acquire() async {
        if !held {
            held = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func release() {
        if waiters.isEmpty {
            held = false
        } else {
            waiters.removeFirst().resume()
        }
    }
}
