import Foundation
import HomeReadyModel
import Hummingbird
import HummingbirdTesting
import Testing

@testable import HomeReadyServer

@Suite("Metrics cache")
struct MetricsTests {
    @Test("/metrics reuses its roll-up for the configured seconds, then recomputes", arguments: TestBackend.available)
    func cachedRollup(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            let clock = TestClock()
            let metrics = ServerMetrics(readinessCacheSeconds: 5, now: { clock.now })
            let router = buildRouter(
                repository: harness.repository, configuration: harness.configuration, metrics: metrics,
                backend: harness.configuration.database.kind)
            let app = Application(router: router, logger: Harness.logger)
            try await app.test(.router) { client in
                func scrape() async throws -> String {
                    let response = try await client.execute(uri: "/metrics", method: .get)
                    return String(buffer: response.body)
                }
                let campaign = try await harness.repository.createCampaign(
                    name: "Voice", profileId: "inbound-voice", cutoverDate: "2026-12-01", freshnessHours: 72)
                let unknownOne = "homeready_agents_readiness{campaign=\"\(campaign.id)\",status=\"unknown\"} 1"
                #expect(!(try await scrape()).contains(unknownOne))
                _ = try await harness.repository.createAgent(
                    NewAgent(employeeId: "E1", name: "Ada", campaignId: campaign.id))
                clock.advance(.seconds(4))
                #expect(!(try await scrape()).contains(unknownOne), "still the cached roll-up")
                clock.advance(.seconds(2))
                #expect(try await scrape().contains(unknownOne), "recomputed after the cache time")
            }
        }
    }

    @Test("a zero cache time recomputes on every scrape")
    func uncached() async throws {
        var calls = 0
        let metrics = ServerMetrics(readinessCacheSeconds: 0)
        for _ in 0..<3 {
            _ = try await metrics.readinessRows {
                calls += 1
                return []
            }
        }
        #expect(calls == 3)
    }
}
