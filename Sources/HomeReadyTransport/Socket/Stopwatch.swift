/// Monotonic elapsed time in milliseconds.
struct Stopwatch {
    private let start = ContinuousClock.now

    var elapsedMs: Double {
        let duration = ContinuousClock.now - start
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}
