import Foundation
import Hummingbird
import HomeReadySpeedTest
import Logging
import NIOCore
import ServiceLifecycle

/// Runs the speed-test routes and the UDP echo responder on `host` (ephemeral ports) for the duration of `body`.
func withSpeedTestServer(
    host: String = "127.0.0.1", extensions: Bool = true,
    _ body: (_ baseURL: String, _ echoPort: Int, _ activity: SpeedTestActivity) async throws -> Void
) async throws {
    let logger = Logger(label: "speedtest-test")
    let echo = try await UDPEchoServer.bind(host: host, port: 0, extensions: extensions, logger: logger)
    let activity = SpeedTestActivity()
    let router = Router(context: BasicSpeedTestRequestContext.self)
    SpeedTestRoutes.add(to: router, configuration: SpeedTestConfiguration(echoPort: echo.localPort), activity: activity)
    let (ports, continuation) = AsyncStream<Int>.makeStream()
    let app = Application(
        router: router, configuration: ApplicationConfiguration(address: .hostname(host, port: 0)),
        onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
    let services = ServiceGroup(configuration: ServiceGroupConfiguration(services: [app], logger: logger))
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await services.run() }
        var iterator = ports.makeAsyncIterator()
        let port = await iterator.next() ?? 0
        let base = host.contains(":") ? "http://[\(host)]:\(port)" : "http://\(host):\(port)"
        do {
            try await body(base, echo.localPort, activity)
        } catch {
            await services.triggerGracefulShutdown()
            try? await echo.close()
            throw error
        }
        await services.triggerGracefulShutdown()
        try await group.waitForAll()
    }
    try await echo.close()
}
