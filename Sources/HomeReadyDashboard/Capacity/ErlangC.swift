import Foundation

/// Erlang C staffing math (internal until `HomeReadyScoring.ErlangC` lands on main; then it delegates).
enum DashboardErlangC {
    /// Probability that a call waits, with `agents` agents and `traffic` Erlangs offered (Erlang C formula via
    /// the stable Erlang B recursion).
    static func probabilityOfWaiting(agents: Int, traffic: Double) -> Double {
        guard agents > 0 else { return 1 }
        if Double(agents) <= traffic { return 1 }
        var b = 1.0
        for n in 1...agents { b = traffic * b / (Double(n) + traffic * b) }
        let n = Double(agents)
        return n * b / (n - traffic * (1 - b))
    }

    /// Share of calls answered within `target` seconds.
    static func serviceLevel(agents: Int, traffic: Double, ahtSeconds: Double, targetSeconds: Double) -> Double {
        guard agents > 0, Double(agents) > traffic else { return 0 }
        let pw = probabilityOfWaiting(agents: agents, traffic: traffic)
        return max(0, 1 - pw * exp(-(Double(agents) - traffic) * targetSeconds / ahtSeconds))
    }

    /// The result of staffing one forecast.
    struct Staffing: Sendable, Equatable {
        /// Offered load in Erlangs.
        var traffic: Double
        /// Agents needed on the phones.
        var onPhones: Int
        /// Agents needed on the roster once shrinkage is added.
        var rostered: Int
        /// Service level at `onPhones`.
        var serviceLevel: Double
    }

    static func staffing(_ f: CapacityForecast) -> Staffing {
        let traffic = f.callsPerInterval * f.ahtSeconds / max(f.intervalSeconds, 1)
        var n = max(1, Int(traffic.rounded(.down)) + 1)
        var sl = serviceLevel(agents: n, traffic: traffic, ahtSeconds: f.ahtSeconds, targetSeconds: f.answerWithinSeconds)
        while sl < f.serviceLevel && n < 100_000 {
            n += 1
            sl = serviceLevel(agents: n, traffic: traffic, ahtSeconds: f.ahtSeconds, targetSeconds: f.answerWithinSeconds)
        }
        let rostered = Int((Double(n) / max(1 - f.shrinkage, 0.01)).rounded(.up))
        return Staffing(traffic: traffic, onPhones: n, rostered: rostered, serviceLevel: sl)
    }

    /// Service level that `readyAgents` on the roster can hold after shrinkage.
    static func heldServiceLevel(readyAgents: Int, forecast f: CapacityForecast) -> Double {
        let traffic = f.callsPerInterval * f.ahtSeconds / max(f.intervalSeconds, 1)
        let onPhones = Int((Double(readyAgents) * (1 - f.shrinkage)).rounded(.down))
        return serviceLevel(agents: onPhones, traffic: traffic, ahtSeconds: f.ahtSeconds, targetSeconds: f.answerWithinSeconds)
    }
}
