import Foundation
import Synchronization

/// A small in-process cache whose entries expire after a fixed time-to-live.
///
/// It is a cache that may be stale, never the source of truth: with several instances each keeps its own, and
/// a change made anywhere shows everywhere within `ttl`. The clock is injected so tests control time.
///
/// Concurrent misses of one key share one load (`value(for:load:)`): when a burst of reports finds an entry
/// missing, at start-up or when it expires, one request reads the database and the others wait for its answer.
final class ExpiringCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Entry {
        var value: Value
        var expires: ContinuousClock.Instant
    }

    /// What a caller waiting for another caller's load is given: its value (nil when it found none) or its error.
    private typealias Answer = Result<Value?, any Error>

    private struct State {
        var entries: [Key: Entry] = [:]
        /// The keys being loaded, each with the callers waiting for that load.
        var loading: [Key: [CheckedContinuation<Answer?, Never>]] = [:]
    }

    let ttl: Duration
    let capacity: Int
    private let now: @Sendable () -> ContinuousClock.Instant
    private let state = Mutex(State())

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
        return state.withLock { Self.fresh(key, in: &$0, at: instant) }
    }

    /// Stores `value`; when full, expired entries go first, then everything (the cache simply refills).
    func store(_ value: Value, for key: Key) {
        guard ttl > .zero else { return }
        let instant = now()
        state.withLock { Self.store(value, for: key, in: &$0, at: instant, ttl: ttl, capacity: capacity) }
    }

    /// The cached value, or `load`'s result (cached). Concurrent misses of one key share one load; its error
    /// reaches every caller waiting for it and nothing is cached. A load must not ask for its own key: it would
    /// wait for itself.
    func value(for key: Key, load: () async throws -> Value) async throws -> Value {
        if let cached = value(for: key) { return cached }
        // `load` never answers nil, so neither does the shared load.
        return try await valueIfFound(for: key, load: load)!
    }

    /// The cached value, or `load`'s result, cached unless nil (what is not there yet may appear at once).
    /// Concurrent misses of one key share one load, as in `value(for:load:)`.
    func valueIfFound(for key: Key, load: () async throws -> Value?) async throws -> Value? {
        guard ttl > .zero else { return try await load() }
        if let cached = value(for: key) { return cached }
        while true {
            // Nil: this caller loads. Otherwise the answer of the load it waited for.
            let answer: Answer? = await withCheckedContinuation { continuation in
                let instant = now()
                let cached: Value?? = state.withLock { state in
                    if let fresh = Self.fresh(key, in: &state, at: instant) { return .some(fresh) }
                    if state.loading[key] != nil {
                        state.loading[key]!.append(continuation)
                        return nil
                    }
                    state.loading[key] = []
                    return .some(nil)
                }
                switch cached {
                case .some(.some(let value)): continuation.resume(returning: .success(value))
                case .some(.none): continuation.resume(returning: nil)
                case .none: break  // resumed by the caller loading
                }
            }
            if let answer {
                // A load cancelled with its caller is not this caller's answer: it tries again (and may load).
                if case .failure(let error) = answer, error is CancellationError, !Task.isCancelled { continue }
                return try answer.get()
            }
            let loaded: Answer
            do { loaded = .success(try await load()) } catch { loaded = .failure(error) }
            let instant = now()
            let waiting = state.withLock { state in
                if case .success(let value?) = loaded {
                    Self.store(value, for: key, in: &state, at: instant, ttl: ttl, capacity: capacity)
                }
                return state.loading.removeValue(forKey: key) ?? []
            }
            for waiter in waiting { waiter.resume(returning: loaded) }
            return try loaded.get()
        }
    }

    /// How many callers wait for a load of `key` now (for tests).
    func waiting(for key: Key) -> Int {
        state.withLock { $0.loading[key]?.count ?? 0 }
    }

    /// Forgets everything cached (loads under way still answer their callers).
    func removeAll() {
        state.withLock { $0.entries.removeAll() }
    }

    private static func fresh(_ key: Key, in state: inout State, at instant: ContinuousClock.Instant) -> Value? {
        guard let entry = state.entries[key] else { return nil }
        if entry.expires <= instant {
            state.entries[key] = nil
            return nil
        }
        return entry.value
    }

    private static func store(
        _ value: Value, for key: Key, in state: inout State, at instant: ContinuousClock.Instant, ttl: Duration,
        capacity: Int
    ) {
        if state.entries.count >= capacity {
            state.entries = state.entries.filter { $0.value.expires > instant }
            if state.entries.count >= capacity { state.entries.removeAll(keepingCapacity: true) }
        }
        state.entries[key] = Entry(value: value, expires: instant + ttl)
    }
}
