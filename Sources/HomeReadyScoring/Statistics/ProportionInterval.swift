/// A confidence interval for a proportion, such as the share of probes lost.
public struct ProportionInterval: Sendable, Equatable {
    /// Lower and upper bounds, as shares (0...1).
    public var lower: Double
    public var upper: Double

    public init(lower: Double, upper: Double) {
        self.lower = lower
        self.upper = upper
    }

    /// The Wilson score interval (Wilson 1927) for `successes` out of `trials` at the normal quantile `z`
    /// (1.959964 for 95%). Unlike the normal approximation it stays inside 0...1 and is sound for rare events:
    /// 0 lost of 250 gives 0–1.5%, not 0–0%. Nil when `trials` is 0.
    public static func wilson(successes: Int, trials: Int, z: Double = 1.959964) -> ProportionInterval? {
        guard trials > 0 else { return nil }
        let n = Double(trials)
        let p = Double(min(max(successes, 0), trials)) / n
        let z2 = z * z
        let centre = (p + z2 / (2 * n)) / (1 + z2 / n)
        let half = z / (1 + z2 / n) * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot()
        return ProportionInterval(lower: max(0, centre - half), upper: min(1, centre + half))
    }

    /// Where the interval lies against a limit on the share: below it, above it, or straddling it.
    public func decide(limit: Double) -> LimitDecision {
        if upper <= limit { return .withinLimit }
        if lower > limit { return .overLimit }
        return .undecided
    }

    /// The fewest trials for which zero successes puts the Wilson upper bound at or below `limit`: how long a
    /// stream must be for a clean link to prove it is within a loss limit.
    public static func trialsToProveZero(below limit: Double, z: Double = 1.959964) -> Int {
        guard limit > 0 else { return Int.max }
        guard limit < 1 else { return 1 }
        // Zero successes: upper = z² / (n + z²) ≤ limit  ⇔  n ≥ z² (1 − limit) / limit.
        return Int((z * z * (1 - limit) / limit).rounded(.up))
    }
}

/// A figure's confidence interval against a limit.
public enum LimitDecision: Sendable, Equatable {
    case withinLimit, overLimit, undecided
}
