import Synchronization

/// Counts the speed-test transfers running right now, so `/speed/info` can tell an agent the server was shared.
public final class SpeedTestActivity: Sendable {
    private let active = Atomic<Int>(0)
    private let total = Atomic<Int>(0)

    public init() {}

    /// Transfers running now.
    public var activeTransfers: Int { active.load(ordering: .relaxed) }
    /// Transfers started since launch.
    public var startedTransfers: Int { total.load(ordering: .relaxed) }

    func begin() {
        active.add(1, ordering: .relaxed)
        total.add(1, ordering: .relaxed)
    }

    func end() { active.subtract(1, ordering: .relaxed) }

    /// Runs `body` counted as one active transfer.
    func tracking<T>(_ body: () async throws -> T) async rethrows -> T {
        begin()
        defer { end() }
        return try await body()
    }
}
