import Foundation
import HomeReadyScoring

/// The capacity page's staffing figures, computed by `HomeReadyScoring.ErlangC` (one implementation for the
/// API and the dashboard).
enum DashboardErlangC {
    static func probabilityOfWaiting(agents: Int, traffic: Double) -> Double {
        ErlangC.probabilityOfWaiting(agents: agents, traffic: traffic)
    }

    static func serviceLevel(agents: Int, traffic: Double, ahtSeconds: Double, targetSeconds: Double) -> Double {
        ErlangC.serviceLevel(agents: agents, traffic: traffic, ahtSeconds: ahtSeconds, targetSeconds: targetSeconds)
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
        let traffic = ErlangC.traffic(callsPerInterval: f.callsPerInterval, ahtSeconds: f.ahtSeconds, intervalSeconds: max(f.intervalSeconds, 1))
        let onPhones = max(1, ErlangC.agentsRequired(
            traffic: traffic, ahtSeconds: f.ahtSeconds, serviceLevel: f.serviceLevel, targetSeconds: f.answerWithinSeconds))
        return Staffing(
            traffic: traffic, onPhones: onPhones,
            rostered: ErlangC.scheduledHeads(agents: onPhones, shrinkage: f.shrinkage),
            serviceLevel: serviceLevel(agents: onPhones, traffic: traffic, ahtSeconds: f.ahtSeconds, targetSeconds: f.answerWithinSeconds))
    }

    /// Service level that `readyAgents` on the roster can hold after shrinkage.
    static func heldServiceLevel(readyAgents: Int, forecast f: CapacityForecast) -> Double {
        let traffic = ErlangC.traffic(callsPerInterval: f.callsPerInterval, ahtSeconds: f.ahtSeconds, intervalSeconds: max(f.intervalSeconds, 1))
        let onPhones = Int((Double(readyAgents) * (1 - f.shrinkage)).rounded(.down))
        return serviceLevel(agents: onPhones, traffic: traffic, ahtSeconds: f.ahtSeconds, targetSeconds: f.answerWithinSeconds)
    }
}
