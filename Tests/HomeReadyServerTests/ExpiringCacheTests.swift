import Foundation
import HomeReadyTestSupport
import Synchronization
import Testing

@testable import HomeReadyServer

@Suite("Expiring cache: entries expire, callers that miss together share one load")
struct ExpiringCacheTests {
    /// Holds loads until opened, and counts them.
    final class Gate: Sendable {
        private let state = Mutex<(open: Bool, waiting: [CheckedContinuation<Void, Never>])>((false, []))
        let loads = Atomic<Int>(0)

        /// Counts a load, then waits until the gate opens.
        func pass() async {
            loads.add(1, ordering: .relaxed)
            await withCheckedContinuation { continuation in
                let open = state.withLock { state in
                    if !state.open { state.waiting.append(continuation) }
                    return state.open
                }
                if open { continuation.resume() }
            }
        }

        func open() {
            let waiting = state.withLock { state in
                state.open = true
                defer { state.waiting = [] }
                return state.waiting
            }
            for continuation in waiting { continuation.resume() }
        }

        var count: Int { loads.load(ordering: .relaxed) }
    }

    struct Failed: Error, Equatable {}

    @Test("fifty callers that miss one key together load it once, and all get its value")
    func concurrentMissesShareOneLoad() async throws {
        let cache = ExpiringCache<String, Int>(ttl: .seconds(60))
        let gate = Gate()
        let values = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<50 {
                group.addTask {
                    try await cache.value(for: "campaign-a") {
                        await gate.pass()
                        return 7
                    }
                }
            }
            #expect(try await waitUntil(timeout: 10) { cache.waiting(for: "campaign-a") == 49 } != nil)
            gate.open()
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(values == Array(repeating: 7, count: 50))
        #expect(gate.count == 1)
        #expect(cache.value(for: "campaign-a") == 7)
        #expect(cache.waiting(for: "campaign-a") == 0)
    }

    @Test("a failed load reaches every caller waiting for it, and nothing is cached")
    func errorsReachWaitersAndAreNotCached() async throws {
        let cache = ExpiringCache<String, Int>(ttl: .seconds(60))
        let gate = Gate()
        let failures = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<10 {
                group.addTask {
                    do {
                        _ = try await cache.value(for: "device-1") {
                            await gate.pass()
                            throw Failed()
                        }
                        return false
                    } catch {
                        return error is Failed
                    }
                }
            }
            #expect(try await waitUntil(timeout: 10) { cache.waiting(for: "device-1") == 9 } != nil)
            gate.open()
            return try await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
        }
        #expect(failures == 10)
        #expect(gate.count == 1)
        #expect(cache.value(for: "device-1") == nil)
        // The next caller loads again.
        #expect(try await cache.value(for: "device-1") { 3 } == 3)
    }

    @Test("when the caller loading is cancelled, a caller waiting for it loads instead")
    func cancelledLoadHandsOver() async throws {
        let cache = ExpiringCache<String, Int>(ttl: .seconds(60))
        let started = Atomic<Bool>(false)
        let first = Task {
            try await cache.value(for: "agent-1") {
                started.store(true, ordering: .relaxed)
                try await Task.sleep(for: .seconds(60))
                return 1
            }
        }
        #expect(try await waitUntil(timeout: 10) { started.load(ordering: .relaxed) } != nil)
        let second = Task { try await cache.value(for: "agent-1") { 2 } }
        #expect(try await waitUntil(timeout: 10) { cache.waiting(for: "agent-1") == 1 } != nil)
        first.cancel()
        await #expect(throws: CancellationError.self) { try await first.value }
        #expect(try await second.value == 2)
        #expect(cache.value(for: "agent-1") == 2)
    }

    @Test("different keys load side by side")
    func keysLoadIndependently() async throws {
        let cache = ExpiringCache<String, Int>(ttl: .seconds(60))
        let gate = Gate()
        async let a = cache.value(for: "a") {
            await gate.pass()
            return 1
        }
        async let b = cache.value(for: "b") {
            await gate.pass()
            return 2
        }
        // Both loads start before either finishes.
        #expect(try await waitUntil(timeout: 10) { gate.count == 2 } != nil)
        gate.open()
        #expect(try await [a, b] == [1, 2])
    }

    @Test("nothing found is not cached (it may appear at once); what is found is")
    func nilIsNotCached() async throws {
        let cache = ExpiringCache<String, Int>(ttl: .seconds(60))
        let loads = Atomic<Int>(0)
        let answers: [Int?] = [nil, nil, 5]
        for expected in answers {
            let found = try await cache.valueIfFound(for: "profile") {
                answers[loads.add(1, ordering: .relaxed).oldValue]
            }
            #expect(found == expected)
        }
        #expect(try await cache.valueIfFound(for: "profile") { nil } == 5)
        #expect(loads.load(ordering: .relaxed) == 3)
    }

    @Test("entries expire after the TTL; a TTL of zero turns the cache off")
    func expiryAndOff() async throws {
        let clock = TestClock()
        let cache = ExpiringCache<String, Int>(ttl: .seconds(5), now: { clock.now })
        #expect(try await cache.value(for: "k") { 1 } == 1)
        clock.advance(.seconds(4))
        #expect(try await cache.value(for: "k") { 2 } == 1)
        clock.advance(.seconds(2))
        #expect(try await cache.value(for: "k") { 3 } == 3)

        let off = ExpiringCache<String, Int>(ttl: .zero)
        #expect(try await off.value(for: "k") { 1 } == 1)
        #expect(try await off.value(for: "k") { 2 } == 2)
        #expect(off.value(for: "k") == nil)
    }
}
