/// Waits until `condition` holds, checking every 20 ms; returns the seconds since `start`, or nil after `timeout`.
@discardableResult
public func waitUntil(
    since start: ContinuousClock.Instant = .now, timeout: Double, _ condition: () -> Bool
) async throws -> Double? {
    while ContinuousClock.now - start < .seconds(timeout) {
        if condition() {
            let elapsed = ContinuousClock.now - start
            return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        }
        try await Task.sleep(for: .milliseconds(20))
    }
    return nil
}
