import Foundation
import Synchronization

/// A rate: `burst` requests at once, refilled at `perMinute` requests a minute.
public struct RateLimit: Sendable, Equatable {
    /// Requests allowed at once from one client.
    public var burst: Int
    /// Sustained requests a minute from one client.
    public var perMinute: Double

    public init(burst: Int, perMinute: Double) {
        self.burst = burst
        self.perMinute = perMinute
    }
}

/// Token buckets per key (a client address), with an injected clock so the arithmetic is testable.
///
/// The buckets live in one process: with N instances behind a balancer a client gets up to N times the rate.
public final class TokenBucketLimiter: Sendable {
    /// The answer for one request: allowed, or refused with the seconds until a token is back.
    public enum Decision: Sendable, Equatable {
        case allowed
        case refused(retryAfter: Int)
    }

    private struct Bucket: Sendable {
        var tokens: Double
        var updated: TimeInterval
    }

    public let limit: RateLimit
    private let now: @Sendable () -> TimeInterval
    private let maxKeys: Int
    private let buckets = Mutex<[String: Bucket]>([:])

    /// - Parameters:
    ///   - now: seconds on a monotonic scale (tests pass a fake clock).
    ///   - maxKeys: buckets kept before full ones are forgotten (bounds memory under address spraying).
    public init(
        limit: RateLimit, maxKeys: Int = 50_000,
        now: @escaping @Sendable () -> TimeInterval = { ProcessInfo.processInfo.systemUptime }
    ) {
        self.limit = limit
        self.maxKeys = maxKeys
        self.now = now
    }

    private var ratePerSecond: Double { max(limit.perMinute, 0.000_001) / 60 }

    /// Takes one token for `key` when there is one.
    public func acquire(_ key: String) -> Decision {
        let time = now()
        let capacity = Double(max(limit.burst, 1))
        let rate = ratePerSecond
        return buckets.withLock { buckets in
            var bucket = buckets[key] ?? Bucket(tokens: capacity, updated: time)
            bucket.tokens = min(capacity, bucket.tokens + max(0, time - bucket.updated) * rate)
            bucket.updated = time
            let decision: Decision
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                decision = .allowed
            } else {
                decision = .refused(retryAfter: max(1, Int(((1 - bucket.tokens) / rate).rounded(.up))))
            }
            buckets[key] = bucket
            if buckets.count > maxKeys { Self.prune(&buckets, at: time, capacity: capacity, rate: rate, maxKeys: maxKeys) }
            return decision
        }
    }

    /// Forgets buckets that have refilled (they would start full anyway); then, if still too many, half of them.
    private static func prune(
        _ buckets: inout [String: Bucket], at time: TimeInterval, capacity: Double, rate: Double, maxKeys: Int
    ) {
        buckets = buckets.filter { _, bucket in bucket.tokens + (time - bucket.updated) * rate < capacity }
        if buckets.count > maxKeys {
            buckets = Dictionary(uniqueKeysWithValues: buckets.prefix(maxKeys / 2).map { ($0.key, $0.value) })
        }
    }

    /// How many clients have a bucket (for tests).
    var trackedKeys: Int { buckets.withLock { $0.count } }
}
