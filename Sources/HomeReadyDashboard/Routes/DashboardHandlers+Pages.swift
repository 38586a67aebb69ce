import Foundation
import HomeReadyLocalization
import HomeReadyModel
import HomeReadyScoring
import Hummingbird

extension DashboardHandlers {
    /// The page context (texts, language switch) with the page's own values.
    func context(_ values: [String: Any]) -> [String: Any] {
        pageContext().merging(values) { $1 }
    }

    func number(_ value: Int) -> TextArgument { .number(Double(value), unit: nil) }

    // MARK: Overview

    func overviewContext() async throws -> [String: Any] {
        let o = try await dataSource.overview()
        func rows(_ r: [ReadinessRollup]) -> [[String: Any]] {
            r.map {
                [
                    "name": $0.name, "ready": count($0.counts.ready), "atRisk": count($0.counts.atRisk),
                    "notReady": count($0.counts.notReady), "unknown": count($0.counts.unknown),
                    "total": count($0.counts.total),
                    "percent": localizer.quantity(
                        $0.counts.total == 0 ? 0 : (Double($0.counts.ready) / Double($0.counts.total) * 100).rounded(),
                        unit: "%", decimals: 0),
                ]
            }
        }
        return context([
            "generatedAt": dateTime(o.generatedAt),
            "ready": count(o.total.ready), "atRisk": count(o.total.atRisk), "notReady": count(o.total.notReady),
            "unknown": count(o.total.unknown),
            "agentsTotal": localizer("dashboard.overview.agents_total", ["count": number(o.total.total)]),
            "siteChart": SVGChart.readinessBars(
                id: "chart-site", title: localizer("dashboard.overview.by_site_caption"), rows: o.bySite,
                localizer: localizer),
            "campaignChart": SVGChart.readinessBars(
                id: "chart-campaign", title: localizer("dashboard.overview.by_campaign_caption"), rows: o.byCampaign,
                localizer: localizer),
            "sites": rows(o.bySite), "campaigns": rows(o.byCampaign), "teams": rows(o.byTeam),
            "burnUps": o.burnUps.enumerated().map { index, b in
                [
                    "campaign": b.campaign,
                    "caption": localizer(
                        "dashboard.overview.burnup_caption",
                        ["ready": number(b.history.last?.ready ?? 0), "target": number(b.target),
                         "cutover": .text(day(b.cutover))]),
                    "chart": SVGChart.line(
                        id: "burnup-\(index)",
                        title: localizer("dashboard.chart.burnup_title", ["campaign": .text(b.campaign)]),
                        unit: localizer("dashboard.chart.unit_agents"),
                        series: [
                            .init(
                                name: localizer("dashboard.chart.series_ready"), color: "#1a7f37",
                                points: b.history.map { ($0.day.timeIntervalSince1970, Double($0.ready)) })
                        ],
                        localizer: localizer,
                        targetLine: (Double(b.target), localizer("dashboard.chart.headcount", ["count": number(b.target)])),
                        verticalMarker: (
                            b.cutover.timeIntervalSince1970,
                            localizer("dashboard.chart.cutover", ["day": .text(day(b.cutover))])
                        )),
                ] as [String: Any]
            },
        ])
    }

    func overviewPage(_ session: DashboardSession) async throws -> Response {
        var page = try await overviewContext()
        page["live"] = try renderer.render("overview_live", page)
        page["liveTexts"] = liveTexts()
        let content = try renderer.render("overview", page)
        return try layout(
            content: content, title: localizer("dashboard.overview.title"), nav: "overview", session: session,
            scripts: ["live.js"])
    }

    func overviewFragment() async throws -> Response {
        htmlResponse(try renderer.render("overview_live", try await overviewContext()))
    }

    // MARK: Equipment

    func equipmentPage(_ session: DashboardSession) async throws -> Response {
        let f = try await dataSource.equipmentFunnel()
        let stages: [(EquipmentState, Int)] = [
            (.requested, f.requested), (.shipped, f.shipped), (.delivered, f.delivered), (.verified, f.verified),
        ]
        let content = try renderer.render(
            "equipment",
            context([
                "funnel": SVGChart.funnel(
                    id: "funnel", title: localizer("dashboard.equipment.funnel"),
                    stages: stages.map { (localizer("dashboard.stage.\($0.0.rawValue)"), $0.1) }, localizer: localizer),
                "funnelSummary": localizer(
                    "dashboard.equipment.funnel_summary",
                    ["requested": number(f.requested), "shipped": number(f.shipped), "delivered": number(f.delivered),
                     "verified": number(f.verified)]),
                "overdue": f.overdue.map {
                    [
                        "agentID": $0.agentID, "agentName": $0.agentName, "item": $0.item, "carrier": $0.carrier,
                        "tracking": $0.trackingNumber, "shipped": day($0.shippedAt), "days": count($0.daysOverdue),
                    ] as [String: Any]
                },
                "hasOverdue": !f.overdue.isEmpty,
                "faulty": f.faulty.map {
                    [
                        "agentID": $0.agentID, "agentName": $0.agentName, "item": $0.item, "serial": $0.serial,
                        "reported": day($0.reportedAt), "note": $0.note,
                    ] as [String: Any]
                },
                "hasFaulty": !f.faulty.isEmpty,
            ]))
        return try layout(content: content, title: localizer("dashboard.equipment.title"), nav: "equipment", session: session)
    }

    // MARK: Agents

    func agentsPage(_ request: Request, _ session: DashboardSession) async throws -> Response {
        let q = parseForm(request.uri.query ?? "")
        func nonEmpty(_ k: String) -> String? { q[k].flatMap { $0.isEmpty ? nil : $0 } }
        let query = AgentQuery(
            search: q["q"] ?? "", site: nonEmpty("site"), campaign: nonEmpty("campaign"), team: nonEmpty("team"),
            readiness: nonEmpty("readiness").flatMap(ReadinessStatus.init(slug:)),
            after: nonEmpty("after").flatMap(AgentCursor.init(token:)),
            before: nonEmpty("before").flatMap(AgentCursor.init(token:)), page: Int(q["page"] ?? "") ?? 1,
            pageSize: configuration.pageSize)
        let result = try await dataSource.agents(matching: query)
        func options(_ values: [String], selected: String?) -> [[String: Any]] {
            values.map { ["value": $0, "selected": $0 == selected] }
        }
        // Keyset links: a page starts after (or ends before) an agent, so page 2,000 costs what page 1 does.
        func link(page: Int, after: AgentCursor? = nil, before: AgentCursor? = nil) -> String {
            var parts = ["page=\(page)"]
            if let after { parts.append("after=\(after.token)") }
            if let before { parts.append("before=\(before.token)") }
            if !query.search.isEmpty { parts.append("q=\(percentEncode(query.search))") }
            if let s = query.site { parts.append("site=\(percentEncode(s))") }
            if let c = query.campaign { parts.append("campaign=\(percentEncode(c))") }
            if let t = query.team { parts.append("team=\(percentEncode(t))") }
            if let r = query.readiness { parts.append("readiness=\(r.slug)") }
            return "/agents?" + parts.joined(separator: "&")
        }
        let pages = max(1, (result.total + result.pageSize - 1) / result.pageSize)
        var values: [String: Any] = [
            "search": query.search,
            "sites": options(result.sites, selected: query.site),
            "campaigns": options(result.campaigns, selected: query.campaign),
            "teams": options(result.teams, selected: query.team),
            "states": ReadinessStatus.allCases.map {
                ["value": $0.slug, "label": localizer("dashboard.status.\($0.rawValue)"), "selected": $0 == query.readiness]
                    as [String: Any]
            },
            "agents": result.agents.map(agentRow),
            "hasAgents": !result.agents.isEmpty,
            "matching": localizer(
                "dashboard.agents.matching",
                ["count": number(result.total), "page": number(min(result.page, pages)), "pages": number(pages)]),
        ]
        // Mustache treats "" as true: leave the keys out when there is no such page.
        if let previous = result.previous { values["prev"] = link(page: max(1, result.page - 1), before: previous) }
        if let next = result.next { values["next"] = link(page: result.page + 1, after: next) }
        let content = try renderer.render("agents", context(values))
        return try layout(content: content, title: localizer("dashboard.agents.title"), nav: "agents", session: session)
    }

    func agentRow(_ a: AgentSummary) -> [String: Any] {
        [
            "id": a.id, "employeeID": a.employeeID, "name": a.name, "site": a.site, "campaign": a.campaign,
            "team": a.team, "readiness": a.readiness.slug,
            "readinessLabel": localizer("dashboard.status.\(a.readiness.rawValue)"),
            "lastCheck": a.lastCheck.map(dateTime) ?? localizer("dashboard.agents.never"),
        ]
    }

    func agentPage(
        id: String, _ session: DashboardSession, selfTestLink: (url: String, expiresAt: Date)? = nil
    ) async throws -> Response {
        guard let a = try await dataSource.agent(id: id) else {
            return try errorPage(
                status: .notFound, title: localizer("dashboard.error.no_agent.title"),
                message: localizer("dashboard.error.no_agent.message", ["id": .text(id)]), session: session)
        }
        let h = a.history
        func pts(_ value: (ReportPoint) -> Double) -> [(x: Double, y: Double)] {
            h.map { ($0.at.timeIntervalSince1970, value($0)) }
        }
        func series(_ key: String, _ color: String, _ value: (ReportPoint) -> Double) -> SVGChart.Series {
            .init(name: localizer("dashboard.chart.series_\(key)"), color: color, points: pts(value))
        }
        let charts: [String] = h.isEmpty ? [] : [
            SVGChart.line(
                id: "throughput", title: localizer("dashboard.chart.throughput_title"), unit: "Mbit/s",
                series: [series("download", "#0550ae", \.downloadMbps), series("upload", "#8250df", \.uploadMbps)],
                localizer: localizer),
            SVGChart.line(
                id: "latency", title: localizer("dashboard.chart.latency_title"), unit: "ms",
                series: [series("idle", "#1a7f37", \.latencyIdleMs), series("loaded", "#cf222e", \.latencyLoadedMs)],
                localizer: localizer),
            SVGChart.line(
                id: "jitter", title: localizer("dashboard.chart.jitter_title"), unit: "ms",
                series: [series("jitter", "#9a6700", \.jitterMs)], localizer: localizer),
            SVGChart.line(
                id: "mos", title: localizer("dashboard.chart.mos_title"), unit: "MOS",
                series: [series("mos", "#0a3069", \.mos)], localizer: localizer,
                targetLine: (3.6, localizer("dashboard.chart.minimum", ["value": .number(3.6, unit: "MOS")]))),
        ]
        var values = agentRow(a.summary)
        values["lastCheckLine"] = localizer(
            "dashboard.agent.last_check", ["when": .text(values["lastCheck"] as? String ?? "")])
        values["reasons"] = a.reasons.map { ["text": localizer.render($0)] }
        values["hasReasons"] = !a.reasons.isEmpty
        if let evidence = a.evidence {
            values["evidence"] = localizer(
                "dashboard.agent.evidence", ["evidence": .term("dashboard.evidence.\(evidence.rawValue)")])
        }
        values["charts"] = charts.map { ["svg": $0] }
        values["hasHistory"] = !h.isEmpty
        values["reports"] = h.reversed().map {
            [
                "at": dateTime($0.at), "down": localizer.number($0.downloadMbps, decimals: 1),
                "up": localizer.number($0.uploadMbps, decimals: 1),
                "idle": localizer.number($0.latencyIdleMs, decimals: 0),
                "loaded": localizer.number($0.latencyLoadedMs, decimals: 0),
                "jitter": localizer.number($0.jitterMs, decimals: 1), "mos": localizer.number($0.mos, decimals: 2),
                "verdict": localizer($0.passed ? "dashboard.agent.report_pass" : "dashboard.agent.report_fail"),
                "source": localizer($0.fromBrowser ? "dashboard.evidence_short.browser" : "dashboard.evidence_short.cli"),
            ]
        }
        values["posture"] = a.postureFailures.map {
            ["check": $0.check, "since": day($0.failingSince), "remediation": localizer.render($0.remediation)]
        }
        values["hasPosture"] = !a.postureFailures.isEmpty
        values["equipment"] = a.equipment.map {
            [
                "at": day($0.at), "item": $0.item, "serial": $0.serial,
                "stage": localizer("dashboard.stage.\($0.stage.rawValue)"), "note": $0.note,
            ]
        }
        values["hasEquipment"] = !a.equipment.isEmpty
        if let language = a.preferredLanguage {
            values["preferredLanguage"] = language.nativeName
        }
        values["canMakeSelfTest"] = selfTestLinks != nil && session.role == .admin
        values["csrf"] = session.csrfToken
        if let selfTestLink {
            values["selfTestURL"] = selfTestLink.url
            values["selfTestExplained"] = localizer(
                "dashboard.agent.selftest_explained", ["expires": .text(dateTime(selfTestLink.expiresAt))])
        }
        let content = try renderer.render("agent", context(values))
        return try layout(content: content, title: a.summary.name, nav: "agents", session: session)
    }

    // MARK: Capacity

    func capacityPage(_ session: DashboardSession, form: [String: String]?) async throws -> Response {
        let inputs = try await dataSource.capacityInputs()
        var rows: [[String: Any]] = []
        for input in inputs {
            var row: [String: Any] = [
                "campaign": input.campaign, "ready": count(input.readyAgents), "headcount": count(input.headcount),
                "noForecast": localizer("dashboard.capacity.no_forecast", ["ready": number(input.readyAgents)]),
            ]
            if let f = input.forecast {
                row.merge(staffingRow(f, ready: input.readyAgents)) { $1 }
                row["hasForecast"] = true
            }
            rows.append(row)
        }
        var values: [String: Any] = [
            "rows": rows,
            "campaigns": inputs.map { ["name": $0.campaign, "selected": $0.campaign == form?["campaign"]] as [String: Any] },
            "csrf": session.csrfToken,
            "calls": form?["calls"] ?? "200", "interval": form?["interval"] ?? "30", "aht": form?["aht"] ?? "300",
            "sl": form?["sl"] ?? "80", "within": form?["within"] ?? "20", "shrinkage": form?["shrinkage"] ?? "30",
        ]
        var status = HTTPResponse.Status.ok
        if let form {
            let number: (String) -> Double? = { Double(form[$0]?.trimmingCharacters(in: .whitespaces) ?? "") }
            var problems: [String] = []
            let calls = number("calls"), interval = number("interval"), aht = number("aht")
            let sl = number("sl"), within = number("within"), shrinkage = number("shrinkage")
            if calls == nil || calls! < 0 { problems.append("calls") }
            if interval == nil || interval! <= 0 { problems.append("interval") }
            if aht == nil || aht! <= 0 { problems.append("aht") }
            if sl == nil || sl! <= 0 || sl! >= 100 { problems.append("service_level") }
            if within == nil || within! < 0 { problems.append("within") }
            if shrinkage == nil || shrinkage! < 0 || shrinkage! >= 100 { problems.append("shrinkage") }
            let campaign = inputs.first { $0.campaign == form["campaign"] }
            if campaign == nil { problems.append("campaign") }
            if problems.isEmpty, let campaign {
                let f = CapacityForecast(
                    callsPerInterval: calls!, intervalSeconds: interval! * 60, ahtSeconds: aht!, serviceLevel: sl! / 100,
                    targetSeconds: within!, shrinkage: shrinkage! / 100)
                var result = staffingRow(f, ready: campaign.readyAgents)
                result["campaign"] = campaign.campaign
                result["sentence"] = capacitySentence(result, ready: campaign.readyAgents)
                values["result"] = result
            } else {
                values["problems"] = problems.map { ["text": localizer("dashboard.capacity.problem.\($0)")] }
                values["hasProblems"] = true
                status = .badRequest
            }
        }
        let content = try renderer.render("capacity", context(values))
        return try layout(
            content: content, title: localizer("dashboard.capacity.title"), nav: "capacity", session: session,
            status: status)
    }

    /// The result of a tried forecast in a sentence, its figures in `<strong>`.
    func capacitySentence(_ row: [String: Any], ready: Int) -> String {
        func strong(_ key: String, id: String? = nil) -> String {
            let text = DashboardFormat.escapeXML("\(row[key] ?? "")")
            return id.map { "<strong id=\"\($0)\">\(text)</strong>" } ?? "<strong>\(text)</strong>"
        }
        return htmlSentence(
            "dashboard.capacity.result",
            ["on_phones": strong("onPhones"), "rostered": strong("rostered", id: "required"),
             "ready": "<strong>\(count(ready))</strong>", "held": strong("held")],
            ["traffic": .text("\(row["traffic"] ?? "")"), "shrinkage": .text("\(row["shrinkage"] ?? "")"),
             "target": .text("\(row["target"] ?? "")"), "gap": .text("\(row["gap"] ?? "")")])
    }

    func staffingRow(_ f: CapacityForecast, ready: Int) -> [String: Any] {
        let plan = CapacityPlan(forecast: f, readyAgents: ready)
        return [
            "calls": localizer.number(f.callsPerInterval, decimals: 0),
            "intervalMin": localizer.number(f.intervalSeconds / 60, decimals: 0),
            "perInterval": localizer(
                "dashboard.capacity.per_interval",
                ["calls": .number(f.callsPerInterval.rounded(), unit: nil), "minutes": .number((f.intervalSeconds / 60).rounded(), unit: nil)]),
            "aht": localizer.number(f.ahtSeconds, decimals: 0),
            "target": localizer(
                "dashboard.capacity.target",
                ["percent": .text(localizer.quantity((f.serviceLevel * 100).rounded(), unit: "%", decimals: 0)),
                 "seconds": .number(f.targetSeconds.rounded(), unit: nil)]),
            "shrinkage": localizer.quantity((f.shrinkage * 100).rounded(), unit: "%", decimals: 0),
            "traffic": localizer.number(plan.trafficErlangs, decimals: 1),
            "onPhones": plan.agentsRequired, "rostered": plan.headsRequired, "gap": ready - plan.headsRequired,
            "short": ready < plan.headsRequired,
            "held": localizer.quantity(plan.achievableServiceLevel * 100, unit: "%", decimals: 1),
        ]
    }

    // MARK: Alerts

    func alertsPage(_ session: DashboardSession, message: String?, status: HTTPResponse.Status = .ok) async throws
        -> Response
    {
        let alerts = try await dataSource.alerts()
        let content = try renderer.render(
            "alerts",
            context([
                "alerts": alerts.map {
                    [
                        "id": $0.id, "agentID": $0.agentID, "agentName": $0.agentName,
                        "kind": localizer("dashboard.alert_kind.\($0.kind.rawValue)"),
                        "detail": localizer.render($0.detail), "raised": dateTime($0.raisedAt),
                        "acknowledgeLabel": localizer("dashboard.alerts.acknowledge_for", ["name": .text($0.agentName)]),
                        "acknowledgedBy": localizer(
                            "dashboard.alerts.acknowledged_by", ["user": .text($0.acknowledgedBy ?? "")]),
                        "open": $0.acknowledgedBy == nil,
                    ] as [String: Any]
                },
                "hasAlerts": !alerts.isEmpty, "isAdmin": session.role == .admin, "csrf": session.csrfToken,
                "message": message ?? "", "hasMessage": message != nil,
            ]))
        return try layout(
            content: content, title: localizer("dashboard.alerts.title"), nav: "alerts", session: session, status: status)
    }

    func acknowledge(id: String, _ session: DashboardSession) async throws -> Response {
        guard session.role == .admin else {
            return try errorPage(
                status: .forbidden, title: localizer("dashboard.error.not_allowed.title"),
                message: localizer("dashboard.error.acknowledge_admin_only"), session: session)
        }
        guard try await dataSource.acknowledgeAlert(id: id, by: session.userName) else {
            return try await alertsPage(
                session, message: localizer("dashboard.error.no_alert", ["id": .text(id)]), status: .notFound)
        }
        return redirect("/alerts")
    }

    // MARK: Self-test links

    /// Makes a personal self-test link for the agent (admins only) and shows it on the agent's page.
    func createSelfTestLink(agentId: String, baseURL: String, _ session: DashboardSession) async throws -> Response {
        guard let selfTestLinks else {
            return try errorPage(
                status: .notFound, title: localizer("dashboard.error.not_available.title"),
                message: localizer("dashboard.error.no_self_test_links"), session: session)
        }
        guard session.role == .admin else {
            return try errorPage(
                status: .forbidden, title: localizer("dashboard.error.not_allowed.title"),
                message: localizer("dashboard.error.self_test_admin_only"), session: session)
        }
        guard let link = try await selfTestLinks.createSelfTestLink(
            agentId: agentId, createdBy: "dashboard:\(session.userName)", baseURL: baseURL)
        else {
            return try errorPage(
                status: .notFound, title: localizer("dashboard.error.no_agent.title"),
                message: localizer("dashboard.error.no_agent.message", ["id": .text(agentId)]), session: session)
        }
        logger.debug("dashboard.selftest.link", metadata: ["agent.id": "\(agentId)"])
        return try await agentPage(id: agentId, session, selfTestLink: link)
    }

    /// The words live.js shows (connection state, last event, verdicts), in the reader's language.
    func liveTexts() -> [String: String] {
        [
            "connected": localizer("dashboard.live.connected"),
            "lastEvent": localizer("dashboard.live.last_event", ["time": .text("{time}")]),
            "failed": localizer("dashboard.live.refresh_failed", ["error": .text("{error}")]),
            "timeZone": localizer.timeZone.identifier,
            "verdictReady": localizer("dashboard.live.verdict.ready"),
            "verdictReadyWithWarnings": localizer("dashboard.live.verdict.ready_with_warnings"),
            "verdictNotReady": localizer("dashboard.live.verdict.not_ready"),
            "verdictIncomplete": localizer("dashboard.live.verdict.incomplete"),
        ]
    }
}
