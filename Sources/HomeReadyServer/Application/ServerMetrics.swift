import Foundation
import Hummingbird
import Prometheus

/// Prometheus metrics of one server process; readiness gauges are read from the database, so every instance
/// reports the same fleet, and reused for a few seconds (`readinessCacheSeconds`) so frequent scrapes do not
/// each run the roll-up. Across instances the cached figures may differ by at most that age.
public struct ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let ingested: Counter
    private let duplicates: Counter
    private let latency: DurationHistogram
    private let readiness: ExpiringCache<String, [RollupRow]>

    init(
        readinessCacheSeconds: Double = 5,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) {
        readiness = ExpiringCache(ttl: .milliseconds(Int64(readinessCacheSeconds * 1000)), capacity: 1, now: now)
        let reports = MetricNameDescriptor(
            namespace: "homeready", metricName: "reports_ingested", unitName: "total", helpText: "Reports received")
        ingested = registry.makeCounter(descriptor: reports, labels: [("result", "stored")])
        duplicates = registry.makeCounter(descriptor: reports, labels: [("result", "duplicate")])
        latency = registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(
                namespace: "homeready", subsystem: "http", metricName: "request_duration", unitName: "seconds",
                helpText: "HTTP request latency"),
            buckets: [
                .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
            ])
    }

    func reportIngested(duplicate: Bool) {
        (duplicate ? duplicates : ingested).increment()
    }

    func observe(_ duration: Duration) { latency.record(duration) }

    /// Readiness per campaign: the cached roll-up while fresh, else `load`'s.
    func readinessRows(load: () async throws -> [RollupRow]) async throws -> [RollupRow] {
        try await readiness.value(for: "campaign", load: load)
    }

    /// The whole exposition text, the readiness roll-up from the cache or `load`.
    func render(loadingReadiness load: () async throws -> [RollupRow]) async throws -> String {
        render(readiness: try await readinessRows(load: load))
    }

    /// The exposition text, with readiness per campaign from `rows`.
    func render(readiness rows: [RollupRow]) -> String {
        var text = registry.emitToString()
        text += "# HELP homeready_agents_readiness Agents per campaign and readiness status\n"
        text += "# TYPE homeready_agents_readiness gauge\n"
        for row in rows {
            for (status, count) in [("ready", row.ready), ("at_risk", row.atRisk), ("not_ready", row.notReady), ("unknown", row.unknown)] {
                text += "homeready_agents_readiness{campaign=\"\(row.scopeId)\",status=\"\(status)\"} \(count)\n"
            }
        }
        return text
    }
}

/// Records each request's latency.
struct MetricsTimingMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext
    let metrics: ServerMetrics

    func handle(
        _ request: Request, context: ServerRequestContext,
        next: (Request, ServerRequestContext) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        defer { metrics.observe(ContinuousClock.now - start) }
        return try await next(request, context)
    }
}
