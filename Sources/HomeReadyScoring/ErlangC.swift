import Foundation

/// Erlang C queueing math for contact-center staffing (M/M/N with an infinite queue).
///
/// Traffic A = calls per interval × AHT / interval length (Erlangs). The probability that a call waits, C(N, A),
/// is computed through the Erlang B recursion (B₀ = 1, B_k = A·B_{k−1} / (k + A·B_{k−1});
/// C = B / (1 − (A/N)(1 − B))), stable for thousands of agents.
public enum ErlangC {
    /// Offered traffic in Erlangs.
    public static func traffic(callsPerInterval: Double, ahtSeconds: Double, intervalSeconds: Double) -> Double {
        callsPerInterval * ahtSeconds / intervalSeconds
    }

    /// Probability that a call waits with `agents` agents and `traffic` Erlangs; 1 when agents ≤ traffic.
    public static func probabilityOfWaiting(agents: Int, traffic: Double) -> Double {
        guard traffic > 0 else { return 0 }
        guard Double(agents) > traffic else { return 1 }
        var b = 1.0
        for k in 1...agents {
            b = traffic * b / (Double(k) + traffic * b)
        }
        let n = Double(agents)
        return b / (1 - (traffic / n) * (1 - b))
    }

    /// Share of calls answered within `targetSeconds`: 1 − C·e^(−(N−A)·T/AHT).
    public static func serviceLevel(agents: Int, traffic: Double, ahtSeconds: Double, targetSeconds: Double) -> Double {
        guard traffic > 0 else { return 1 }
        guard Double(agents) > traffic else { return 0 }
        let c = probabilityOfWaiting(agents: agents, traffic: traffic)
        return 1 - c * exp(-(Double(agents) - traffic) * targetSeconds / ahtSeconds)
    }

    /// Average speed of answer in seconds: C·AHT / (N − A); infinite when agents ≤ traffic.
    public static func averageSpeedOfAnswer(agents: Int, traffic: Double, ahtSeconds: Double) -> Double {
        guard traffic > 0 else { return 0 }
        guard Double(agents) > traffic else { return .infinity }
        return probabilityOfWaiting(agents: agents, traffic: traffic) * ahtSeconds / (Double(agents) - traffic)
    }

    /// The fewest agents on the phones holding `serviceLevel` (0…1) within `targetSeconds`.
    public static func agentsRequired(
        traffic: Double, ahtSeconds: Double, serviceLevel target: Double, targetSeconds: Double
    ) -> Int {
        guard traffic > 0 else { return 0 }
        var n = max(1, Int(traffic.rounded(.down)) + 1)
        while serviceLevel(agents: n, traffic: traffic, ahtSeconds: ahtSeconds, targetSeconds: targetSeconds) < target {
            n += 1
        }
        return n
    }

    /// Scheduled heads for `agents` on the phones given shrinkage (0…1): ⌈N / (1 − shrinkage)⌉.
    public static func scheduledHeads(agents: Int, shrinkage: Double) -> Int {
        guard shrinkage > 0, shrinkage < 1 else { return agents }
        return Int((Double(agents) / (1 - shrinkage) - 1e-9).rounded(.up))
    }
}

/// A campaign's forecast for one interval, and what Erlang C makes of it.
public struct CapacityForecast: Codable, Sendable, Equatable {
    public var callsPerInterval: Double
    public var intervalSeconds: Double
    public var ahtSeconds: Double
    /// Target share answered within `targetSeconds`, 0…1 (e.g. 0.8).
    public var serviceLevel: Double
    public var targetSeconds: Double
    /// Share of paid time not on the phones, 0…1 (e.g. 0.3).
    public var shrinkage: Double

    public init(
        callsPerInterval: Double, intervalSeconds: Double = 1800, ahtSeconds: Double, serviceLevel: Double = 0.8,
        targetSeconds: Double = 20, shrinkage: Double = 0.3
    ) {
        self.callsPerInterval = callsPerInterval
        self.intervalSeconds = intervalSeconds
        self.ahtSeconds = ahtSeconds
        self.serviceLevel = serviceLevel
        self.targetSeconds = targetSeconds
        self.shrinkage = shrinkage
    }

    enum CodingKeys: String, CodingKey {
        case callsPerInterval = "calls_per_interval"
        case intervalSeconds = "interval_seconds"
        case ahtSeconds = "aht_seconds"
        case serviceLevel = "service_level"
        case targetSeconds = "target_seconds"
        case shrinkage
    }
}

/// The staffing answer for a forecast against the agents who are ready.
public struct CapacityPlan: Codable, Sendable, Equatable {
    public var trafficErlangs: Double
    /// Agents needed on the phones for the target.
    public var agentsRequired: Int
    /// Heads to schedule for that, after shrinkage.
    public var headsRequired: Int
    public var readyAgents: Int
    /// Agents on the phones the ready heads give after shrinkage (⌊ready × (1 − shrinkage)⌋).
    public var readyOnPhones: Int
    /// Service level the ready agents can hold (0…1).
    public var achievableServiceLevel: Double
    /// Average speed of answer with the ready agents, seconds (nil when the queue is unstable).
    public var achievableASASeconds: Double?

    /// Plans a forecast for `readyAgents` ready heads.
    public init(forecast: CapacityForecast, readyAgents: Int) {
        let a = ErlangC.traffic(
            callsPerInterval: forecast.callsPerInterval, ahtSeconds: forecast.ahtSeconds,
            intervalSeconds: forecast.intervalSeconds)
        trafficErlangs = a
        agentsRequired = ErlangC.agentsRequired(
            traffic: a, ahtSeconds: forecast.ahtSeconds, serviceLevel: forecast.serviceLevel,
            targetSeconds: forecast.targetSeconds)
        headsRequired = ErlangC.scheduledHeads(agents: agentsRequired, shrinkage: forecast.shrinkage)
        self.readyAgents = readyAgents
        readyOnPhones = Int((Double(readyAgents) * (1 - forecast.shrinkage)).rounded(.down))
        achievableServiceLevel = ErlangC.serviceLevel(
            agents: readyOnPhones, traffic: a, ahtSeconds: forecast.ahtSeconds, targetSeconds: forecast.targetSeconds)
        let asa = ErlangC.averageSpeedOfAnswer(agents: readyOnPhones, traffic: a, ahtSeconds: forecast.ahtSeconds)
        achievableASASeconds = asa.isFinite ? asa : nil
    }

    enum CodingKeys: String, CodingKey {
        case trafficErlangs = "traffic_erlangs"
        case agentsRequired = "agents_required"
        case headsRequired = "heads_required"
        case readyAgents = "ready_agents"
        case readyOnPhones = "ready_on_phones"
        case achievableServiceLevel = "achievable_service_level"
        case achievableASASeconds = "achievable_asa_seconds"
    }
}
