import HomeReadyTransport

/// Decides, from byte-count samples, when to add streams, when the rate is steady and when to stop; then computes
/// the steady-state rate. Pure: tested with synthetic samples.
///
/// Method: start with `initialStreams`; every stage lasts `stageSeconds`, of which the first `settleSeconds`
/// are discarded (slow start of the new streams). When a stage's rate beats the previous stage's by more than
/// `rampGain`, the stream count doubles (up to `maxStreams`). Once more streams stop adding rate, the steady
/// phase begins; the test stops when the last four 0.5 s window rates vary by less than `stableSpread`
/// (coefficient of variation) for at least `minSteadySeconds`, or at `maxSeconds`. The reported rate is bytes over
/// time of the steady phase (or of the last stage when the deadline came first).
public struct ThroughputController: Sendable {
    public var initialStreams = 2
    public var maxStreams = 16
    public var stageSeconds = 1.0
    public var settleSeconds = 0.5
    public var rampGain = 0.10
    public var windowSeconds = 0.5
    public var stableSpread = 0.05
    public var minSteadySeconds = 2.0
    public var maxSeconds = 8.0

    private(set) var streams: Int
    private(set) var stageStart = 0.0
    private(set) var previousStageRate: Double?
    /// When the steady phase began (stream count fixed); nil while ramping.
    public private(set) var steadyStart: Double?

    public init(maxSeconds: Double = 8.0, initialStreams: Int = 2, maxStreams: Int = 16) {
        self.maxSeconds = maxSeconds
        self.initialStreams = initialStreams
        self.maxStreams = maxStreams
        streams = initialStreams
    }

    /// Bytes per second between two times, read from the samples (nil when the span has no samples).
    public static func rate(_ samples: [ThroughputSample], from start: Double, to end: Double) -> Double? {
        guard end > start,
            let first = samples.last(where: { $0.elapsedSeconds <= start }) ?? samples.first,
            let last = samples.last(where: { $0.elapsedSeconds <= end }),
            last.elapsedSeconds > first.elapsedSeconds
        else { return nil }
        return Double(last.totalBytes - first.totalBytes) / (last.elapsedSeconds - first.elapsedSeconds)
    }

    /// The next step given every sample so far.
    public mutating func decide(_ samples: [ThroughputSample]) -> ParallelDecision {
        guard let now = samples.last?.elapsedSeconds else { return .keepGoing }
        if now >= maxSeconds { return .stop }
        if steadyStart == nil {
            guard now - stageStart >= stageSeconds else { return .keepGoing }
            let stageRate = Self.rate(samples, from: stageStart + settleSeconds, to: now) ?? 0
            let gained = previousStageRate.map { stageRate > $0 * (1 + rampGain) } ?? true
            if gained && streams < maxStreams && stageRate > 0 {
                previousStageRate = stageRate
                streams = min(maxStreams, streams * 2)
                stageStart = now
                return .useStreams(streams)
            }
            // More streams stopped adding rate: measure from this stage's settled point on.
            steadyStart = stageStart + settleSeconds
            return .keepGoing
        }
        guard let steadyStart, now - steadyStart >= minSteadySeconds else { return .keepGoing }
        let windows = (0..<4).compactMap { index -> Double? in
            let end = now - Double(index) * windowSeconds
            return Self.rate(samples, from: end - windowSeconds, to: end)
        }
        guard windows.count == 4 else { return .keepGoing }
        let mean = windows.reduce(0, +) / 4
        guard mean > 0 else { return .keepGoing }
        let variance = windows.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 4
        return variance.squareRoot() / mean < stableSpread ? .stop : .keepGoing
    }

    /// The steady-state rate in bytes per second once the transfer ended, and the span it covers.
    public func steadyRate(_ samples: [ThroughputSample]) -> (bytesPerSecond: Double, seconds: Double)? {
        guard let end = samples.last?.elapsedSeconds else { return nil }
        var start = steadyStart ?? (stageStart + settleSeconds)
        if end - start < windowSeconds { start = max(0, end - 2 * windowSeconds) }
        guard let rate = Self.rate(samples, from: start, to: end) else { return nil }
        return (rate, end - start)
    }
}
