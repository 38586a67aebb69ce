import Foundation
import HomeReadyModel
import HomeReadyScoring
import Hummingbird

extension DashboardHandlers {
    // MARK: Overview

    func overviewContext() async throws -> [String: Any] {
        let o = try await dataSource.overview()
        func rows(_ r: [ReadinessRollup]) -> [[String: Any]] {
            r.map {
                [
                    "name": $0.name, "ready": $0.counts.ready, "atRisk": $0.counts.atRisk,
                    "notReady": $0.counts.notReady, "unknown": $0.counts.unknown, "total": $0.counts.total,
                    "percent": $0.counts.total == 0 ? 0 : Int((Double($0.counts.ready) / Double($0.counts.total) * 100).rounded()),
                ]
            }
        }
        return [
            "generatedAt": DashboardFormat.minute(o.generatedAt),
            "ready": o.total.ready, "atRisk": o.total.atRisk, "notReady": o.total.notReady, "unknown": o.total.unknown,
            "total": o.total.total,
            "siteChart": SVGChart.readinessBars(id: "chart-site", title: "Readiness by site", rows: o.bySite),
            "campaignChart": SVGChart.readinessBars(id: "chart-campaign", title: "Readiness by campaign", rows: o.byCampaign),
            "sites": rows(o.bySite), "campaigns": rows(o.byCampaign), "teams": rows(o.byTeam),
            "burnUps": o.burnUps.enumerated().map { index, b in
                [
                    "campaign": b.campaign, "cutover": DashboardFormat.day(b.cutover), "target": b.target,
                    "readyNow": b.history.last?.ready ?? 0,
                    "chart": SVGChart.line(
                        id: "burnup-\(index)", title: "\(b.campaign): ready agents toward cutover", unit: "agents",
                        series: [
                            .init(
                                name: "Ready", color: "#1a7f37",
                                points: b.history.map { ($0.day.timeIntervalSince1970, Double($0.ready)) })
                        ],
                        targetLine: (Double(b.target), "Headcount \(b.target)"),
                        verticalMarker: (b.cutover.timeIntervalSince1970, "Cutover \(DashboardFormat.day(b.cutover))")),
                ] as [String: Any]
            },
        ]
    }

    func overviewPage(_ session: DashboardSession) async throws -> Response {
        let context = try await overviewContext()
        var page = context
        page["live"] = try renderer.render("overview_live", context)
        let content = try renderer.render("overview", page)
        return try layout(content: content, title: "Fleet overview", nav: "overview", session: session, scripts: ["live.js"])
    }

    func overviewFragment() async throws -> Response {
        htmlResponse(try renderer.render("overview_live", try await overviewContext()))
    }

    // MARK: Equipment

    func equipmentPage(_ session: DashboardSession) async throws -> Response {
        let f = try await dataSource.equipmentFunnel()
        let content = try renderer.render(
            "equipment",
            [
                "funnel": SVGChart.funnel(
                    id: "funnel", title: "Equipment funnel",
                    stages: [
                        ("Requested", f.requested), ("Shipped", f.shipped), ("Delivered", f.delivered),
                        ("Verified", f.verified),
                    ]),
                "requested": f.requested, "shipped": f.shipped, "delivered": f.delivered, "verified": f.verified,
                "overdue": f.overdue.map {
                    [
                        "agentID": $0.agentID, "agentName": $0.agentName, "item": $0.item, "carrier": $0.carrier,
                        "tracking": $0.trackingNumber, "shipped": DashboardFormat.day($0.shippedAt), "days": $0.daysOverdue,
                    ] as [String: Any]
                },
                "hasOverdue": !f.overdue.isEmpty,
                "faulty": f.faulty.map {
                    [
                        "agentID": $0.agentID, "agentName": $0.agentName, "item": $0.item, "serial": $0.serial,
                        "reported": DashboardFormat.day($0.reportedAt), "note": $0.note,
                    ] as [String: Any]
                },
                "hasFaulty": !f.faulty.isEmpty,
            ])
        return try layout(content: content, title: "Equipment rollout", nav: "equipment", session: session)
    }

    // MARK: Agents

    func agentsPage(_ request: Request, _ session: DashboardSession) async throws -> Response {
        let q = parseForm(request.uri.query ?? "")
        func nonEmpty(_ k: String) -> String? { q[k].flatMap { $0.isEmpty ? nil : $0 } }
        let query = AgentQuery(
            search: q["q"] ?? "", site: nonEmpty("site"), campaign: nonEmpty("campaign"), team: nonEmpty("team"),
            readiness: nonEmpty("readiness").flatMap(ReadinessStatus.init(slug:)), page: Int(q["page"] ?? "") ?? 1,
            pageSize: configuration.pageSize)
        let result = try await dataSource.agents(matching: query)
        func options(_ values: [String], selected: String?) -> [[String: Any]] {
            values.map { ["value": $0, "selected": $0 == selected] }
        }
        func link(page: Int) -> String {
            var parts = ["page=\(page)"]
            if !query.search.isEmpty { parts.append("q=\(percentEncode(query.search))") }
            if let s = query.site { parts.append("site=\(percentEncode(s))") }
            if let c = query.campaign { parts.append("campaign=\(percentEncode(c))") }
            if let t = query.team { parts.append("team=\(percentEncode(t))") }
            if let r = query.readiness { parts.append("readiness=\(r.slug)") }
            return "/agents?" + parts.joined(separator: "&")
        }
        let pages = max(1, (result.total + result.pageSize - 1) / result.pageSize)
        var context: [String: Any] = [
                "search": query.search,
                "sites": options(result.sites, selected: query.site),
                "campaigns": options(result.campaigns, selected: query.campaign),
                "teams": options(result.teams, selected: query.team),
                "states": ReadinessStatus.allCases.map {
                    ["value": $0.slug, "label": $0.label, "selected": $0 == query.readiness] as [String: Any]
                },
                "agents": result.agents.map(agentRow),
                "hasAgents": !result.agents.isEmpty,
                "total": result.total, "page": result.page, "pages": pages,
            ]
        // Mustache treats "" as true: leave the keys out when there is no such page.
        if result.page > 1 { context["prev"] = link(page: result.page - 1) }
        if result.page < pages { context["next"] = link(page: result.page + 1) }
        let content = try renderer.render("agents", context)
        return try layout(content: content, title: "Agents", nav: "agents", session: session)
    }

    func agentRow(_ a: AgentSummary) -> [String: Any] {
        [
            "id": a.id, "employeeID": a.employeeID, "name": a.name, "site": a.site, "campaign": a.campaign,
            "team": a.team, "readiness": a.readiness.slug, "readinessLabel": a.readiness.label,
            "lastCheck": a.lastCheck.map(DashboardFormat.minute) ?? "never",
        ]
    }

    func agentPage(
        id: String, _ session: DashboardSession, selfTestLink: (url: String, expiresAt: Date)? = nil
    ) async throws -> Response {
        guard let a = try await dataSource.agent(id: id) else {
            return try errorPage(
                status: .notFound, title: "No such agent", message: "No agent has the id \(id). Search the agent list.",
                session: session)
        }
        let h = a.history
        func pts(_ value: (ReportPoint) -> Double) -> [(x: Double, y: Double)] {
            h.map { ($0.at.timeIntervalSince1970, value($0)) }
        }
        let charts: [String] = h.isEmpty ? [] : [
            SVGChart.line(
                id: "throughput", title: "Throughput over time", unit: "Mbit/s",
                series: [
                    .init(name: "Download", color: "#0550ae", points: pts(\.downloadMbps)),
                    .init(name: "Upload", color: "#8250df", points: pts(\.uploadMbps)),
                ]),
            SVGChart.line(
                id: "latency", title: "Latency idle and loaded over time", unit: "ms",
                series: [
                    .init(name: "Idle", color: "#1a7f37", points: pts(\.latencyIdleMs)),
                    .init(name: "Loaded", color: "#cf222e", points: pts(\.latencyLoadedMs)),
                ]),
            SVGChart.line(
                id: "jitter", title: "Jitter over time", unit: "ms",
                series: [.init(name: "Jitter", color: "#9a6700", points: pts(\.jitterMs))]),
            SVGChart.line(
                id: "mos", title: "Voice quality (MOS) over time", unit: "MOS",
                series: [.init(name: "MOS", color: "#0a3069", points: pts(\.mos))], targetLine: (3.6, "Minimum 3.6")),
        ]
        var context = agentRow(a.summary)
        context["reasons"] = a.reasons.map { ["text": $0] }
        context["hasReasons"] = !a.reasons.isEmpty
        if let evidence = a.evidence { context["evidence"] = evidence }
        context["charts"] = charts.map { ["svg": $0] }
        context["hasHistory"] = !h.isEmpty
        context["reports"] = h.reversed().map {
            [
                "at": DashboardFormat.minute($0.at), "down": String(format: "%.1f", $0.downloadMbps),
                "up": String(format: "%.1f", $0.uploadMbps), "idle": String(format: "%.0f", $0.latencyIdleMs),
                "loaded": String(format: "%.0f", $0.latencyLoadedMs), "jitter": String(format: "%.1f", $0.jitterMs),
                "mos": String(format: "%.2f", $0.mos), "verdict": $0.passed ? "Pass" : "Fail",
                "source": $0.fromBrowser ? "Browser self-test" : "Full check",
            ]
        }
        context["posture"] = a.postureFailures.map {
            ["check": $0.check, "since": DashboardFormat.day($0.failingSince), "remediation": $0.remediation]
        }
        context["hasPosture"] = !a.postureFailures.isEmpty
        context["equipment"] = a.equipment.map {
            [
                "at": DashboardFormat.day($0.at), "item": $0.item, "serial": $0.serial, "stage": $0.stage.rawValue,
                "note": $0.note,
            ]
        }
        context["hasEquipment"] = !a.equipment.isEmpty
        context["canMakeSelfTest"] = selfTestLinks != nil && session.role == .admin
        context["csrf"] = session.csrfToken
        if let selfTestLink {
            context["selfTestURL"] = selfTestLink.url
            context["selfTestExpires"] = DashboardFormat.minute(selfTestLink.expiresAt)
        }
        let content = try renderer.render("agent", context)
        return try layout(content: content, title: a.summary.name, nav: "agents", session: session)
    }

    // MARK: Capacity

    func capacityPage(_ session: DashboardSession, form: [String: String]?) async throws -> Response {
        let inputs = try await dataSource.capacityInputs()
        var rows: [[String: Any]] = []
        for input in inputs {
            var row: [String: Any] = ["campaign": input.campaign, "ready": input.readyAgents, "headcount": input.headcount]
            if let f = input.forecast {
                row.merge(staffingRow(f, ready: input.readyAgents)) { $1 }
                row["hasForecast"] = true
            }
            rows.append(row)
        }
        var context: [String: Any] = [
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
            if calls == nil || calls! < 0 { problems.append("Calls per interval must be a number of calls, 0 or more.") }
            if interval == nil || interval! <= 0 { problems.append("Interval must be a number of minutes above 0.") }
            if aht == nil || aht! <= 0 { problems.append("Average handling time must be a number of seconds above 0.") }
            if sl == nil || sl! <= 0 || sl! >= 100 { problems.append("Service level must be a percentage between 0 and 100.") }
            if within == nil || within! < 0 { problems.append("Answer within must be a number of seconds, 0 or more.") }
            if shrinkage == nil || shrinkage! < 0 || shrinkage! >= 100 { problems.append("Shrinkage must be a percentage from 0 to 99.") }
            let campaign = inputs.first { $0.campaign == form["campaign"] }
            if campaign == nil { problems.append("Choose a campaign.") }
            if problems.isEmpty, let campaign {
                let f = CapacityForecast(
                    callsPerInterval: calls!, intervalSeconds: interval! * 60, ahtSeconds: aht!, serviceLevel: sl! / 100,
                    targetSeconds: within!, shrinkage: shrinkage! / 100)
                var result = staffingRow(f, ready: campaign.readyAgents)
                result["campaign"] = campaign.campaign
                result["ready"] = campaign.readyAgents
                context["result"] = result
            } else {
                context["problems"] = problems.map { ["text": $0] }
                context["hasProblems"] = true
                status = .badRequest
            }
        }
        let content = try renderer.render("capacity", context)
        return try layout(content: content, title: "Capacity planner", nav: "capacity", session: session, status: status)
    }

    func staffingRow(_ f: CapacityForecast, ready: Int) -> [String: Any] {
        let plan = CapacityPlan(forecast: f, readyAgents: ready)
        return [
            "calls": String(format: "%.0f", f.callsPerInterval), "intervalMin": String(format: "%.0f", f.intervalSeconds / 60),
            "aht": String(format: "%.0f", f.ahtSeconds),
            "target": "\(Int((f.serviceLevel * 100).rounded()))% in \(Int(f.targetSeconds)) s",
            "shrinkage": "\(Int((f.shrinkage * 100).rounded()))%", "traffic": String(format: "%.1f", plan.trafficErlangs),
            "onPhones": plan.agentsRequired, "rostered": plan.headsRequired, "gap": ready - plan.headsRequired,
            "short": ready < plan.headsRequired, "held": String(format: "%.1f%%", plan.achievableServiceLevel * 100),
        ]
    }

    // MARK: Alerts

    func alertsPage(_ session: DashboardSession, message: String?, status: HTTPResponse.Status = .ok) async throws
        -> Response
    {
        let alerts = try await dataSource.alerts()
        let content = try renderer.render(
            "alerts",
            [
                "alerts": alerts.map {
                    [
                        "id": $0.id, "agentID": $0.agentID, "agentName": $0.agentName, "kind": $0.kind.label,
                        "detail": $0.detail, "raised": DashboardFormat.minute($0.raisedAt),
                        "acknowledgedBy": $0.acknowledgedBy ?? "", "open": $0.acknowledgedBy == nil,
                    ] as [String: Any]
                },
                "hasAlerts": !alerts.isEmpty, "isAdmin": session.role == .admin, "csrf": session.csrfToken,
                "message": message ?? "", "hasMessage": message != nil,
            ])
        return try layout(content: content, title: "Alerts", nav: "alerts", session: session, status: status)
    }

    func acknowledge(id: String, _ session: DashboardSession) async throws -> Response {
        guard session.role == .admin else {
            return try errorPage(
                status: .forbidden, title: "Not allowed",
                message: "Only IT administrators can acknowledge alerts. Ask an admin.", session: session)
        }
        guard try await dataSource.acknowledgeAlert(id: id, by: session.userName) else {
            return try await alertsPage(session, message: "No alert has the id \(id).", status: .notFound)
        }
        return redirect("/alerts")
    }

    // MARK: Self-test links

    /// Makes a personal self-test link for the agent (admins only) and shows it on the agent's page.
    func createSelfTestLink(agentId: String, baseURL: String, _ session: DashboardSession) async throws -> Response {
        guard let selfTestLinks else {
            return try errorPage(
                status: .notFound, title: "Not available", message: "This server does not make self-test links.",
                session: session)
        }
        guard session.role == .admin else {
            return try errorPage(
                status: .forbidden, title: "Not allowed",
                message: "Only IT administrators can make self-test links. Ask an admin.", session: session)
        }
        guard let link = try await selfTestLinks.createSelfTestLink(
            agentId: agentId, createdBy: "dashboard:\(session.userName)", baseURL: baseURL)
        else {
            return try errorPage(
                status: .notFound, title: "No such agent",
                message: "No agent has the id \(agentId). Search the agent list.", session: session)
        }
        logger.debug("dashboard.selftest.link", metadata: ["agent.id": "\(agentId)"])
        return try await agentPage(id: agentId, session, selfTestLink: link)
    }
}
