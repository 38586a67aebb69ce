import Foundation
import HomeReadyLocalization
import HomeReadyModel
import Hummingbird

extension DashboardRoutes {
    /// The drill pages: `/drills` (history and the start form; POST starts one), `/drills/{id}` (live view),
    /// `/drills/{id}/live` (its fragment, which live.js swaps in on each report), `/drills/{id}/report.html` and
    /// `/drills/{id}/report.pdf` (the report for the continuity committee). Mounted only with a drill source.
    static func addDrillRoutes<Context: RequestContext>(to router: Router<Context>, base: DashboardHandlers) {
        guard base.drills != nil else { return }
        router.get("/drills") { request, _ in
            try await base.localized(request) { h in try await h.page(request) { try await h.drillsPage($0) } }
        }
        router.post("/drills") { request, _ in
            try await base.localized(request) { h in
                try await h.form(request) { session, form in try await h.startDrill(form, session) }
            }
        }
        router.get("/drills/:id") { request, context in
            let id = context.parameters.get("id") ?? ""
            return try await base.localized(request) { h in
                try await h.page(request) { try await h.drillPage(id: id, $0) }
            }
        }
        router.get("/drills/:id/live") { request, context in
            let id = context.parameters.get("id") ?? ""
            return try await base.localized(request) { h in
                try await h.page(request) { _ in try await h.drillFragment(id: id) }
            }
        }
        router.get("/drills/:id/report.html") { request, context in
            let id = context.parameters.get("id") ?? ""
            return try await base.localized(request) { h in
                try await h.page(request) { _ in try await h.drillReportHTML(id: id) }
            }
        }
        router.get("/drills/:id/report.pdf") { request, context in
            let id = context.parameters.get("id") ?? ""
            return try await base.localized(request) { h in
                try await h.page(request) { _ in try await h.drillReportPDF(id: id) }
            }
        }
    }
}

extension DashboardHandlers {
    // MARK: Figures in the reader's language

    /// A share (0…1) as a percentage, one decimal only when it is not whole.
    func percent(_ share: Double) -> String {
        let value = (share * 1000).rounded() / 10
        return localizer.quantity(value, unit: "%", decimals: value == value.rounded() ? 0 : 1)
    }

    func minutes(_ value: Double?) -> String {
        guard let value else { return localizer("dashboard.drills.not_reached") }
        return localizer("dashboard.drills.minutes", ["count": .number((value * 10).rounded() / 10, unit: nil)])
    }

    func drillName(_ s: DrillSummary) -> String {
        s.name ?? localizer("dashboard.drills.unnamed", ["time": .text(dateTime(s.startedAt))])
    }

    func drillScope(_ s: DrillSummary) -> String {
        localizer(
            "dashboard.drill.scope_\(s.scope.type == "site" ? "site" : "campaign")", ["name": .text(s.scope.name)])
    }

    func rtoShare(_ s: DrillSummary) -> String {
        guard let share = s.kpis.shareReadyAtRTO, let met = s.kpis.targetMet else {
            return localizer("dashboard.drills.pending")
        }
        return localizer(
            "dashboard.drills.rto_share",
            [
                "share": .text(percent(share)),
                "verdict": .text(localizer(met ? "dashboard.drills.met" : "dashboard.drills.missed")),
            ])
    }

    /// A drill's row in the history and its figures on the drill page.
    func drillRow(_ s: DrillSummary) -> [String: Any] {
        [
            "id": s.id, "name": drillName(s), "scope": drillScope(s), "started": dateTime(s.startedAt),
            "status": localizer("dashboard.drills.status.\(s.status.rawValue)"), "statusSlug": s.status.rawValue,
            "agents": count(s.agents), "readyShare": percent(s.readyShare),
            "t50": minutes(s.kpis.timeTo50Minutes), "t90": minutes(s.kpis.timeTo90Minutes), "rto": rtoShare(s),
            "met": s.kpis.targetMet == true, "missed": s.kpis.targetMet == false,
        ]
    }

    // MARK: History and the start form

    func drillsPage(
        _ session: DashboardSession, form: [String: String]? = nil, problem: DashboardFieldError? = nil
    ) async throws -> Response {
        guard let drills else { return try drillsUnavailable(session) }
        let history = try await drills.drills(limit: 100)
        let scopes = try await drills.drillScopes()
        let chosen = form?["scope"]
        var values: [String: Any] = [
            "drills": history.map(drillRow), "hasDrills": !history.isEmpty, "csrf": session.csrfToken,
            "campaigns": scopes.campaigns.map {
                ["value": "campaign:\($0.id)", "name": $0.name, "selected": chosen == "campaign:\($0.id)"]
                    as [String: Any]
            },
            "sites": scopes.sites.map {
                ["value": "site:\($0.id)", "name": $0.name, "selected": chosen == "site:\($0.id)"] as [String: Any]
            },
            "hasSites": !scopes.sites.isEmpty,
            "deadline": form?["deadline_minutes"] ?? "30", "target": form?["target_percent"] ?? "90",
            "drillName": form?["name"] ?? "",
        ]
        if let problem {
            let key = "dashboard.drills.problem.\(problem.field)"
            values["problem"] =
                localizer.catalog.template(key, localizer.language) != nil ? localizer(key) : problem.message
            values["problemField"] = problem.field
        }
        let content = try renderer.render("drills", context(values))
        return try layout(
            content: content, title: localizer("dashboard.drills.title"), nav: "drills", session: session,
            status: problem == nil ? .ok : .badRequest)
    }

    func startDrill(_ form: [String: String], _ session: DashboardSession) async throws -> Response {
        guard let drills else { return try drillsUnavailable(session) }
        let scope = (form["scope"] ?? "").split(separator: ":", maxSplits: 1).map(String.init)
        do {
            guard scope.count == 2, ["campaign", "site"].contains(scope[0]) else {
                throw DashboardFieldError(field: "scope", message: "choose a campaign or a site")
            }
            guard let minutes = Int(form["deadline_minutes"]?.trimmingCharacters(in: .whitespaces) ?? "") else {
                throw DashboardFieldError(field: "deadline_minutes", message: "a whole number of minutes")
            }
            let percentText = (form["target_percent"] ?? "").trimmingCharacters(in: .whitespaces)
                .replacingOccurrences(of: ",", with: ".")
            guard let target = Double(percentText) else {
                throw DashboardFieldError(field: "target_ready_share", message: "a percentage")
            }
            let started = try await drills.startDrill(
                DrillRequest(
                    scopeType: scope[0], scopeId: scope[1], deadlineMinutes: minutes, targetReadyShare: target / 100,
                    name: form["name"]),
                by: session.userName)
            logger.debug("dashboard.drill.started", metadata: ["drill.id": "\(started.id)"])
            return redirect("/drills/\(started.id)")
        } catch let problem as DashboardFieldError {
            return try await drillsPage(session, form: form, problem: problem)
        }
    }

    func drillsUnavailable(_ session: DashboardSession) throws -> Response {
        try errorPage(
            status: .notFound, title: localizer("dashboard.error.not_available.title"),
            message: localizer("dashboard.drills.none"), session: session)
    }

    // MARK: One drill, live

    /// Everything the drill page, its live fragment and the report show.
    func drillContext(_ detail: DrillDetail) -> [String: Any] {
        let s = detail.summary
        var values = drillRow(s)
        values.merge([
            "title": localizer("dashboard.drill.title", ["name": .text(drillName(s))]),
            "summary": localizer(
                "dashboard.drill.summary",
                [
                    "scope": .text(drillScope(s)), "agents": .number(Double(s.agents), unit: nil),
                    "started": .text(dateTime(s.startedAt)), "deadline": .text(dateTime(s.deadlineAt)),
                    "minutes": .number(Double(s.deadlineMinutes), unit: nil),
                    "target": .text(percent(s.targetReadyShare)),
                ]),
            "asOf": localizer(
                "dashboard.drill.as_of",
                [
                    "time": .text(dateTime(detail.asOf)),
                    "status": .text(localizer("dashboard.drills.status.\(s.status.rawValue)")),
                ]),
            "ready": count(s.counts.ready), "atRisk": count(s.counts.atRisk), "notReady": count(s.counts.notReady),
            "notAnswered": count(s.counts.notAnswered), "readyCount": s.counts.ready,
            "chart": SVGChart.drill(id: "drill-chart", detail: detail, localizer: localizer),
            "silent": detail.notAnswered.map {
                [
                    "employeeID": $0.employeeId, "name": $0.name, "agentID": $0.agentId,
                    "fetched": $0.instructionFetchedAt.map(dateTime) ?? localizer("dashboard.drill.fetched_never"),
                ] as [String: Any]
            },
            "hasSilent": !detail.notAnswered.isEmpty,
            "causes": detail.failingChecks.map {
                ["cause": $0.cause, "agents": count($0.agents), "who": $0.employeeIds.joined(separator: ", ")]
                    as [String: Any]
            },
            "hasCauses": !detail.failingChecks.isEmpty,
            "outcome": drillOutcome(s),
            "counts": localizer(
                "dashboard.drill_report.counts",
                [
                    "ready": .number(Double(s.counts.ready), unit: nil),
                    "at_risk": .number(Double(s.counts.atRisk), unit: nil),
                    "not_ready": .number(Double(s.counts.notReady), unit: nil),
                    "not_answered": .number(Double(s.counts.notAnswered), unit: nil),
                    "agents": .number(Double(s.agents), unit: nil),
                ]),
        ]) { $1 }
        return values
    }

    /// The drill's outcome in a sentence: the share at the RTO against the target, or how far it got so far.
    func drillOutcome(_ s: DrillSummary) -> String {
        guard let share = s.kpis.shareReadyAtRTO, let met = s.kpis.targetMet else {
            return localizer(
                "dashboard.drill_report.outcome_running",
                ["share": .text(percent(s.readyShare)), "deadline": .text(dateTime(s.deadlineAt))])
        }
        return localizer(
            met ? "dashboard.drill_report.outcome_met" : "dashboard.drill_report.outcome_missed",
            [
                "share": .text(percent(share)), "minutes": .number(Double(s.deadlineMinutes), unit: nil),
                "target": .text(percent(s.targetReadyShare)),
            ])
    }

    func loadDrill(_ id: String) async throws -> DrillDetail? {
        try await drills?.drill(id: id)
    }

    func noDrill(_ id: String, session: DashboardSession?) throws -> Response {
        try errorPage(
            status: .notFound, title: localizer("dashboard.error.not_available.title"),
            message: localizer("dashboard.drills.none") + " (\(id))", session: session)
    }

    func drillPage(id: String, _ session: DashboardSession) async throws -> Response {
        guard let detail = try await loadDrill(id) else { return try noDrill(id, session: session) }
        var page = drillContext(detail)
        page = context(page)
        page["live"] = try renderer.render("drill_live", page)
        page["liveTexts"] = liveTexts()
        let content = try renderer.render("drill", page)
        return try layout(
            content: content, title: page["title"] as? String ?? "", nav: "drills", session: session,
            scripts: ["live.js"])
    }

    func drillFragment(id: String) async throws -> Response {
        guard let detail = try await loadDrill(id) else { return Response(status: .notFound) }
        return htmlResponse(try renderer.render("drill_live", context(drillContext(detail))))
    }

    // MARK: The report for the continuity committee

    /// A self-contained, printable page: styles inline, the chart inline, no script, no navigation.
    func drillReportHTML(id: String) async throws -> Response {
        guard let detail = try await loadDrill(id) else { return try noDrill(id, session: nil) }
        var values = context(drillContext(detail))
        values["generated"] = localizer("dashboard.drill_report.generated", ["time": .text(dateTime(detail.asOf))])
        var response = htmlResponse(try renderer.render("drill_report", values))
        // Its one stylesheet is inline.
        response.headers[.contentSecurityPolicy] =
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
        return response
    }

    func drillReportPDF(id: String) async throws -> Response {
        guard let detail = try await loadDrill(id) else { return try noDrill(id, session: nil) }
        let pdf = DrillReportPDF(handlers: self, detail: detail).document().data()
        let file = "drill-\(detail.summary.startedAt.formatted(.iso8601.year().month().day()))-\(id.prefix(8)).pdf"
        return Response(
            status: .ok,
            headers: [
                .contentType: "application/pdf", .cacheControl: "no-store",
                .contentDisposition: "inline; filename=\"\(file)\"",
                .init("X-Content-Type-Options")!: "nosniff",
            ],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: pdf)))
    }
}
