import Foundation
import Logging
import ServiceLifecycle

/// Sweeps the agents whose last report aged out of their campaign's freshness window into the `lapsed` tally
/// (`SQLRepository.sweepLapsedReadiness`) at start-up and then every `interval`, so the readiness counts read
/// only the few agents that aged out since. Counts stay exact between sweeps; a missed sweep only makes them
/// read more. Every instance may run it: the sweeps serialise in the database.
public struct ReadinessLapseService: Service {
    let repository: SQLRepository
    let interval: Duration
    let logger: Logger
    let now: @Sendable () -> Date

    public init(
        repository: SQLRepository, interval: Duration = .seconds(60), logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.repository = repository
        self.interval = interval
        self.logger = logger
        self.now = now
    }

    /// One sweep; returns how many agents moved to `lapsed`, or nil when it failed (logged; the next one retries).
    @discardableResult
    public func tick() async -> Int? {
        do {
            let moved = try await repository.sweepLapsedReadiness(now: now())
            if moved > 0 { logger.debug("readiness.swept", metadata: ["readiness.lapsed": "\(moved)"]) }
            return moved
        } catch {
            logger.warning("readiness.sweep_failed", metadata: ["error": "\(String(describing: error))"])
            return nil
        }
    }

    public func run() async throws {
        await repeatUntilGracefulShutdown(every: interval) { await tick() }
    }
}
