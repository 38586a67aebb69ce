import HomeReadyModel
import Testing

@Suite("Backoff")
struct BackoffTests {
    @Test("the ceiling doubles from the initial delay and stops at the maximum")
    func ceilings() {
        let backoff = Backoff(initialDelay: 5, maximumDelay: 3600)
        #expect((1...5).map { backoff.ceiling(afterAttempt: $0) } == [5, 10, 20, 40, 80])
        #expect(backoff.ceiling(afterAttempt: 20) == 3600)
        #expect(backoff.ceiling(afterAttempt: 0) == 5)
    }

    @Test("full jitter spreads a wait from 0 to the ceiling; proportional jitter around it")
    func jitter() {
        let full = Backoff(initialDelay: 1, maximumDelay: 30, jitter: .full)
        #expect(full.delay(afterAttempt: 4, unit: 0) == 0)
        #expect(full.delay(afterAttempt: 4, unit: 0.25) == 2)
        let webhook = Backoff(initialDelay: 30, maximumDelay: 3600, jitter: .proportional(0.1))
        #expect(webhook.delay(afterAttempt: 1, unit: 0) == 27)
        #expect(webhook.delay(afterAttempt: 1, unit: 0.5) == 30)
        #expect(abs(webhook.delay(afterAttempt: 1, unit: 0.999_999) - 33) < 0.001)
    }
}
