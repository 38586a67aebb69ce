import Testing

@testable import HomeReadyScoring

@Suite struct ProportionIntervalTests {
    @Test("Wilson bounds match published values (Newcombe 1998, 95%)")
    func wilsonMatchesPublishedValues() throws {
        // Newcombe's examples: 81/263 → 0.2553–0.3662; 15/148 → 0.0624–0.1605; 0/20 → 0–0.1611; 1/29 → 0.0061–0.1718.
        let cases: [(Int, Int, Double, Double)] = [
            (81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0, 0.1611), (1, 29, 0.0061, 0.1718),
        ]
        for (successes, trials, lower, upper) in cases {
            let interval = try #require(ProportionInterval.wilson(successes: successes, trials: trials))
            #expect(abs(interval.lower - lower) < 0.0001, "\(successes)/\(trials) lower \(interval.lower)")
            #expect(abs(interval.upper - upper) < 0.0001, "\(successes)/\(trials) upper \(interval.upper)")
        }
        #expect(ProportionInterval.wilson(successes: 0, trials: 0) == nil)
    }

    @Test("250 probes cannot tell 1% from 0.4%; 1,500 can")
    func shortStreamsAreUndecided() throws {
        // One loss in 250 (0.4%) straddles a 1% limit; six in 1,500 (0.4%) is within it.
        #expect(try #require(ProportionInterval.wilson(successes: 1, trials: 250)).decide(limit: 0.01) == .undecided)
        #expect(try #require(ProportionInterval.wilson(successes: 6, trials: 1500)).decide(limit: 0.01) == .withinLimit)
        // Three percent over 1,000 probes is clearly over.
        #expect(try #require(ProportionInterval.wilson(successes: 30, trials: 1000)).decide(limit: 0.01) == .overLimit)
    }

    @Test("the stream length that lets a clean link prove a limit")
    func trialsToProveZero() throws {
        for limit in [0.005, 0.01, 0.02, 0.05] {
            let n = ProportionInterval.trialsToProveZero(below: limit)
            #expect(try #require(ProportionInterval.wilson(successes: 0, trials: n)).upper <= limit)
            #expect(try #require(ProportionInterval.wilson(successes: 0, trials: n - 1)).upper > limit)
        }
        #expect(ProportionInterval.trialsToProveZero(below: 0.01) == 381)
    }
}

@Suite struct BufferbloatGradeTests {
    @Test("grades follow the named scale at every band edge")
    func bandEdges() {
        let expected: [(Double, BufferbloatGrade)] = [
            (0, .aPlus), (4.9, .aPlus), (5, .a), (29.9, .a), (30, .b), (59.9, .b), (60, .c), (199, .c), (200, .d),
            (399, .d), (400, .f), (2000, .f), (-3, .aPlus),
        ]
        for (increase, grade) in expected { #expect(BufferbloatGrade(increaseMs: increase) == grade, "\(increase) ms") }
        #expect(BufferbloatGrade.scale.contains("A+ < 5 ms"))
    }

    @Test("the increase is the mean over the directions measured")
    func meanIncrease() {
        #expect(BufferbloatGrade.meanIncrease(idleMs: 20, loadedDownMs: 60, loadedUpMs: 120) == 70)
        #expect(BufferbloatGrade.meanIncrease(idleMs: 20, loadedDownMs: 60, loadedUpMs: nil) == 40)
        #expect(BufferbloatGrade.meanIncrease(idleMs: 20, loadedDownMs: 10, loadedUpMs: nil) == 0)
        #expect(BufferbloatGrade.meanIncrease(idleMs: 20, loadedDownMs: nil, loadedUpMs: nil) == nil)
    }
}
