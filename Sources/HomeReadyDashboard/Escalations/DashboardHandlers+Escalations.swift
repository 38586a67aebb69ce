import Foundation
import HomeReadyLocalization
import Hummingbird

extension DashboardRoutes {
  /// The escalation pages (issue 20, point 1): `/escalations` (one status at a time, newest first, by keyset
  /// pages), `/escalations/{id}` (its steps and audit trail), and the buttons' form POSTs
  /// `/escalations/{id}/acknowledge` and `/escalations/{id}/resolve` (admin and planner, with the session's CSRF
  /// token). Mounted only with an escalation source.
  static func addEscalationRoutes<Context: RequestContext>(
    to router: Router<Context>, base: DashboardHandlers
  ) {
    guard base.escalations != nil else { return }
    router.get("/escalations") { request, _ in
      try await base.localized(request) { h in
        try await h.page(request) { try await h.escalationsPage(request, $0) }
      }
    }
    router.get("/escalations/:id") { request, context in
      let id = context.parameters.get("id") ?? ""
      return try await base.localized(request) { h in
        try await h.page(request) { try await h.escalationPage(id: id, $0) }
      }
    }
    for action in ["acknowledge", "resolve"] {
      router.post("/escalations/:id/\(action)") { request, context in
        let id = context.parameters.get("id") ?? ""
        return try await base.localized(request) { h in
          try await h.form(request) { session, form in
            try await h.changeEscalation(id: id, action: action, form: form, session)
          }
        }
      }
    }
  }
}

extension DashboardHandlers {
  static let escalationStatuses = ["open", "acknowledged", "resolved"]

  func escalationsUnavailable(_ session: DashboardSession) throws -> Response {
    try errorPage(
      status: .notFound, title: localizer("dashboard.error.not_available.title"),
      message: localizer("dashboard.escalations.unavailable"), session: session)
  }

  /// A step's role in the reader's language.
  func escalationRole(_ role: String) -> String {
    let key = "dashboard.escalations.role.\(role)"
    return localizer.catalog.template(key, localizer.language) != nil ? localizer(key) : role
  }

  /// A catalog text for a value completed at run time (event, severity, state), else the value itself.
  func escalationTerm(_ prefix: String, _ value: String) -> String {
    let key = "dashboard.escalations.\(prefix).\(value)"
    return localizer.catalog.template(key, localizer.language) != nil ? localizer(key) : value
  }

  /// Who acted, without the `dashboard:` prefix the audit trail keeps.
  func escalationActor(_ actor: String?) -> String {
    guard let actor else { return "" }
    return actor.hasPrefix("dashboard:") ? String(actor.dropFirst("dashboard:".count)) : actor
  }

  func escalationRow(_ e: DashboardEscalation, csrf: String, back: String) -> [String: Any] {
    var row: [String: Any] = [
      "id": e.id, "event": escalationTerm("event", e.event),
      "severity": escalationTerm("severity", e.severity),
      "severitySlug": e.severity, "status": escalationTerm("status", e.status), "detail": e.detail,
      "agentID": e.agentId, "agentName": e.agentName, "employeeID": e.employeeId,
      "campaign": e.campaignName,
      "raised": dateTime(e.raisedAt), "csrf": csrf, "back": back,
      "canAcknowledge": e.status == "open", "canResolve": e.status != "resolved",
      "acknowledgeLabel": localizer(
        "dashboard.escalations.acknowledge_for", ["name": .text(e.agentName)]),
      "resolveLabel": localizer("dashboard.escalations.resolve_for", ["name": .text(e.agentName)]),
    ]
    if let told = e.lastTold {
      row["toldLast"] = localizer(
        "dashboard.escalations.told_at",
        [
          "role": .text(escalationRole(told.role)),
          "time": .text(dateTime(told.takenAt ?? told.dueAt)),
        ])
    }
    if e.status == "open", let next = e.nextStep {
      row["nextStep"] = localizer(
        next.heldUntil == nil ? "dashboard.escalations.next_at" : "dashboard.escalations.next_held",
        ["role": .text(escalationRole(next.role)), "time": .text(dateTime(next.dueAt))])
    }
    if let by = e.acknowledgedBy {
      row["acknowledgedBy"] = localizer(
        "dashboard.escalations.acknowledged_by",
        ["user": .text(escalationActor(by)), "time": .text(e.acknowledgedAt.map(dateTime) ?? "")])
    }
    if let by = e.resolvedBy {
      row["resolvedBy"] = localizer(
        "dashboard.escalations.resolved_by",
        ["user": .text(escalationActor(by)), "time": .text(e.resolvedAt.map(dateTime) ?? "")])
    }
    return row
  }

  // MARK: The list

  func escalationsPage(
    _ request: Request, _ session: DashboardSession, message: String? = nil,
    status: HTTPResponse.Status = .ok
  ) async throws -> Response {
    guard let escalations else { return try escalationsUnavailable(session) }
    let query = parseForm(request.uri.query ?? "")
    let chosen = query["status"].flatMap { $0.isEmpty ? nil : $0 } ?? "open"
    var problem: String? = nil
    var listStatus = chosen
    if !Self.escalationStatuses.contains(chosen) {
      problem = localizer("dashboard.escalations.problem.status", ["value": .text(chosen)])
      listStatus = "open"
    }
    var after: DashboardEscalationCursor? = nil
    if let text = query["after"], !text.isEmpty {
      after = DashboardEscalationCursor(text: text)
      if after == nil { problem = localizer("dashboard.escalations.problem.after") }
    }
    let page = try await escalations.escalations(
      status: listStatus, after: after, limit: configuration.pageSize)
    let back =
      "/escalations?status=\(listStatus)" + (after.map { "&after=\(percentEncode($0.text))" } ?? "")
    var values: [String: Any] = [
      "statuses": Self.escalationStatuses.map {
        [
          "value": $0, "label": escalationTerm("filter", $0), "current": $0 == listStatus,
          "href": "/escalations?status=\($0)",
        ] as [String: Any]
      },
      "escalations": page.items.map { escalationRow($0, csrf: session.csrfToken, back: back) },
      "hasEscalations": !page.items.isEmpty,
      "none": localizer("dashboard.escalations.none_\(listStatus)"),
      "showing": localizer(
        "dashboard.escalations.showing",
        ["count": number(page.items.count), "status": .text(escalationTerm("filter", listStatus))]),
    ]
    if after != nil { values["first"] = "/escalations?status=\(listStatus)" }
    if let next = page.next {
      values["next"] = "/escalations?status=\(listStatus)&after=\(percentEncode(next.text))"
    }
    if let text = problem ?? message { values["problem"] = text }
    let content = try renderer.render("escalations", context(values))
    return try layout(
      content: content, title: localizer("dashboard.escalations.title"), nav: "escalations",
      session: session,
      status: problem == nil ? status : .badRequest)
  }

  // MARK: One escalation

  func escalationPage(
    id: String, _ session: DashboardSession, message: String? = nil,
    status: HTTPResponse.Status = .ok
  ) async throws -> Response {
    guard let escalations else { return try escalationsUnavailable(session) }
    guard let (e, audit) = try await escalations.escalation(id: id) else {
      return try errorPage(
        status: .notFound, title: localizer("dashboard.escalations.not_found.title"),
        message: localizer("dashboard.escalations.not_found.message", ["id": .text(id)]),
        session: session)
    }
    var values = escalationRow(
      e, csrf: session.csrfToken, back: "/escalations/\(percentEncode(e.id))")
    values["steps"] = e.steps.map {
      [
        "position": count($0.position + 1), "role": escalationRole($0.role),
        "due": dateTime($0.dueAt),
        "state": escalationTerm("state", $0.state), "stateSlug": $0.state,
        "taken": $0.takenAt.map(dateTime) ?? "", "held": $0.heldUntil.map(dateTime) ?? "",
      ] as [String: Any]
    }
    values["hasSteps"] = !e.steps.isEmpty
    values["audit"] = audit.map {
      [
        "at": dateTime($0.at), "kind": escalationTerm("audit_kind", $0.kind), "kindSlug": $0.kind,
        "actor": escalationActor($0.actor), "recipient": $0.recipient.map(escalationRole) ?? "",
        "detail": $0.detail ?? "",
      ] as [String: Any]
    }
    values["heading"] = localizer(
      "dashboard.escalations.heading",
      ["event": .text(values["event"] as? String ?? ""), "name": .text(e.agentName)])
    values["listHref"] = "/escalations?status=\(e.status)"
    if let message { values["problem"] = message }
    let content = try renderer.render("escalation", context(values))
    return try layout(
      content: content, title: values["heading"] as? String ?? "", nav: "escalations",
      session: session,
      status: status)
  }

  // MARK: The buttons

  /// Acknowledges or resolves for the signed-in user (admins and planners), then goes back to the page the button
  /// was on.
  func changeEscalation(
    id: String, action: String, form: [String: String], _ session: DashboardSession
  )
    async throws -> Response
  {
    guard let escalations else { return try escalationsUnavailable(session) }
    guard session.role == .admin || session.role == .planner else {
      return try errorPage(
        status: .forbidden, title: localizer("dashboard.error.not_allowed.title"),
        message: localizer("dashboard.escalations.not_allowed"), session: session)
    }
    let change =
      action == "acknowledge"
      ? try await escalations.acknowledgeEscalation(id: id, by: session.userName)
      : try await escalations.resolveEscalation(id: id, by: session.userName)
    switch change {
    case .changed:
      logger.debug(
        "dashboard.escalation.changed",
        metadata: [
          "escalation.id": "\(id)", "escalation.action": "\(action)",
          "dashboard.user": "\(session.userName)",
        ])
      return redirect(
        safeNext(form["back"].flatMap { $0.hasPrefix("/escalations") ? $0 : nil } ?? "/escalations")
      )
    case .notFound:
      return try errorPage(
        status: .notFound, title: localizer("dashboard.escalations.not_found.title"),
        message: localizer("dashboard.escalations.not_found.message", ["id": .text(id)]),
        session: session)
    case .unchanged(let status):
      return try await escalationPage(
        id: id, session,
        message: localizer(
          "dashboard.escalations.unchanged", ["status": .text(escalationTerm("status", status))]),
        status: .conflict)
    }
  }
}
