@preconcurrency import AsyncKit
import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresKit
import SQLKit
import SQLiteKit
import Synchronization

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
    /// The group-commit lane's own thread and connection.
    let writeLane: WriteLane
    /// SQLite: the lane's connection does not checkpoint the WAL itself (a checkpoint copies pages and syncs the
    /// database file, which would stall the lane); every `checkpointEvery` lane commits a passive checkpoint runs
    /// on a pooled connection beside it instead.
    ///
    /// A passive checkpoint never lets the WAL start over while the lane keeps committing (the log restarts only
    /// when a writer finds every frame copied back), so under steady ingest the file grew without end and every
    /// frame went to new file space that the kernel zeroes first. When a passive checkpoint finds the log at
    /// `walRestartFrames` or longer, the lane runs one `RESTART` checkpoint after its next commit, holding the
    /// write gate: it copies what is left and makes the next write start the log from its beginning. It does not
    /// wait for readers (a long export holds its snapshot): when one is in the way, the log grows until the next try.
    private let checkpoints = Mutex(CheckpointState())
    private static let checkpointEvery = 8
    let walRestartFrames: Int

    private struct CheckpointState {
        var commitsSince = 0
        var running: Task<Void, Never>?
        var restartDue = false
    }

    /// Opens a pool for `location` (no connection is made until first use).
    public init(
        location: DatabaseLocation, connectionsPerEventLoop: Int = 4, walRestartFrames: Int = 4_096, logger: Logger
    ) throws {
        self.walRestartFrames = walRestartFrames
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
            writeLane = WriteLane(placement: .blockingThread, logger: logger) { loop, threads, logger in
                let connection = try await WALSQLiteSource(path: path, threadPool: threads, cacheKiB: 65_536)
                    .makeConnection(logger: logger, on: loop).get()
                // Checkpoints run beside the lane (`laneCommitted`), not inside its commits.
                _ = try await connection.query("PRAGMA wal_autocheckpoint = 0").get()
                return .sqlite(connection)
            }
            pool = .sqlite(
                EventLoopGroupConnectionPool(
                    source: WALSQLiteSource(path: path), maxConnectionsPerEventLoop: connectionsPerEventLoop,
                    requestTimeout: .seconds(30), logger: logger, on: group))
        case .postgres(let url, let schema):
            backend = .postgres
            var configuration: SQLPostgresConfiguration
            do { configuration = try SQLPostgresConfiguration(url: url) } catch { throw ServerError.badDatabaseURL(url) }
            if let schema { configuration.searchPath = [schema] }
            // No JIT compilation: every statement here is short, and PostgreSQL's estimates for the small tables
            // autovacuum never analyses (campaigns) pushed the readiness counts past `jit_above_cost`, where
            // compiling took 24–35 ms of a 42 ms statement that runs in under 1 ms without it.
            configuration.coreConfiguration.options.additionalStartupParameters.append(("jit", "off"))
            let laneConfiguration = configuration
            writeLane = WriteLane(placement: .eventLoop, logger: logger) { loop, _, logger in
                .postgres(
                    try await PostgresConnectionSource(sqlConfiguration: laneConfiguration)
                        .makeConnection(logger: logger, on: loop).get())
            }
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

    /// On PostgreSQL, runs `query` on a pooled connection and hands each row to `row`, which decodes its cells by
    /// position (`PostgresRow.decode`); returns false on SQLite, where the caller reads through `withConnection`.
    ///
    /// For reads of many rows: SQLKit's rows look every cell up by its column's name and decode it through a
    /// generic `Decoder`, which took three fifths of the PostgreSQL readiness export's server time. The query's
    /// binds may be texts and integers.
    func forEachPostgresRow(_ query: SQLQueryString, _ row: (PostgresRow) throws -> Void) async throws -> Bool {
        guard case .postgres(let pool) = pool else { return false }
        let connection = try await pool.requestConnection(logger: logger).get()
        defer { pool.releaseConnection(connection, logger: logger) }
        var serializer = SQLSerializer(database: connection.sql(queryLogLevel: nil, logger: logger))
        query.serialize(to: &serializer)
        var binds = PostgresBindings()
        for bind in serializer.binds {
            switch bind {
            case let text as String: binds.append(text)
            case let number as Int64: binds.append(number)
            case let number as Int: binds.append(Int64(number))
            default: throw ServerError.storage("a positional PostgreSQL read binds texts and integers, not \(type(of: bind))")
            }
        }
        for try await each in try await connection.query(PostgresQuery(unsafeSQL: serializer.sql, binds: binds), logger: logger) {
            try row(each)
        }
        return true
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    ///
    /// On SQLite the transaction takes the write lock at once (`BEGIN IMMEDIATE`) so concurrent writers wait
    /// instead of failing on a lock upgrade.
    public func transaction<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        try await transaction(in: .pool, body)
    }

    /// Where a transaction runs: on a pooled connection, or on the write lane's own (`GroupCommit` batches).
    enum TransactionConnection {
        case pool, writeLane
    }

    func transaction<T: Sendable>(in place: TransactionConnection, _ body: (any SQLDatabase) async throws -> T)
        async throws -> T
    {
        let gated = backend == .sqlite
        if gated { await writeGate.acquire() }
        defer { if gated { writeGate.release() } }
        let run: ((any SQLDatabase) async throws -> T) async throws -> T = { inner in
            switch place {
            case .pool: return try await self.withConnection(inner)
            case .writeLane: return try await self.writeLane.withConnection(inner)
            }
        }
        return try await run { db in
            try await db.raw(gated ? "BEGIN IMMEDIATE" : "BEGIN").run()
            do {
                let value = try await body(db)
                try await db.raw("COMMIT").run()
                if gated, place == .writeLane, self.laneCommitted() {
                    // Still holding the write gate, so no frame is added while it runs. Readers in the way make it
                    // return at once (no busy wait), and the log grows until the next try.
                    _ = try? await db.raw("PRAGMA busy_timeout = 0").all()
                    _ = try? await db.raw("PRAGMA wal_checkpoint(RESTART)").all()
                    _ = try? await db.raw("PRAGMA busy_timeout = \(literal: WALSQLiteSource.busyTimeoutMilliseconds)").all()
                }
                return value
            } catch {
                try? await db.raw("ROLLBACK").run()
                throw error
            }
        }
    }

    /// Counts a lane commit on SQLite and starts a passive WAL checkpoint beside the lane when one is due.
    /// Returns true when the lane should restart the log now (a passive checkpoint found it `walRestartFrames` long).
    private func laneCommitted() -> Bool {
        checkpoints.withLock { state in
            if state.restartDue {
                state.restartDue = false
                return true
            }
            state.commitsSince += 1
            guard state.commitsSince >= Self.checkpointEvery, state.running == nil else { return false }
            state.commitsSince = 0
            state.running = Task {
                // One row: busy, the log's length in frames, the frames copied back.
                let frames = try? await self.withConnection { db in
                    try await db.raw("PRAGMA wal_checkpoint(PASSIVE)").first()?.decode(column: "log", as: Int64.self)
                }
                self.checkpoints.withLock { state in
                    state.running = nil
                    if let frames, frames >= self.walRestartFrames { state.restartDue = true }
                }
            }
            return false
        }
    }

    /// Whether `error` is PostgreSQL aborting a transaction that may simply be run again (deadlock, serialization).
    static func isTransient(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError, let state = error.serverInfo?[.sqlState] else { return false }
        return state == "40P01" || state == "40001"
    }

    /// Closes every connection.
    public func shutdown() async {
        await checkpoints.withLock { $0.running }?.value
        switch pool {
        case .sqlite(let pool): try? await pool.shutdownAsync()
        case .postgres(let pool): try? await pool.shutdownAsync()
        }
        await writeLane.shutdown()
    }
}

/// SQLite connections in WAL mode with a busy timeout and foreign keys on; temporary data (a statement's journal,
/// which a multi-row write needs) stays in memory instead of a file created and deleted by every batch.
struct WALSQLiteSource: ConnectionPoolSource, Sendable {
    /// How long a statement waits for a lock another connection holds.
    static let busyTimeoutMilliseconds = 30_000
    let path: String
    /// Where the connection's blocking SQLite calls run.
    var threadPool: NIOThreadPool = .singleton
    /// The most page cache the connection keeps (SQLite's default is 2 MiB). The write lane keeps 64 MiB: a
    /// 100,000-agent fleet's indexes (reports by agent, check states) take inserts all over, and a small cache
    /// reads the same B-tree pages back for every batch. Readers keep 16 MiB each.
    var cacheKiB = 16_384

    func makeConnection(logger: Logger, on eventLoop: any EventLoop) -> EventLoopFuture<SQLiteConnection> {
        SQLiteConnection.open(storage: .file(path: path), threadPool: threadPool, logger: logger, on: eventLoop)
            .flatMap { connection in
                connection.query("PRAGMA busy_timeout = \(Self.busyTimeoutMilliseconds)")
                    .flatMap { _ in connection.query("PRAGMA journal_mode = WAL") }
                    .flatMap { _ in connection.query("PRAGMA synchronous = NORMAL") }
                    .flatMap { _ in connection.query("PRAGMA foreign_keys = ON") }
                    .flatMap { _ in connection.query("PRAGMA temp_store = MEMORY") }
                    .flatMap { _ in connection.query("PRAGMA cache_size = -\(cacheKiB)") }
                    .map { _ in connection }
                    // A file that is not a database fails here: close the handle so the error reaches the caller.
                    .flatMapError { error in connection.close().flatMapThrowing { throw error } }
            }
    }
}

/// A FIFO lock for async code (uncontended, it takes and gives back without a suspension).
final class WriteGate: Sendable {
    private struct State {
        var held = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    func acquire() async {
        if state.withLock({ state in
            guard !state.held else { return false }
            state.held = true
            return true
        }) { return }
        await withCheckedContinuation { continuation in
            let granted = state.withLock { state in
                guard state.held else {
                    state.held = true
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if granted { continuation.resume() }
        }
    }

    func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.waiters.isEmpty else {
                state.held = false
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}
