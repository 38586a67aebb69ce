import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresKit
import ServiceLifecycle
import UnixSignals

/// Runs the event bus: on PostgreSQL a LISTEN connection that feeds every notification to this instance's
/// dashboards, reconnecting after `retryDelay` when the connection drops; on SIGTERM/SIGINT it closes the bus at
/// once, so open SSE streams end before the HTTP server waits for in-flight responses.
struct EventBusService: Service {
    let bus: ServerEventBus
    let database: DatabaseLocation
    let logger: Logger
    var retryDelay: Duration = .seconds(1)
    /// Watch the process's termination signals (off in tests that run several instances in one process).
    var watchSignals = true

    func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            if watchSignals {
                group.addTask {
                    for await _ in await UnixSignalsSequence(trapping: .sigterm, .sigint) { bus.close() }
                }
            }
            await cancelWhenGracefulShutdown {
                if case .postgres(let url, _) = database, let channel = bus.channel {
                    await listen(url: url, channel: channel)
                } else {
                    try? await Task.sleep(for: .seconds(365 * 86_400))
                }
            }
            group.cancelAll()
        }
        bus.close()
    }

    /// LISTENs until cancelled, reconnecting when the connection fails.
    func listen(url: String, channel: String) async {
        guard let configuration = try? SQLPostgresConfiguration(url: url) else {
            logger.error("events.listen.bad_url")
            return
        }
        var attempt = 0
        while !Task.isCancelled {
            attempt += 1
            do {
                let connection = try await PostgresConnection.connect(
                    on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration.coreConfiguration,
                    id: attempt, logger: logger)
                do {
                    try await connection.listen(on: channel) { notifications in
                        logger.debug("events.listen.started", metadata: ["events.channel": "\(channel)"])
                        for try await notification in notifications {
                            for event in ServerEventBus.decode(notification.payload) {
                                bus.broadcaster.publish(event)
                            }
                        }
                    }
                } catch {
                    if !Task.isCancelled {
                        logger.warning("events.listen.dropped", metadata: ["error": "\(error)"])
                    }
                }
                try? await connection.close()
            } catch {
                logger.warning("events.listen.connect_failed", metadata: ["error": "\(error)"])
            }
            if Task.isCancelled { break }
            try? await Task.sleep(for: retryDelay)
        }
    }
}
