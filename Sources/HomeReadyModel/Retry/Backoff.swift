import Foundation

/// Exponential backoff, the one schedule for every retry (the agent's uploads, the server's webhooks).
///
/// The wait after the n-th failed attempt is `initialDelay · multiplier^(n−1)`, capped at `maximumDelay`, then
/// spread by `jitter` so that clients which failed together do not all retry together.
public struct Backoff: Sendable, Equatable {
    /// How a wait is spread around its capped exponential ceiling.
    public enum Jitter: Sendable, Equatable {
        /// Anywhere from 0 up to the ceiling ("full jitter"): many agents retrying against one server.
        case full
        /// The ceiling ± this fraction (0.1 is ±10 %): a schedule an operator can still read, like webhooks'.
        case proportional(Double)
    }

    /// The ceiling after the first failed attempt, in seconds.
    public var initialDelay: Double
    /// The longest wait, in seconds.
    public var maximumDelay: Double
    /// How much the ceiling grows after each failed attempt.
    public var multiplier: Double
    /// How a wait is spread around the ceiling.
    public var jitter: Jitter

    /// Creates a schedule; the defaults double the wait each attempt with full jitter.
    public init(initialDelay: Double, maximumDelay: Double, multiplier: Double = 2, jitter: Jitter = .full) {
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.multiplier = multiplier
        self.jitter = jitter
    }

    /// The capped exponential ceiling after `attempt` failed attempts (counting from 1), in seconds.
    public func ceiling(afterAttempt attempt: Int) -> Double {
        min(maximumDelay, initialDelay * pow(multiplier, Double(max(0, attempt - 1))))
    }

    /// The wait after `attempt` failed attempts (counting from 1), in seconds. `unit` is a random draw in 0..<1
    /// (injected so tests are deterministic).
    public func delay(afterAttempt attempt: Int, unit: Double) -> Double {
        let ceiling = ceiling(afterAttempt: attempt)
        switch jitter {
        case .full: return ceiling * unit
        case .proportional(let spread): return ceiling * (1 - spread + 2 * spread * unit)
        }
    }
}
