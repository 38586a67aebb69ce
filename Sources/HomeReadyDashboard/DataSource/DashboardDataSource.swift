import Foundation
import HomeReadyModel

/// Where the dashboard reads the fleet from. The server implements it over its storage; `InMemoryDashboard` is
/// the in-process implementation for tests, demos and single-instance use.
public protocol DashboardDataSource: Sendable {
    /// Readiness roll-ups by site, campaign and team, and the burn-up toward each cutover.
    func overview() async throws -> FleetOverview
    /// The equipment funnel with overdue shipments and faulty items.
    func equipmentFunnel() async throws -> EquipmentFunnel
    /// One page of agents matching `query`.
    func agents(matching query: AgentQuery) async throws -> AgentPage
    /// One agent's page, or nil when no agent has this id.
    func agent(id: String) async throws -> AgentDetail?
    /// Ready agents and forecast per campaign.
    func capacityInputs() async throws -> [CapacityInput]
    /// Agents whose checks regressed, newest first.
    func alerts() async throws -> [DashboardAlert]
    /// Marks an alert acknowledged (admin action); returns false when no alert has this id.
    func acknowledgeAlert(id: String, by user: String) async throws -> Bool
}

/// Makes personal browser self-test links from an agent's page (admins only). The server implements it over its
/// link store; without one the agent page shows no self-test button.
public protocol DashboardSelfTestLinks: Sendable {
    /// Makes a link for agent `agentId`, starting with `baseURL`; nil when no agent has this id.
    func createSelfTestLink(agentId: String, createdBy: String, baseURL: String) async throws
        -> (url: String, expiresAt: Date)?
}
