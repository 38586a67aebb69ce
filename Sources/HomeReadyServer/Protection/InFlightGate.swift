import Foundation

/// Counts requests in progress and refuses entry beyond a maximum.
final class InFlightGate: @unchecked Sendable {
    let maximum: Int
    private let lock = NSLock()
    private var current = 0

    init(maximum: Int) { self.maximum = maximum }

    /// Takes a slot; false when all `maximum` are taken.
    func enter() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard current < maximum else { return false }
        current += 1
        return true
    }

    func leave() {
        lock.lock()
        current -= 1
        lock.unlock()
    }

    /// Requests in progress now.
    var inFlight: Int {
        lock.lock()
        defer { lock.unlock() }
        return current
    }
}
