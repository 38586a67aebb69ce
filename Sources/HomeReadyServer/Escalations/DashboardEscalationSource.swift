import Foundation
import HomeReadyDashboard
import SQLKit

/// The dashboard's escalation pages over the escalation storage. The list is read a keyset page at a time
/// (`status, raised_at` is indexed: `escalations_status`) with the page's steps in one more query, so a page costs
/// the same with 100 or 100,000 agents; acknowledging and resolving go through the same repository functions as
/// `POST /api/v1/escalations/{id}/ack|resolve`, audited as `dashboard:<user>`.
struct DashboardEscalationSource: DashboardEscalations {
  let repository: SQLRepository

  func escalations(status: String, after: DashboardEscalationCursor?, limit: Int) async throws
    -> DashboardEscalationPage
  {
    let limit = max(1, min(limit, 500))
    return try await repository.store.withConnection { db in
      var filter: SQLQueryString = "WHERE e.status = \(bind: status)"
      if let after {
        // `raised_at <= t AND (raised_at < t OR id < i)`: an index range on (status, raised_at) on both
        // databases, then the tie on the id.
        filter =
          "\(filter) AND e.raised_at <= \(millis: after.raisedAt) AND (e.raised_at < \(millis: after.raisedAt) OR e.id < \(bind: after.id))"
      }
      var items = try await db.raw(
        """
        SELECT e.id, e.campaign_id, c.name AS campaign_name, e.agent_id, a.employee_id, a.name, e.event,
            e.severity, e.status, e.detail, e.raised_at, e.acked_at, e.acked_by, e.resolved_at, e.resolved_by
        FROM escalations e JOIN agents a ON a.id = e.agent_id LEFT JOIN campaigns c ON c.id = e.campaign_id
        \(filter)
        ORDER BY e.raised_at DESC, e.id DESC LIMIT \(literal: limit + 1)
        """
      ).all().map(Self.escalation)
      var next: DashboardEscalationCursor? = nil
      if items.count > limit {
        items.removeLast()
        next = items.last.map { DashboardEscalationCursor(raisedAt: $0.raisedAt, id: $0.id) }
      }
      if !items.isEmpty {
        let steps = try await Self.steps(of: items.map(\.id), on: db)
        for index in items.indices { items[index].steps = steps[items[index].id] ?? [] }
      }
      return DashboardEscalationPage(items: items, next: next)
    }
  }

  func escalation(id: String) async throws -> (
    DashboardEscalation, [DashboardEscalationAuditEntry]
  )? {
    try await repository.store.withConnection { db in
      guard
        var escalation = try await db.raw(
          """
          SELECT e.id, e.campaign_id, c.name AS campaign_name, e.agent_id, a.employee_id, a.name, e.event,
              e.severity, e.status, e.detail, e.raised_at, e.acked_at, e.acked_by, e.resolved_at,
              e.resolved_by
          FROM escalations e JOIN agents a ON a.id = e.agent_id LEFT JOIN campaigns c ON c.id = e.campaign_id
          WHERE e.id = \(bind: id)
          """
        ).all().first.map(Self.escalation)
      else { return nil }
      escalation.steps = try await Self.steps(of: [id], on: db)[id] ?? []
      let audit = try await db.raw(
        """
        SELECT at, kind, actor, recipient, detail FROM escalation_events
        WHERE escalation_id = \(bind: id) ORDER BY seq, at
        """
      ).all().map { row in
        DashboardEscalationAuditEntry(
          at: try row.date("at"), kind: try row.string("kind"),
          actor: try row.optionalString("actor"),
          recipient: try row.optionalString("recipient"), detail: try row.optionalString("detail"))
      }
      return (escalation, audit)
    }
  }

  func acknowledgeEscalation(id: String, by user: String) async throws -> DashboardEscalationChange
  {
    Self.change(
      try await repository.acknowledgeEscalation(id: id, actor: "dashboard:\(user)", now: Date()))
  }

  func resolveEscalation(id: String, by user: String) async throws -> DashboardEscalationChange {
    Self.change(
      try await repository.resolveEscalation(id: id, actor: "dashboard:\(user)", now: Date()))
  }

  private static func change(_ change: EscalationChange) -> DashboardEscalationChange {
    switch change {
    case .changed: .changed
    case .unchanged(let status): .unchanged(status: status)
    case .notFound: .notFound
    }
  }

  private static func escalation(_ row: any SQLRow) throws -> DashboardEscalation {
    DashboardEscalation(
      id: try row.string("id"), event: try row.string("event"),
      severity: try row.string("severity"),
      status: try row.string("status"), detail: try row.string("detail"),
      agentId: try row.string("agent_id"),
      agentName: try row.string("name"), employeeId: try row.string("employee_id"),
      campaignId: try row.string("campaign_id"),
      campaignName: try row.optionalString("campaign_name") ?? row.string("campaign_id"),
      raisedAt: try row.date("raised_at"), acknowledgedAt: try row.optionalDate("acked_at"),
      acknowledgedBy: try row.optionalString("acked_by"),
      resolvedAt: try row.optionalDate("resolved_at"),
      resolvedBy: try row.optionalString("resolved_by"))
  }

  /// The steps of these escalations by escalation, in order (the primary key (escalation_id, position)).
  private static func steps(of ids: [String], on db: any SQLDatabase) async throws
    -> [String: [DashboardEscalationStep]]
  {
    var steps: [String: [DashboardEscalationStep]] = [:]
    for chunk in ids.chunked(by: 500) {
      for row in try await db.raw(
        """
        SELECT escalation_id, position, role, due_at, state, claimed_at, held_until FROM escalation_steps
        WHERE escalation_id IN (\(binds: Array(chunk))) ORDER BY escalation_id, position
        """
      ).all() {
        steps[try row.string("escalation_id"), default: []].append(
          DashboardEscalationStep(
            position: try row.int("position"), role: try row.string("role"),
            dueAt: try row.date("due_at"),
            state: try row.string("state"), takenAt: try row.optionalDate("claimed_at"),
            heldUntil: try row.optionalDate("held_until")))
      }
    }
    return steps
  }
}
