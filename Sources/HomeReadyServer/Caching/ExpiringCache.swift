import Foundation
import Synchronization

/// A small in-process cache whose entries expire after a fixed time-to-live.
///
/// It is a cache that may be stale, never the source of truth: with several instances each keeps its own, and
/// a change made anywhere shows everywhere within `ttl`. The clock is injected so tests control time.
final class ExpiringCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Entry {
        var value: Value
        var expires: ContinuousClock.Instant
    }

    let ttl: Duration
    let capacity: Int
    private let now: @Sendable () -> ContinuousClock.Instant
    private let entries = Mutex<[Key: Entry]>([:])

    /// A cache keeping each value `ttl` (zero or less turns it off), holding at most `capacity` entries.
    init(
        ttl: Duration, capacity: Int = 10_000,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) {
        self.ttl = ttl
        self.capacity = max(1, capacity)
        self.now = now
    }

    /// The cached value when present and fresh.
    func value(for key: Key) -> Value? {
        guard ttl > .zero else { return nil }
        let instant = now()
        return entries.withLock { entries in
            guard let entry = entries[key] else { return nil }
            if entry.expires <= instant {
                entries[key] = nil
                return nil
            }
            return entry.value
        }
    }

    /// Stores `value`; when full, expired entries go first, then everything (the cache simply refills).
    func store(_ value: Value, for key: Key) {
        guard ttl > .zero else { return }
        let instant = now()
        entries.withLock { entries in
            if entries.count >= capacity {
                entries = entries.filter { $0.value.expires > instant }
                if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            }
            entries[key] = Entry(value: value, expires: instant + ttl)
        }
    }

    /// The cached value, or `load`'s result (cached). Concurrent misses may each load; the last one wins.
    func value(for key: Key, load: () async throws -> Value) async rethrows -> Value {
        if let cached = value(for: key) { return cached }
        let loaded = try await load()
        store(loaded, for: key)
        return loaded
    }

    /// Forgets everything.
    func removeAll() {
        entries.withLock { $0.removeAll() }
    }
}
