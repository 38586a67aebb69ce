import Synchronization

/// Counts requests in progress and refuses entry beyond a maximum.
final class InFlightGate: Sendable {
    let maximum: Int
    private let current = Mutex(0)

    init(maximum: Int) { self.maximum = maximum }

    /// Takes a slot; false when all `maximum` are taken.
    func enter() -> Bool {
        current.withLock { current in
            guard current < maximum else { return false }
            current += 1
            return true
        }
    }

    func leave() {
        current.withLock { $0 -= 1 }
    }

    /// Requests in progress now.
    var inFlight: Int { current.withLock { $0 } }
}
