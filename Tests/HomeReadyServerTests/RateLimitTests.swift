import Foundation
import HomeReadyTestSupport
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import HomeReadyServer

@Suite("Rate limits")
struct RateLimitTests {
    @Test("a token bucket allows its burst, refills at its rate and says when to retry")
    func bucket() {
        let clock = FakeClock()
        let limiter = TokenBucketLimiter(limit: RateLimit(burst: 3, perMinute: 6), now: { clock.now })
        for _ in 0..<3 { #expect(limiter.acquire("10.0.0.1") == .allowed) }
        #expect(limiter.acquire("10.0.0.1") == .refused(retryAfter: 10))
        #expect(limiter.acquire("10.0.0.2") == .allowed)
        clock.advance(5)
        #expect(limiter.acquire("10.0.0.1") == .refused(retryAfter: 5))
        clock.advance(5)
        #expect(limiter.acquire("10.0.0.1") == .allowed)
        #expect(limiter.acquire("10.0.0.1") == .refused(retryAfter: 10))
        clock.advance(3600)
        for _ in 0..<3 { #expect(limiter.acquire("10.0.0.1") == .allowed) }
        #expect(limiter.acquire("10.0.0.1") != .allowed)
    }

    @Test("buckets are forgotten once refilled, so sprayed addresses cannot grow memory")
    func pruning() {
        let clock = FakeClock()
        let limiter = TokenBucketLimiter(limit: RateLimit(burst: 2, perMinute: 60), maxKeys: 100, now: { clock.now })
        for index in 0..<1000 { _ = limiter.acquire("client-\(index)") }
        #expect(limiter.trackedKeys <= 101)
        clock.advance(10)
        for index in 0..<101 { _ = limiter.acquire("other-\(index)") }
        #expect(limiter.trackedKeys <= 101)
    }

    @Test("enrollment beyond the limit gets 429 with Retry-After as problem+json", arguments: TestBackend.available)
    func enrollLimited(backend: TestBackend) async throws {
        try await Harness.with(backend, configure: { $0.enrollRateLimit = RateLimit(burst: 2, perMinute: 1) }) { harness in
            try await harness.withLiveServer { port in
                for _ in 0..<2 {
                    let refused = try await RawHTTP.json(port: port, method: "POST", path: "/api/v1/enroll", json: ["code": "enr_guess"])
                    #expect(refused.status == 403)
                }
                let limited = try await RawHTTP.json(port: port, method: "POST", path: "/api/v1/enroll", json: ["code": "enr_guess"])
                #expect(limited.status == 429)
                #expect(limited.headers["retry-after"] == "60")
                #expect(limited.headers["content-type"] == "application/problem+json")
                #expect(limited.json["status"] as? Int == 429)
                // Other routes are not limited.
                let health = try await RawHTTP.request(port: port, method: "GET", path: "/healthz")
                #expect(health.status == 200)
            }
        }
    }

    @Test("a proxy's client address header gives each client its own bucket", arguments: TestBackend.available)
    func perClient(backend: TestBackend) async throws {
        try await Harness.with(backend, configure: {
            $0.signInRateLimit = RateLimit(burst: 1, perMinute: 1)
            $0.clientAddressHeader = "X-Real-IP"
        }) { harness in
            try await harness.withLiveServer { port in
                func signIn(_ address: String) async throws -> Int {
                    try await RawHTTP.request(
                        port: port, method: "POST", path: "/login",
                        headers: ["X-Real-IP": address, "Content-Type": "application/x-www-form-urlencoded"],
                        body: Data("username=it&password=wrong".utf8)
                    ).status
                }
                var statuses: [Int] = []
                for address in ["192.0.2.1", "192.0.2.1", "192.0.2.2", "192.0.2.1"] {
                    statuses.append(try await signIn(address))
                }
                #expect(statuses.map { $0 == 429 } == [false, true, false, true])
            }
        }
    }
}
