import Foundation
import HomeReadyTestSupport
import Hummingbird
import HummingbirdTesting

@testable import HomeReadyServer

extension Harness {
    /// Runs the full router on a real socket on 127.0.0.1 and hands `body` its port.
    func withLiveServer<T: Sendable>(
        configure: (inout ServerConfiguration) -> Void = { _ in }, _ body: @Sendable (Int) async throws -> T
    ) async throws -> T {
        var configuration = self.configuration
        configure(&configuration)
        return try await runLiveServer(repository: repository, configuration: configuration, body)
    }
}

/// Runs an instance of the server (router, middleware, its own metrics) over `repository` on a free port.
func runLiveServer<T: Sendable>(
    repository: SQLRepository, configuration: ServerConfiguration, _ body: @Sendable (Int) async throws -> T
) async throws -> T {
    let router = buildRouter(
        repository: repository, configuration: configuration, metrics: ServerMetrics(),
        backend: configuration.database.kind)
    let app = Application(
        router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: Harness.logger)
    return try await app.test(.live) { client in
        guard let port = client.port else { throw TestFailure("the live server has no port") }
        return try await body(port)
    }
}

/// A fake monotonic clock for token buckets.
final class FakeClock: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Double = 1000

    var now: Double {
        lock.lock()
        defer { lock.unlock() }
        return value
    }

    func advance(_ seconds: Double) {
        lock.lock()
        value += seconds
        lock.unlock()
    }
}
