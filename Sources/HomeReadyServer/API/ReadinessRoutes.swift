import Foundation
import HomeReadyModel
import HomeReadyScoring
import Hummingbird

/// Readiness per agent, roll-ups, daily history and capacity.
struct ReadinessRoutes {
    let repository: any InventoryRepository
    let configuration: ServerConfiguration

    struct AgentReadiness: Codable, Sendable, ResponseEncodable {
        var agentId: String
        var status: ReadinessStatus
        /// What the agent's readiness rests on: `cli` (the full check) or `browser` (the self-test); nil before
        /// any report.
        var evidence: ReportSource?
        var reasons: [ReadinessReason]
    }
    struct Snapshot: Decodable { var day: String? }
    struct CapacityResponse: Codable, Sendable, ResponseEncodable {
        var campaignId: String
        var forecast: CapacityForecast
        var plan: CapacityPlan
    }

    func add(to router: RouterGroup<ServerRequestContext>) {
        router.get("agents/:id/readiness") { request, context in
            let id = try context.parameters.require("id")
            try authorizeAgent(id, context)
            guard let input = try await repository.readinessInput(agentId: id) else { throw Problem.notFound("agent", id) }
            let result = Readiness.evaluate(input, now: Date())
            return AgentReadiness(agentId: id, status: result.status, evidence: input.evidence, reasons: result.reasons)
        }
        router.get("rollups") { request, context in
            _ = try context.require(.admin, .planner)
            let text = request.uri.queryParameters.get("by") ?? "all"
            guard let scope = RollupScope(rawValue: text) else {
                throw Problem.invalid("by", "`by` must be one of site, campaign, team, all")
            }
            return ListResponse(items: try await repository.rollup(by: scope, now: Date()))
        }
        router.post("snapshots") { request, context in
            _ = try context.require(.admin)
            let body = try await request.decodeJSON(Snapshot.self, limit: configuration.maxJSONBytes)
            let day = body.day ?? String(ISO8601DateFormatter().string(from: Date()).prefix(10))
            try await repository.snapshot(day: day, now: Date())
            return Response(status: .noContent)
        }
        router.get("history") { request, context in
            _ = try context.require(.admin, .planner)
            guard let scope = RollupScope(rawValue: request.uri.queryParameters.get("scope") ?? "all") else {
                throw Problem.invalid("scope", "`scope` must be one of site, campaign, team, all")
            }
            let id = request.uri.queryParameters.get("id") ?? "all"
            return ListResponse(items: try await repository.history(scope: scope, scopeId: id))
        }
        router.post("campaigns/:id/capacity") { request, context in
            _ = try context.require(.admin, .planner)
            let id = try context.parameters.require("id")
            let forecast = try await request.decodeJSON(
                CapacityForecast.self, limit: configuration.maxJSONBytes, decoder: ReportCoding.decoder())
            try Self.validate(forecast)
            guard try await repository.campaign(id: id) != nil else { throw Problem.notFound("campaign", id) }
            let ready = try await repository.readyAgentCount(campaignId: id, now: Date())
            return CapacityResponse(campaignId: id, forecast: forecast, plan: CapacityPlan(forecast: forecast, readyAgents: ready))
        }
    }

    static func validate(_ forecast: CapacityForecast) throws {
        guard forecast.callsPerInterval >= 0 else { throw Problem.invalid("calls_per_interval", "`calls_per_interval` must be zero or more") }
        guard forecast.intervalSeconds > 0 else { throw Problem.invalid("interval_seconds", "`interval_seconds` must be positive") }
        guard forecast.ahtSeconds > 0 else { throw Problem.invalid("aht_seconds", "`aht_seconds` must be positive") }
        guard forecast.serviceLevel > 0, forecast.serviceLevel < 1 else {
            throw Problem.invalid("service_level", "`service_level` must be between 0 and 1 (e.g. 0.8)")
        }
        guard forecast.targetSeconds >= 0 else { throw Problem.invalid("target_seconds", "`target_seconds` must be zero or more") }
        guard forecast.shrinkage >= 0, forecast.shrinkage < 1 else {
            throw Problem.invalid("shrinkage", "`shrinkage` must be from 0 up to (not including) 1")
        }
        let traffic = forecast.callsPerInterval * forecast.ahtSeconds / forecast.intervalSeconds
        guard traffic <= 100_000 else { throw Problem.invalid("calls_per_interval", "the forecast exceeds 100,000 Erlangs") }
    }
}
