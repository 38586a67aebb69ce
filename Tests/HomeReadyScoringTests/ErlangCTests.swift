import Foundation
import Testing

@testable import HomeReadyScoring

/// Values from the standard Erlang C table for 10 Erlangs (e.g. the worked example "100 calls in 30 minutes,
/// AHT 180 s, 80% in 20 s" published by Call Centre Helper: 13 agents give 79.6%, 14 agents 88.4%).
@Suite("Erlang C")
struct ErlangCTests {
    @Test("probability of waiting matches the published table for A = 10", arguments: [
        (11, 0.6821), (12, 0.4494), (13, 0.2853), (14, 0.1741), (15, 0.1020),
    ])
    func probabilityOfWaitingTable(agents: Int, expected: Double) {
        #expect(abs(ErlangC.probabilityOfWaiting(agents: agents, traffic: 10) - expected) < 0.00051)
    }

    @Test("probability of waiting for other table entries", arguments: [
        (2.0, 3, 0.4444), (5.0, 7, 0.3241), (20.0, 25, 0.2091), (50.0, 55, 0.3845), (100.0, 110, 0.2370),
    ])
    func otherEntries(traffic: Double, agents: Int, expected: Double) {
        #expect(abs(ErlangC.probabilityOfWaiting(agents: agents, traffic: traffic) - expected) < 0.00051)
    }

    @Test("the worked example needs 14 agents for 80% in 20 s")
    func workedExample() {
        let a = ErlangC.traffic(callsPerInterval: 100, ahtSeconds: 180, intervalSeconds: 1800)
        #expect(a == 10)
        #expect(abs(ErlangC.serviceLevel(agents: 13, traffic: a, ahtSeconds: 180, targetSeconds: 20) - 0.7956) < 0.0005)
        #expect(abs(ErlangC.serviceLevel(agents: 14, traffic: a, ahtSeconds: 180, targetSeconds: 20) - 0.8884) < 0.0005)
        #expect(ErlangC.agentsRequired(traffic: a, ahtSeconds: 180, serviceLevel: 0.8, targetSeconds: 20) == 14)
        let asa = ErlangC.averageSpeedOfAnswer(agents: 14, traffic: a, ahtSeconds: 180)
        #expect(abs(asa - 0.1741 * 180 / 4) < 0.05)
    }

    @Test("too few agents means every call waits and the queue never clears")
    func unstable() {
        #expect(ErlangC.probabilityOfWaiting(agents: 10, traffic: 10) == 1)
        #expect(ErlangC.serviceLevel(agents: 9, traffic: 10, ahtSeconds: 180, targetSeconds: 20) == 0)
        #expect(ErlangC.averageSpeedOfAnswer(agents: 10, traffic: 10, ahtSeconds: 180) == .infinity)
    }

    @Test("large centres stay numerically stable")
    func largeTraffic() {
        let n = ErlangC.agentsRequired(traffic: 1000, ahtSeconds: 300, serviceLevel: 0.9, targetSeconds: 15)
        #expect(n > 1000 && n < 1100)
        let c = ErlangC.probabilityOfWaiting(agents: n, traffic: 1000)
        #expect(c > 0 && c < 1)
    }

    @Test("shrinkage turns agents on the phones into scheduled heads")
    func shrinkage() {
        #expect(ErlangC.scheduledHeads(agents: 14, shrinkage: 0.3) == 20)
        #expect(ErlangC.scheduledHeads(agents: 14, shrinkage: 0) == 14)
        #expect(ErlangC.scheduledHeads(agents: 7, shrinkage: 0.5) == 14)
    }

    @Test("a plan compares the ready agents with the requirement")
    func plan() {
        let forecast = CapacityForecast(callsPerInterval: 100, ahtSeconds: 180, shrinkage: 0.3)
        let plan = CapacityPlan(forecast: forecast, readyAgents: 20)
        #expect(plan.agentsRequired == 14)
        #expect(plan.headsRequired == 20)
        #expect(plan.readyOnPhones == 14)
        #expect(abs(plan.achievableServiceLevel - 0.8884) < 0.0005)
        let short = CapacityPlan(forecast: forecast, readyAgents: 10)
        #expect(short.readyOnPhones == 7)
        #expect(short.achievableServiceLevel == 0)
        #expect(short.achievableASASeconds == nil)
    }
}
