import Foundation
import HomeReadyModel
import Logging
import Synchronization
import Testing

@testable import HomeReadyServer

@Suite("Daily snapshot service")
struct SnapshotTests {
    /// A wall clock the test moves by hand.
    final class WallClock: Sendable {
        private let state: Mutex<Date>
        init(_ date: Date) { state = Mutex(date) }
        var now: Date { state.withLock { $0 } }
        func set(_ date: Date) { state.withLock { $0 = date } }
    }

    @Test("today's snapshot is taken once, the next day's after midnight UTC", arguments: TestBackend.available)
    func oncePerDay(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            _ = try await harness.repository.createAgent(NewAgent(employeeId: "E1", name: "Ada"))
            let clock = WallClock(Date(timeIntervalSince1970: 1_795_996_800 + 23 * 3600))  // 2026-11-30 23:00 UTC
            let service = DailySnapshotService(
                repository: harness.repository, logger: Harness.logger, now: { clock.now })
            #expect(await service.tick() == "2026-11-30")
            #expect(await service.tick() == nil)
            clock.set(clock.now.addingTimeInterval(2 * 3600))
            #expect(await service.tick() == "2026-12-01")
            let history = try await harness.repository.history(scope: .all, scopeId: "all")
            #expect(history.map(\.day) == ["2026-11-30", "2026-12-01"])
            #expect(history.first?.unknown == 1)
        }
    }

    @Test("instances racing for the same day: exactly one takes it", arguments: TestBackend.available)
    func racing(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            let repository = harness.repository
            let now = Date(timeIntervalSince1970: 1_795_996_800)
            let taken = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<8 {
                    group.addTask { try await repository.takeSnapshotIfMissing(day: "2026-11-30", now: now) }
                }
                return try await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
            }
            #expect(taken == 1)
            #expect(try await repository.history(scope: .all, scopeId: "all").count == 1)
        }
    }

    @Test("the running service takes the day's snapshot at start-up when it is missing")
    func atStartup() async throws {
        try await Harness.with(.sqlite) { harness in
            let service = DailySnapshotService(
                repository: harness.repository, interval: .seconds(3600), logger: Harness.logger,
                now: { Date(timeIntervalSince1970: 1_795_996_800) })
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await service.run() }
                var days: [String] = []
                for _ in 0..<100 where days.isEmpty {
                    days = try await harness.repository.history(scope: .all, scopeId: "all").map(\.day)
                    if days.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
                }
                #expect(days == ["2026-11-30"])
                group.cancelAll()
                _ = try? await group.next()
            }
        }
    }
}
