import Foundation

/// Where a page of the escalation list starts: after the escalation raised at `raisedAt` with `id` (keyset
/// pagination, newest first), written in links as `MILLISECONDS.ID`.
public struct DashboardEscalationCursor: Sendable, Equatable {
  public var raisedAt: Date
  public var id: String

  public init(raisedAt: Date, id: String) {
    self.raisedAt = raisedAt
    self.id = id
  }

  /// Reads `MILLISECONDS.ID`; nil when the text is not one.
  public init?(text: String) {
    let parts = text.split(separator: ".", maxSplits: 1).map(String.init)
    guard parts.count == 2, let millis = Int64(parts[0]), millis >= 0, !parts[1].isEmpty,
      parts[1].count <= 64
    else { return nil }
    self.init(raisedAt: Date(timeIntervalSince1970: Double(millis) / 1000), id: parts[1])
  }

  /// The cursor as it goes in a link.
  public var text: String { "\(Int64((raisedAt.timeIntervalSince1970 * 1000).rounded())).\(id)" }
}

/// One step of an escalation's chain as the dashboard shows it.
public struct DashboardEscalationStep: Sendable, Equatable {
  public var position: Int
  /// `agent`, `supervisor`, `coordinator` or `director`.
  public var role: String
  public var dueAt: Date
  /// `pending`, `claimed`, `sent`, `failed` or `cancelled`.
  public var state: String
  /// When the step was taken (sent, or claimed for sending); nil while pending.
  public var takenAt: Date?
  /// Set when quiet hours moved the step.
  public var heldUntil: Date?

  public init(
    position: Int, role: String, dueAt: Date, state: String, takenAt: Date? = nil,
    heldUntil: Date? = nil
  ) {
    self.position = position
    self.role = role
    self.dueAt = dueAt
    self.state = state
    self.takenAt = takenAt
    self.heldUntil = heldUntil
  }
}

/// One entry of an escalation's audit trail.
public struct DashboardEscalationAuditEntry: Sendable, Equatable {
  public var at: Date
  /// `raised`, `agent_told`, `held_quiet_hours`, `no_contact`, `escalated`, `message_sent`, `message_failed`,
  /// `acknowledged`, `resolved`.
  public var kind: String
  public var actor: String?
  public var recipient: String?
  public var detail: String?

  public init(at: Date, kind: String, actor: String?, recipient: String?, detail: String?) {
    self.at = at
    self.kind = kind
    self.actor = actor
    self.recipient = recipient
    self.detail = detail
  }
}

/// An escalation (incident) in the dashboard's list.
public struct DashboardEscalation: Sendable, Equatable {
  public var id: String
  /// `agent_regressed`, `check_stale`, `shipment_overdue` or `drill_unanswered`.
  public var event: String
  /// `low`, `medium`, `high` or `critical`.
  public var severity: String
  /// `open`, `acknowledged` or `resolved`.
  public var status: String
  public var detail: String
  public var agentId: String
  public var agentName: String
  public var employeeId: String
  public var campaignId: String
  public var campaignName: String
  public var raisedAt: Date
  public var acknowledgedAt: Date?
  public var acknowledgedBy: String?
  public var resolvedAt: Date?
  public var resolvedBy: String?
  /// The chain's steps in order (the list uses them for "told last" and "next").
  public var steps: [DashboardEscalationStep]

  public init(
    id: String, event: String, severity: String, status: String, detail: String, agentId: String,
    agentName: String, employeeId: String, campaignId: String, campaignName: String, raisedAt: Date,
    acknowledgedAt: Date? = nil, acknowledgedBy: String? = nil, resolvedAt: Date? = nil,
    resolvedBy: String? = nil, steps: [DashboardEscalationStep] = []
  ) {
    self.id = id
    self.event = event
    self.severity = severity
    self.status = status
    self.detail = detail
    self.agentId = agentId
    self.agentName = agentName
    self.employeeId = employeeId
    self.campaignId = campaignId
    self.campaignName = campaignName
    self.raisedAt = raisedAt
    self.acknowledgedAt = acknowledgedAt
    self.acknowledgedBy = acknowledgedBy
    self.resolvedAt = resolvedAt
    self.resolvedBy = resolvedBy
    self.steps = steps
  }

  /// The last step that reached someone (sent), if any.
  public var lastTold: DashboardEscalationStep? { steps.last { $0.state == "sent" } }
  /// The next step still to run, if any.
  public var nextStep: DashboardEscalationStep? {
    steps.first { $0.state == "pending" || $0.state == "claimed" }
  }
}

/// One page of escalations with one status, newest first.
public struct DashboardEscalationPage: Sendable, Equatable {
  public var items: [DashboardEscalation]
  /// Where the next page starts; nil on the last page.
  public var next: DashboardEscalationCursor?

  public init(items: [DashboardEscalation], next: DashboardEscalationCursor?) {
    self.items = items
    self.next = next
  }
}

/// What acknowledging or resolving from the dashboard did.
public enum DashboardEscalationChange: Sendable, Equatable {
  case changed
  /// Already in that state (or resolved, for an acknowledgement).
  case unchanged(status: String)
  case notFound
}

/// The escalations (issue 20, point 1) behind `/escalations`: the server implements it over its escalation
/// storage, acknowledging and resolving through the same functions as `POST /api/v1/escalations/{id}/ack|resolve`.
/// Without one the dashboard shows no escalation page.
public protocol DashboardEscalations: Sendable {
  /// Escalations with `status` (`open`, `acknowledged`, `resolved`), newest first, `limit` after `after`.
  func escalations(status: String, after: DashboardEscalationCursor?, limit: Int) async throws
    -> DashboardEscalationPage
  /// One escalation with its steps and its audit trail, or nil when no escalation has this id.
  func escalation(id: String) async throws -> (
    DashboardEscalation, [DashboardEscalationAuditEntry]
  )?
  /// Acknowledges an open escalation for `user` (audited as `dashboard:<user>`): its chain stops.
  func acknowledgeEscalation(id: String, by user: String) async throws -> DashboardEscalationChange
  /// Resolves an open or acknowledged escalation for `user` (audited as `dashboard:<user>`).
  func resolveEscalation(id: String, by user: String) async throws -> DashboardEscalationChange
}
