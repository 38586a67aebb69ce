import Foundation
import Logging
import ServiceLifecycle

/// Takes the day's readiness snapshot (the burn-up history) without anyone calling `POST /snapshots`: at start-up
/// when today's is missing, then every `interval` it looks again, so the first check after midnight (UTC) takes
/// the new day's. Several instances may run it: the repository lets exactly one take each day's snapshot.
public struct DailySnapshotService: Service {
    let repository: any SnapshotRepository
    let interval: Duration
    let logger: Logger
    let now: @Sendable () -> Date

    public init(
        repository: any SnapshotRepository, interval: Duration = .seconds(600), logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.repository = repository
        self.interval = interval
        self.logger = logger
        self.now = now
    }

    init(repository: any SnapshotRepository, configuration: ServerConfiguration, logger: Logger) {
        self.init(
            repository: repository,
            interval: .milliseconds(Int64(max(1, configuration.snapshotCheckSeconds) * 1000)), logger: logger)
    }

    /// The UTC day of `date` as YYYY-MM-DD.
    public static func day(of date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1)
    }

    /// One look: takes today's snapshot if it is missing; returns the day taken, or nil. Errors are logged, not
    /// thrown (the next look tries again).
    @discardableResult
    public func tick() async -> String? {
        let instant = now()
        let day = Self.day(of: instant)
        do {
            guard try await repository.takeSnapshotIfMissing(day: day, now: instant) else { return nil }
            logger.info("snapshot.taken", metadata: ["snapshot.day": "\(day)"])
            return day
        } catch {
            logger.warning(
                "snapshot.failed", metadata: ["snapshot.day": "\(day)", "error": "\(String(describing: error))"])
            return nil
        }
    }

    public func run() async throws {
        // Graceful shutdown cancels the wait; that is the normal way out, not an error (the exit status stays 0).
        await repeatUntilGracefulShutdown(every: interval) { await tick() }
    }
}
