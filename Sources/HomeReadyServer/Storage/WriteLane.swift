import Logging
import NIOCore
import NIOPosix
import PostgresKit
import SQLKit
import SQLiteKit
import Synchronization

/// The write lane's own thread and connection: group-committed batches (`GroupCommit`) run here.
///
/// The lane's code runs on one event loop thread (`executor`, used as the batch's task executor) and its
/// connection lives on that same loop (SQLite's with its own blocking thread), so a batch's statements follow one
/// another without waiting for a thread shared with request handlers or reads. A broken connection is opened
/// again on next use.
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

    let executor: EventLoopTaskExecutor
    private let group: MultiThreadedEventLoopGroup
    private let threadPool: NIOThreadPool
    private let open: Opener
    private let logger: Logger
    private let connection = Mutex<Connection?>(nil)

    init(logger: Logger, open: @escaping Opener) {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        threadPool = NIOThreadPool(numberOfThreads: 1)
        threadPool.start()
        executor = EventLoopTaskExecutor(loop: group.next())
        self.open = open
        self.logger = logger
    }

    /// Runs `body` with the lane's connection (batches run one at a time, so it is never shared).
    func withConnection<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        let current: Connection
        if let open = connection.withLock({ $0 }), !open.isClosed {
            current = open
        } else {
            current = try await open(executor.loop, threadPool, logger)
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
