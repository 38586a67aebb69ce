import HomeReadyTransport

/// Decides, from byte-count samples, when to add streams, when the rate is steady and when to stop; then computes
/// the steady-state rate. Pure: tested with synthetic samples.
///
/// Method (every time scale grows with the path's round trip, `roundTripSeconds`, so a long path gets as many round
/// trips to settle as a short one):
/// - Start with `initialStreams`. A **stage** keeps the stream count fixed; its first `settleSeconds` (slow start
///   of the new streams) are never measured.
/// - **Ramp-up end**, found where it happens rather than after a fixed cutoff: the stage's level is the median
///   `windowSeconds` window rate of the latter half of the stage so far; the ramp-up ends at the first moment from
///   which two consecutive windows both reach `1 − levelTolerance` of it.
/// - The rate **holds still** over a span when the least-squares rates of its two halves differ by less than
///   `trendLimit` (no climb left) and its windows vary by less than `stableSpread` (coefficient of variation; half
///   windows less than twice that) with a relative standard error under `precision`: a noisy rate (long paths,
///   where kernel counters advance in bursts) needs a longer span to be known as well.
/// - When a stage has levelled off (ramp-up over, no trend since) or `stageTimeoutSeconds` passed, more streams are
///   tried (the count doubles, up to `maxStreams`) if the level beat the previous stage's by more than `rampGain`,
///   or, for the first stage, if each stream carries more than `streamWindowBytes` in flight (the
///   bandwidth-delay product over the streams), as long as a new stage still fits before `maxSeconds`.
/// - The **steady phase** of the final stage runs from its ramp-up end, or from where the backlog held back then
///   (bytes behind the slow-start losses, counted only when their retransmissions arrive) has arrived, when that
///   step would move the rate by more than `precision` (see `caughtUp`). Dips after it (loss recoveries) stay
///   in, as in iperf3's mean after its omitted warm-up. **Stop** once it lasts `minSteadySeconds` (3 s, at least 25
///   round trips) and all of it holds still with halves within `stopTrendLimit`; otherwise at `maxSeconds`.
/// - The **rate** is the least-squares slope of the byte count over the steady phase (see `slope`); when the
///   ramp-up never ended, over the last half of the final stage.
public struct ThroughputController: Sendable {
    public var initialStreams = 4
    public var maxStreams = 16
    /// The path's round trip (idle latency measured before the transfer); sets the time scales below.
    public var roundTripSeconds = 0.05
    public var rampGain = 0.10
    /// Largest coefficient of variation of the windows' rates in a plateau.
    public var stableSpread = 0.05
    /// Largest relative standard error of the plateau's rate (the windows' coefficient of variation over the
    /// square root of their count) that ends the test: a noisy rate needs a longer plateau to be known as well.
    public var precision = 0.01
    /// Largest relative difference between the two halves of a plateau (a rate still rising is not a plateau).
    public var trendLimit = 0.03
    /// The same limit for the early stop, stricter: after slow start a long path often sits a few per cent under
    /// the link for seconds while congestion avoidance climbs (seen: 94 % for 2 s at 50 ms and 500 Mbit/s).
    public var stopTrendLimit = 0.015
    /// How far below the stage's level (median window rate of its latter half) the ramp-up counts as not over.
    public var levelTolerance = 0.10
    /// Bytes in flight per stream above which the first stage tries more streams: about half of what one Linux
    /// stream's autotuned buffers carry (rmem 6 MiB, wmem 4 MiB), where a stream may become window-limited.
    /// Below it more streams only add slow-start losses (tried: 4 → 8 streams at 500 Mbit/s and 80 ms cost 10 %).
    public var streamWindowBytes = 2_000_000.0
    public var maxSeconds = 8.0
    /// Smallest plateau that ends the test early (raised to 25 round trips on long paths).
    public var baseSteadySeconds = 3.0

    /// Length of the windows whose spread is checked.
    public var windowSeconds: Double { min(1, max(0.5, 4 * roundTripSeconds)) }
    /// The start of a stage that is never measured: slow start of its new streams.
    public var settleSeconds: Double { max(0.5, 8 * roundTripSeconds) }
    /// How long a plateau must last before the test stops early.
    public var minSteadySeconds: Double { max(baseSteadySeconds, 25 * roundTripSeconds) }
    /// How long a stage may wait for a plateau before the stream decision is taken anyway.
    public var stageTimeoutSeconds: Double { max(2.5, 30 * roundTripSeconds, settleSeconds + 5 * windowSeconds) }

    private(set) var streams: Int
    private(set) var stageStart = 0.0
    private(set) var previousStageRate: Double?
    /// When the final stage's plateau began (set once the stream count is final and the rate held still).
    public private(set) var steadyStart: Double?
    /// True once the stream count is final.
    public private(set) var streamsFinal = false

    public init(
        maxSeconds: Double = 8.0, initialStreams: Int = 4, maxStreams: Int = 16, roundTripSeconds: Double? = nil
    ) {
        self.maxSeconds = maxSeconds
        self.initialStreams = initialStreams
        self.maxStreams = maxStreams
        if let roundTripSeconds, roundTripSeconds > 0 { self.roundTripSeconds = min(roundTripSeconds, 0.5) }
        streams = initialStreams
    }

    /// Bytes per second between two times, read from the samples (nil when the span has no samples).
    public static func rate(_ samples: [ThroughputSample], from start: Double, to end: Double) -> Double? {
        guard end > start, let firstIndex = lastIndex(samples, atOrBefore: start) ?? (samples.isEmpty ? nil : 0),
            let lastIndex = lastIndex(samples, atOrBefore: end)
        else { return nil }
        let first = samples[firstIndex]
        let last = samples[lastIndex]
        guard last.elapsedSeconds > first.elapsedSeconds else { return nil }
        return Double(last.totalBytes - first.totalBytes) / (last.elapsedSeconds - first.elapsedSeconds)
    }

    /// Bytes per second over `[start, end]` as the least-squares slope of the byte count against time. Kernel
    /// counters advance in bursts on a long path (in-order bytes only: a lost segment holds back everything behind
    /// it until its retransmission arrives, up to a round trip of data); the slope weighs such a burst at either
    /// end of the span far less than a difference of two counts does. Nil with fewer than three samples.
    public static func slope(_ samples: [ThroughputSample], from start: Double, to end: Double) -> Double? {
        guard end > start, let last = lastIndex(samples, atOrBefore: end) else { return nil }
        let first = (lastIndex(samples, atOrBefore: start) ?? -1) + 1
        guard last - first >= 2 else { return nil }
        let span = samples[first...last]
        let count = Double(span.count)
        let meanTime = span.reduce(0) { $0 + $1.elapsedSeconds } / count
        let meanBytes = span.reduce(0) { $0 + Double($1.totalBytes) } / count
        var covariance = 0.0
        var variance = 0.0
        for sample in span {
            let dt = sample.elapsedSeconds - meanTime
            covariance += dt * (Double(sample.totalBytes) - meanBytes)
            variance += dt * dt
        }
        return variance > 0 ? covariance / variance : nil
    }

    /// The index of the last sample taken at or before `time` (samples are in time order), by binary search.
    static func lastIndex(_ samples: [ThroughputSample], atOrBefore time: Double) -> Int? {
        var low = 0
        var high = samples.count
        while low < high {
            let middle = (low + high) / 2
            if samples[middle].elapsedSeconds <= time { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? nil : low - 1
    }

    /// Whether the rate holds still over `[start, end]`: halves agree within `trendLimit`, windows within
    /// `stableSpread` (half-width windows within twice that). With `checkSpread` false only the halves count (a
    /// noisy but level rate).
    func holdsStill(
        _ samples: [ThroughputSample], from start: Double, to end: Double, checkSpread: Bool = true,
        trend: Double? = nil
    ) -> Bool {
        let middle = (start + end) / 2
        guard let first = Self.slope(samples, from: start, to: middle),
            let second = Self.slope(samples, from: middle, to: end),
            first > 0, second > 0, abs(second - first) / max(first, second) < (trend ?? trendLimit)
        else { return false }
        if !checkSpread { return true }
        // Windows of two widths, so an oscillation the longer windows happen to straddle evenly still shows.
        let count = max(2, Int(((end - start) / windowSeconds).rounded(.down)))
        guard let spread = Self.spread(samples, from: start, to: end, windows: count), spread < stableSpread,
            spread / Double(count).squareRoot() < precision,
            let fineSpread = Self.spread(samples, from: start, to: end, windows: 2 * count),
            fineSpread < 2 * stableSpread
        else { return false }
        return true
    }

    /// The coefficient of variation of the rates of `windows` equal windows covering `[start, end]`.
    static func spread(_ samples: [ThroughputSample], from start: Double, to end: Double, windows count: Int) -> Double?
    {
        let width = (end - start) / Double(count)
        let rates = (0..<count).compactMap { index in
            rate(samples, from: start + Double(index) * width, to: start + Double(index + 1) * width)
        }
        guard rates.count == count else { return nil }
        let mean = rates.reduce(0, +) / Double(count)
        guard mean > 0 else { return nil }
        let variance = rates.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(count)
        return variance.squareRoot() / mean
    }

    /// Where the ramp-up of the stage measured from `earliest` ended by `end`: the first moment from which two
    /// consecutive windows both reach `1 − levelTolerance` of the level, the median window rate of the latter half
    /// of `[earliest, end]`. Nil while no such moment leaves `minimum` seconds before `end`.
    func rampEnd(_ samples: [ThroughputSample], earliest: Double, end: Double, minimum: Double) -> Double? {
        let window = windowSeconds
        guard end - earliest >= minimum + window else { return nil }
        let middle = (earliest + end) / 2
        let count = max(1, Int(((end - middle) / window).rounded(.down)))
        let width = (end - middle) / Double(count)
        let levels = (0..<count).compactMap { index in
            Self.rate(samples, from: middle + Double(index) * width, to: middle + Double(index + 1) * width)
        }.sorted()
        guard !levels.isEmpty else { return nil }
        let level = levels[levels.count / 2]
        guard level > 0 else { return nil }
        let floor = level * (1 - levelTolerance)
        var start = earliest
        while end - start >= minimum - 1e-9 {
            if let first = Self.rate(samples, from: start, to: start + window), first >= floor,
                let second = Self.rate(samples, from: start + window, to: start + 2 * window), second >= floor
            {
                return start
            }
            start += 0.1
        }
        return nil
    }

    /// Where a steady phase found to start at `start` (a ramp-up end) may be measured from, up to `end`: after
    /// the last **jump** in the first half of the span that releases bytes held back long enough to move the
    /// rate.
    ///
    /// The kernel counts in-order bytes only. The slow-start losses leave bytes behind holes in the receivers'
    /// out-of-order queues, and they are counted all at once when the retransmissions arrive, one round trip or
    /// many (a lost retransmission waits for a timeout) later. The ramp-up test passes while such a backlog is
    /// still pending, or still growing behind one stream's hole, as long as the rest arrives at 90 % of the
    /// level; the jump then lands inside the steady phase and lifts the least-squares slope (a step of h bytes
    /// over T seconds by up to 1.5 h / T): 80 ms at 25 Mbit/s read 5.7 % above what the link can carry.
    ///
    /// On the line `bytes − level · time` a link delivering at the level runs flat and held-back bytes show as a
    /// dip that the jump closes. A **jump** is a rise of that line within two round trips (at least 0.15 s, one
    /// sample interval and a half: a retransmission's bytes arrive within about one) by more than
    /// `levelTolerance` of a window's bytes, the shortfall the ramp-up test lets pass. A rate that varies
    /// climbs far more slowly: 20 % above the level for two round trips at 80 ms is under two thirds of it.
    /// What the jump released was missing since the line was last as high as its level after the jump (its
    /// median over the next window), or since `start`, as long as the dip is no deeper than 1.5 times what the
    /// jump rose within two round trips. The slope's error from those missing bytes is computed exactly (the
    /// slope of the dip they leave); when it exceeds `precision` of the level the phase starts where the line
    /// first reaches that level after the jump: everything held back has arrived. Ordinary loss recoveries dip
    /// for a round trip and move the slope far less. Only the first half is searched, so at least half of the
    /// span is measured. The level is the larger of the median window rate and the slope of the second half,
    /// neither of which a jump early on moves.
    func caughtUp(_ samples: [ThroughputSample], from start: Double, to end: Double) -> Double {
        let span = end - start
        let count = Int((span / windowSeconds).rounded(.down))
        let first = (Self.lastIndex(samples, atOrBefore: start) ?? -1) + 1
        guard count >= 3, let last = Self.lastIndex(samples, atOrBefore: end), last - first >= 2 else { return start }
        let width = span / Double(count)
        let rates = (0..<count).compactMap { index in
            Self.rate(samples, from: start + Double(index) * width, to: start + Double(index + 1) * width)
        }.sorted()
        guard !rates.isEmpty else { return start }
        let level = max(rates[rates.count / 2], Self.slope(samples, from: start + span / 2, to: end) ?? 0)
        guard level > 0 else { return start }
        // The samples `slope` uses for [start, end], and the count above the level's line at each.
        let times = samples[first...last].map(\.elapsedSeconds)
        let line = samples[first...last].map { Double($0.totalBytes) - level * $0.elapsedSeconds }
        let meanTime = times.reduce(0, +) / Double(times.count)
        let variance = times.reduce(0) { $0 + ($1 - meanTime) * ($1 - meanTime) }
        guard variance > 0 else { return start }
        let window = windowSeconds + 1e-9
        let jumpSpan = max(0.15, 2 * roundTripSeconds) + 1e-9
        var caughtUp: Int?
        var rises = Set<Int>()
        for index in times.indices.dropFirst() where times[index] <= start + span / 2 {
            // A jump: the line rose above its lowest point of the two round trips before by more than the
            // tolerance (samples after it that still see the same lowest point belong to the same rise).
            guard let lowest = times.indices.filter({ $0 <= index && times[index] - times[$0] <= jumpSpan })
                .min(by: { line[$0] < line[$1] }),
                line[index] - line[lowest] > levelTolerance * level * windowSeconds, rises.insert(lowest).inserted
            else { continue }
            // The line's level after the jump (its median over a window), where it first gets there, and the dip
            // before the jump that those bytes filled.
            let after = times.indices.filter { $0 >= index && times[$0] - times[index] <= window }.map { line[$0] }
            let settled = after.sorted()[after.count / 2]
            guard let arrived = times.indices.first(where: { $0 >= index && line[$0] >= settled }) else { continue }
            // The jump cannot have released more than it rose (including the two round trips after it, as the
            // streams' retransmissions land one after the other): a dip deeper by half again is a slower
            // stretch of the link, which stays in.
            let rise = times.indices.filter { $0 >= index && times[$0] - times[index] <= jumpSpan }
                .map { line[$0] }.max().map { $0 - line[lowest] } ?? 0
            var inflation = 0.0
            var earlier = index - 1
            while earlier >= 0, line[earlier] < settled, settled - line[earlier] <= 1.5 * rise {
                inflation += (meanTime - times[earlier]) * (settled - line[earlier])
                earlier -= 1
            }
            if inflation / variance > precision * level { caughtUp = arrived }
        }
        return caughtUp.map { times[$0] } ?? start
    }

    /// The next step given every sample so far.
    public mutating func decide(_ samples: [ThroughputSample]) -> ParallelDecision {
        guard let now = samples.last?.elapsedSeconds else { return .keepGoing }
        if now >= maxSeconds { return .stop }
        let measurable = stageStart + settleSeconds
        if !streamsFinal {
            // Stream decisions need the level the stage reached: its ramp-up over and no trend since.
            let level = rampEnd(samples, earliest: measurable, end: now, minimum: 3 * windowSeconds)
                .flatMap { start in holdsStill(samples, from: start, to: now, checkSpread: false) ? start : nil }
            guard level != nil || now - stageStart >= stageTimeoutSeconds else { return .keepGoing }
            let stageRate =
                level.flatMap { Self.slope(samples, from: $0, to: now) }
                ?? Self.slope(samples, from: max(measurable, now - 2 * windowSeconds), to: now) ?? 0
            // A stage that never levelled off says nothing about more streams (its rate was still climbing).
            let wantsMore =
                level != nil
                && (previousStageRate.map { stageRate > $0 * (1 + rampGain) }
                    ?? (stageRate * roundTripSeconds / Double(streams) > streamWindowBytes))
            // A new stage needs its settling time, its ramp-up and a steady phase before the deadline.
            let fits = now + settleSeconds + 2 * windowSeconds + minSteadySeconds <= maxSeconds
            if wantsMore && streams < maxStreams && stageRate > 0 && fits {
                previousStageRate = stageRate
                streams = min(maxStreams, streams * 2)
                stageStart = now
                return .useStreams(streams)
            }
            streamsFinal = true
        }
        // The steady phase runs from the end of the ramp-up; it stops the test once all of it holds still. Dips
        // after the ramp (loss recoveries) stay in: they are part of what the link gives, as in iperf3's mean
        // after its omitted warm-up.
        guard let rampEnded = rampEnd(samples, earliest: measurable, end: now, minimum: minSteadySeconds) else {
            return .keepGoing
        }
        let start = caughtUp(samples, from: rampEnded, to: now)
        guard now - start >= minSteadySeconds - 1e-9, holdsStill(samples, from: start, to: now, trend: stopTrendLimit)
        else { return .keepGoing }
        steadyStart = start
        return .stop
    }

    /// The steady-state rate in bytes per second once the transfer ended, and the span it covers.
    public func steadyRate(_ samples: [ThroughputSample]) -> (bytesPerSecond: Double, seconds: Double)? {
        guard let end = samples.last?.elapsedSeconds else { return nil }
        let measurable = min(stageStart + settleSeconds, max(0, end - 2 * windowSeconds))
        var start: Double
        if let steadyStart {
            start = steadyStart
        } else if let plateau = rampEnd(
            samples, earliest: measurable, end: end, minimum: min(minSteadySeconds, max(1, (end - measurable) / 2)))
        {
            // The deadline came before the steady phase was quiet: all of it since the ramp-up ended and the
            // backlog held back then arrived.
            start = caughtUp(samples, from: plateau, to: end)
        } else {
            // The rate never held still: the last half of the final stage, at least its last minSteadySeconds.
            start = max(measurable, min((measurable + end) / 2, end - minSteadySeconds))
        }
        if end - start < windowSeconds { start = max(0, end - 2 * windowSeconds) }
        guard let rate = Self.slope(samples, from: start, to: end) ?? Self.rate(samples, from: start, to: end) else {
            return nil
        }
        return (rate, end - start)
    }
}
