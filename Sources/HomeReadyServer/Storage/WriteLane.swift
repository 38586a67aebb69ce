import Logging
import NIOCore
import NIOPosix
import PostgresKit
import SQLKit
import SQLiteKit
import Synchronization

/// The write lane's own thread and connection: group-committed batches (`GroupCommit`) run here.
///
/// The lane's code runs on a thread of its own (`executor`, used as the batch's task executor), so a batch's
/// statements follow one another without waiting for a thread shared with request handlers or reads:
/// - SQLite: the thread of the connection's blocking calls (`ThreadPoolTaskExecutor`), so issuing a statement,
///   running it and going on to the next never changes thread;
/// - PostgreSQL: the event loop the connection lives on (`EventLoopTaskExecutor`).
///
/// A broken connection is opened again on next use.
final class WriteLane: Sendable {
    /// The lane's database connection.
    enum Connection: Sendable {
        case sqlite(SQLiteConnection)
        case postgres(PostgresConnection)

        var isClosed: Bool {
            switch self {
            case .sqlite(let connection): return connection.isClosed
            case .postgres(let connection): return connection.isClosed
            }
        }

        func sql(logger: Logger) -> any SQLDatabase {
            switch self {
            case .sqlite(let connection): return connection.sql(queryLogLevel: nil)
            case .postgres(let connection): return connection.sql(queryLogLevel: nil, logger: logger)
            }
        }

        func close() async {
            switch self {
            case .sqlite(let connection): try? await connection.close().get()
            case .postgres(let connection): try? await connection.close().get()
            }
        }
    }

    /// Opens a connection on the lane's event loop (SQLite's blocking work on the given thread pool).
    typealias Opener = @Sendable (any EventLoop, NIOThreadPool, Logger) async throws -> Connection

    /// Where the lane's code runs.
    enum Placement: Sendable {
        /// On the thread of the connection's blocking calls (SQLite).
        case blockingThread
        /// On the connection's event loop (PostgreSQL).
        case eventLoop
    }

    let executor: any TaskExecutor
    private let group: MultiThreadedEventLoopGroup
    private let loop: any EventLoop
    private let threadPool: NIOThreadPool
    private let open: Opener
    private let logger: Logger
    private let connection = Mutex<Connection?>(nil)

    init(placement: Placement, logger: Logger, open: @escaping Opener) {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        loop = group.next()
        threadPool = NIOThreadPool(numberOfThreads: 1)
        threadPool.start()
        switch placement {
        case .blockingThread: executor = ThreadPoolTaskExecutor(pool: threadPool)
        case .eventLoop: executor = EventLoopTaskExecutor(loop: loop)
        }
        self.open = open
        self.logger = logger
    }

    /// Runs `body` with the lane's connection (batches run one at a time, so it is never shared).
    func withConnection<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        let current: Connection
        if let open = connection.withLock({ $0 }), !open.isClosed {
            current = open
        } else {
            current = try await open(loop, threadPool, logger)
            connection.withLock { $0 = current }
        }
        return try await body(current.sql(logger: logger))
    }

    /// Closes the connection and stops the lane's threads.
    func shutdown() async {
        if let open = connection.withLock({ $0.take() }) { await open.close() }
        try? await threadPool.shutdownGracefully()
        try? await group.shutdownGracefully()
    }
}
