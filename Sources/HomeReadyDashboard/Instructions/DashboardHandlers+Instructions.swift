import Foundation
import HomeReadyLocalization
import Hummingbird

extension DashboardRoutes {
    /// `/instructions`: the form to send a check now or a message from IT to an agent, a team or a campaign, and
    /// the latest sent. Mounted only with an instruction sender.
    static func addInstructionRoutes<Context: RequestContext>(to router: Router<Context>, base: DashboardHandlers) {
        guard base.instructions != nil else { return }
        router.get("/instructions") { request, _ in
            try await base.localized(request) { h in try await h.page(request) { try await h.instructionsPage($0) } }
        }
        router.post("/instructions") { request, _ in
            try await base.localized(request) { h in
                try await h.form(request) { session, form in try await h.sendInstruction(form, session) }
            }
        }
    }
}

extension DashboardHandlers {
    func instructionsPage(
        _ session: DashboardSession, form: [String: String]? = nil, sent: Int? = nil,
        problem: DashboardFieldError? = nil
    ) async throws -> Response {
        guard let instructions else {
            return try errorPage(
                status: .notFound, title: localizer("dashboard.error.not_available.title"),
                message: localizer("dashboard.instructions.unavailable"), session: session)
        }
        let recent = try await instructions.sentInstructions(limit: 20)
        let targetType = form?["target_type"] ?? "team"
        let kind = form?["kind"] ?? "check_now"
        var values: [String: Any] = [
            "csrf": session.csrfToken, "target": problem == nil ? "" : form?["target"] ?? "",
            "textEs": problem == nil ? "" : form?["text_es"] ?? "",
            "textEn": problem == nil ? "" : form?["text_en"] ?? "",
            "targetTypes": ["agent", "team", "campaign"].map {
                ["value": $0, "label": localizer("dashboard.instructions.target.\($0)"), "selected": $0 == targetType]
                    as [String: Any]
            },
            "kinds": ["check_now", "message"].map {
                ["value": $0, "label": localizer("dashboard.instructions.kind.\($0)"), "selected": $0 == kind]
                    as [String: Any]
            },
            "recent": recent.map {
                [
                    "kind": localizer("dashboard.instructions.kind.\($0.kind)"),
                    "target": localizer("dashboard.instructions.target.\($0.targetType)") + " " + $0.targetId,
                    "text": $0.text ?? "", "recipients": count($0.recipients), "fetched": count($0.fetched),
                    "acknowledged": count($0.acknowledged), "at": dateTime($0.createdAt), "by": $0.createdBy ?? "",
                ] as [String: Any]
            },
            "hasRecent": !recent.isEmpty,
        ]
        if let sent {
            values["sent"] = localizer("dashboard.instructions.sent", ["count": .number(Double(sent), unit: nil)])
        }
        if let problem {
            let key = "dashboard.instructions.field.\(problem.field)"
            let detail = localizer.catalog.template(key, localizer.language) != nil ? localizer(key) : problem.message
            values["problem"] = localizer("dashboard.instructions.problem", ["detail": .text(detail)])
            values["problemField"] = problem.field
        }
        let content = try renderer.render("instructions", context(values))
        return try layout(
            content: content, title: localizer("dashboard.instructions.title"), nav: "instructions", session: session,
            status: problem == nil ? .ok : .badRequest)
    }

    func sendInstruction(_ form: [String: String], _ session: DashboardSession) async throws -> Response {
        guard let instructions else { return try await instructionsPage(session) }
        let request = DashboardInstructionRequest(
            targetType: form["target_type"] ?? "", target: (form["target"] ?? "").trimmingCharacters(in: .whitespaces),
            kind: form["kind"] ?? "", texts: ["es": form["text_es"] ?? "", "en": form["text_en"] ?? ""])
        do {
            let recipients = try await instructions.sendInstruction(request, by: session.userName)
            logger.debug("dashboard.instruction.sent", metadata: ["instruction.recipients": "\(recipients)"])
            return try await instructionsPage(session, form: form, sent: recipients)
        } catch let problem as DashboardFieldError {
            return try await instructionsPage(session, form: form, problem: problem)
        }
    }
}
