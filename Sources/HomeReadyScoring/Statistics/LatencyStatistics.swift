/// Latency, jitter and delay-variation statistics over round-trip samples.
public enum LatencyStatistics {
    /// The `p`-th percentile (0...100) of `values` by linear interpolation between closest ranks
    /// (the method of NumPy's default and Excel's PERCENTILE.INC). Nil for an empty input.
    public static func percentile(_ values: [Double], _ p: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let clamped = Swift.min(Swift.max(p, 0), 100)
        let rank = clamped / 100 * Double(sorted.count - 1)
        let lower = Int(rank.rounded(.down))
        let upper = Swift.min(lower + 1, sorted.count - 1)
        let fraction = rank - Double(lower)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction
    }

    /// Minimum, median and 90th percentile of `values`, or nil when empty.
    public static func summary(_ values: [Double]) -> (min: Double, p50: Double, p90: Double)? {
        guard let minimum = values.min(), let p50 = percentile(values, 50), let p90 = percentile(values, 90) else {
            return nil
        }
        return (minimum, p50, p90)
    }

    /// RFC 3550 §6.4.1 interarrival jitter: for consecutive packets i, j in arrival order,
    /// D(i,j) = (Rj − Ri) − (Sj − Si) and J += (|D(i,j)| − J) / 16. Returns the final J.
    ///
    /// `packets` are (send time, receive time) pairs in any unit; the result is in the same unit. Pairs must be in
    /// arrival order. Nil with fewer than two packets.
    public static func rfc3550Jitter(_ packets: [(sent: Double, received: Double)]) -> Double? {
        guard packets.count >= 2 else { return nil }
        var jitter = 0.0
        for index in 1..<packets.count {
            let previous = packets[index - 1]
            let current = packets[index]
            let d = (current.received - previous.received) - (current.sent - previous.sent)
            jitter += (abs(d) - jitter) / 16
        }
        return jitter
    }

    /// RFC 3550 jitter over round-trip times of an isochronous stream: each RTT is the transit time of one echo,
    /// so D is the difference of consecutive RTTs. Equivalent to `rfc3550Jitter` with send times shared.
    public static func rfc3550Jitter(rtts: [Double]) -> Double? {
        rfc3550Jitter(rtts.map { (sent: 0, received: $0) })
    }

    /// Instantaneous packet delay variation (RFC 5481 IPDV as irtt reports it): RTT(n) − RTT(n−1) for
    /// consecutive answered probes.
    public static func ipdv(_ rtts: [Double]) -> [Double] {
        guard rtts.count >= 2 else { return [] }
        return (1..<rtts.count).map { rtts[$0] - rtts[$0 - 1] }
    }

    /// Mean absolute difference of consecutive samples (Cloudflare's jitter figure), nil with fewer than two.
    public static func meanAbsoluteDifference(_ values: [Double]) -> Double? {
        let deltas = ipdv(values)
        guard !deltas.isEmpty else { return nil }
        return deltas.reduce(0) { $0 + abs($1) } / Double(deltas.count)
    }

    /// Round trips per minute from working-latency samples in milliseconds: 60000 / trimmed mean, dropping the
    /// highest and lowest 5% as the IETF responsiveness draft suggests. Nil for an empty input.
    public static func roundTripsPerMinute(_ rttsMs: [Double]) -> Double? {
        guard !rttsMs.isEmpty else { return nil }
        let sorted = rttsMs.sorted()
        let trim = Int(Double(sorted.count) * 0.05)
        let kept = sorted.count - 2 * trim > 0 ? Array(sorted[trim..<(sorted.count - trim)]) : sorted
        let mean = kept.reduce(0, +) / Double(kept.count)
        guard mean > 0 else { return nil }
        return 60_000 / mean
    }
}

/// Counts of an echo probe stream judged by sequence numbers.
public struct SequenceAnalysis: Sendable, Equatable {
    /// Probes sent.
    public var sent: Int
    /// Probes never answered.
    public var lost: Int
    /// Answers that arrived after an answer with a higher sequence number.
    public var reordered: Int
    /// Extra copies of answers already received.
    public var duplicated: Int

    /// Analyses the sequence numbers of answers in arrival order against `sent` probes numbered 0..<sent.
    public init(sent: Int, arrivals: [Int]) {
        var seen = Set<Int>()
        var highest = -1
        var reordered = 0
        var duplicated = 0
        for sequence in arrivals where sequence >= 0 && sequence < sent {
            if seen.contains(sequence) {
                duplicated += 1
                continue
            }
            seen.insert(sequence)
            if sequence < highest { reordered += 1 }
            highest = Swift.max(highest, sequence)
        }
        self.sent = sent
        self.lost = sent - seen.count
        self.reordered = reordered
        self.duplicated = duplicated
    }

    /// Lost share in percent (0 when nothing was sent).
    public var lossPercent: Double { sent == 0 ? 0 : Double(lost) / Double(sent) * 100 }
}
