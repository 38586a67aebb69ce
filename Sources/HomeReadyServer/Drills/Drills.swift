import Foundation
import HomeReadyDashboard
import HomeReadyModel

/// Continuity drills (issue 20, point 4) over the repository, read at the injected clock's `now`: the API and
/// the dashboard both ask this one place. Design: docs/drills.md.
struct Drills: DashboardDrills {
    let repository: SQLRepository
    /// The clock drills start and are read at; tests inject a scripted one.
    let now: @Sendable () -> Date

    /// Longest drill deadline (the RTO), in minutes: one week.
    static let maxDeadlineMinutes = 7 * 24 * 60
    static let maxNameLength = 200

    /// Checks a drill request; problems name the field and say what is accepted.
    static func validate(
        campaignId: String?, siteId: String?, deadlineMinutes: Int?, targetReadyShare: Double?, name: String?,
        createdBy: String?
    ) throws(DashboardFieldError) -> NewDrill {
        let scopes: [NewDrill.Scope] = [campaignId.map(NewDrill.Scope.campaign), siteId.map(NewDrill.Scope.site)]
            .compactMap { $0 }
        guard scopes.count == 1, let scope = scopes.first else {
            throw DashboardFieldError(
                field: "scope", message: "name exactly one scope: `campaign_id` or `site_id` (an id or a name)")
        }
        guard !scope.key.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw DashboardFieldError(field: scope.field, message: "`\(scope.field)` must not be empty")
        }
        guard let deadlineMinutes else {
            throw DashboardFieldError(
                field: "deadline_minutes",
                message:
                    "`deadline_minutes` is required: the recovery-time objective, in minutes (1…\(maxDeadlineMinutes))")
        }
        guard (1...maxDeadlineMinutes).contains(deadlineMinutes) else {
            throw DashboardFieldError(
                field: "deadline_minutes",
                message: "`deadline_minutes` must be 1…\(maxDeadlineMinutes) (one week), got \(deadlineMinutes)")
        }
        let target = targetReadyShare ?? 0.9
        guard target.isFinite, target > 0, target <= 1, (target * 1000).rounded() >= 1 else {
            throw DashboardFieldError(
                field: "target_ready_share",
                message:
                    "`target_ready_share` is a share of the agents in scope, more than 0 and at most 1 (0.9 = 90 %), got \(target)"
            )
        }
        let trimmed = name?.trimmingCharacters(in: .whitespacesAndNewlines)
        if let trimmed, trimmed.count > maxNameLength {
            throw DashboardFieldError(
                field: "name", message: "`name` is \(trimmed.count) characters; at most \(maxNameLength)")
        }
        return NewDrill(
            scope: scope, deadlineMinutes: deadlineMinutes, targetReadyShare: target,
            name: (trimmed?.isEmpty ?? true) ? nil : trimmed, createdBy: createdBy)
    }

    /// Starts a validated drill now.
    func start(_ new: NewDrill) async throws -> DrillDetail {
        let row = try await repository.startDrill(new, now: now())
        return try await detail(row)
    }

    /// The summary of a stored drill at `now`.
    func summary(_ row: DrillRow) async throws -> DrillSummary {
        let at = now()
        let reports = try await repository.drillReports(row, until: min(at, row.closesAt))
        return Self.summary(row, progress: progress(row, reports: reports, at: at))
    }

    /// The drill in full at `now`.
    func detail(_ row: DrillRow) async throws -> DrillDetail {
        let at = now()
        let until = min(at, row.closesAt)
        let reports = try await repository.drillReports(row, until: until)
        let progress = progress(row, reports: reports, at: at)
        return DrillDetail(
            summary: Self.summary(row, progress: progress), timeline: progress.timeline,
            notAnswered: try await repository.drillSilentAgents(row, until: until),
            failingChecks: try await repository.drillCauses(Array(progress.latest.values)), asOf: at)
    }

    func progress(_ row: DrillRow, reports: [DrillReport], at: Date) -> DrillProgress {
        DrillProgress(
            reports: reports, agents: row.agents, startedAt: row.startedAt, deadlineAt: row.deadlineAt,
            closesAt: row.closesAt, target: row.target, now: at)
    }

    static func summary(_ row: DrillRow, progress: DrillProgress) -> DrillSummary {
        DrillSummary(
            id: row.id, name: row.name, scope: row.scope, startedAt: row.startedAt, deadlineAt: row.deadlineAt,
            closesAt: row.closesAt, deadlineMinutes: row.deadlineMinutes, targetReadyShare: row.target,
            status: progress.status, agents: row.agents, createdBy: row.createdBy, counts: progress.counts,
            readyShare: progress.timeline.last?.readyShare ?? 0, kpis: progress.kpis)
    }

    // MARK: DashboardDrills

    func drills(limit: Int) async throws -> [DrillSummary] {
        var summaries: [DrillSummary] = []
        for row in try await repository.drillRows(limit: limit) { summaries.append(try await summary(row)) }
        return summaries
    }

    func drill(id: String) async throws -> DrillDetail? {
        guard let row = try await repository.drillRow(id: id) else { return nil }
        return try await detail(row)
    }

    func drillScopes() async throws -> (campaigns: [(id: String, name: String)], sites: [(id: String, name: String)]) {
        try await repository.drillScopes()
    }

    func startDrill(_ request: DrillRequest, by user: String) async throws -> DrillSummary {
        let new = try Self.validate(
            campaignId: request.scopeType == "campaign" ? request.scopeId : nil,
            siteId: request.scopeType == "site" ? request.scopeId : nil, deadlineMinutes: request.deadlineMinutes,
            targetReadyShare: request.targetReadyShare, name: request.name, createdBy: "dashboard:\(user)")
        do {
            return try await start(new).summary
        } catch let error as StorageError {
            throw DashboardFieldError(field: error.field ?? new.scope.field, message: error.message)
        }
    }
}
