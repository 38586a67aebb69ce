import Foundation

/// An agent's readiness for the cutover.
public enum ReadinessStatus: String, Codable, Sendable, CaseIterable {
    case ready
    case atRisk = "at_risk"
    case notReady = "not_ready"
    /// No check report yet.
    case unknown
}

/// How many agents are in each readiness status (a roll-up's figures).
public struct ReadinessCounts: Sendable, Equatable, Codable {
    public var ready: Int
    public var atRisk: Int
    public var notReady: Int
    public var unknown: Int

    /// Creates counts; all zero by default.
    public init(ready: Int = 0, atRisk: Int = 0, notReady: Int = 0, unknown: Int = 0) {
        self.ready = ready
        self.atRisk = atRisk
        self.notReady = notReady
        self.unknown = unknown
    }

    /// All agents counted.
    public var total: Int { ready + atRisk + notReady + unknown }

    /// The count for one status.
    public subscript(_ status: ReadinessStatus) -> Int {
        get {
            switch status {
            case .ready: ready
            case .atRisk: atRisk
            case .notReady: notReady
            case .unknown: unknown
            }
        }
        set {
            switch status {
            case .ready: ready = newValue
            case .atRisk: atRisk = newValue
            case .notReady: notReady = newValue
            case .unknown: unknown = newValue
            }
        }
    }

    /// Adds `right`'s counts to `left`'s.
    public static func += (left: inout ReadinessCounts, right: ReadinessCounts) {
        left.ready += right.ready
        left.atRisk += right.atRisk
        left.notReady += right.notReady
        left.unknown += right.unknown
    }
}

/// Why an agent is not (fully) ready, with a stable code for filters and a sentence for people.
public struct ReadinessReason: Codable, Sendable, Equatable {
    /// e.g. `report.missing`, `report.stale`, `verdict.not_ready`, `equipment.missing.headset`.
    public var code: String
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }
}

/// The facts readiness is decided from: the role's kit, the agent's items and the last report.
public struct ReadinessInput: Sendable, Equatable {
    /// Equipment kinds the agent's role requires (the kit), e.g. `laptop`, `usb_headset`.
    public var requiredKinds: [String]
    /// The agent's items that are not returned/lost/faulty: kind and state.
    public var items: [(kind: String, state: EquipmentState)]
    public var lastReportAt: Date?
    /// The server's verdict on the last report (never the agent's own claim).
    public var lastVerdict: Verdict?
    /// Why the last report cannot count, in plain words, when the server found it incomplete.
    public var lastVerdictReason: String?
    /// How old the last check may be, in hours (the campaign's freshness window).
    public var freshnessHours: Int
    /// What the last counting report was: the full check (`cli`) or the browser self-test. Readiness rests on it.
    public var evidence: ReportSource?

    public init(
        requiredKinds: [String], items: [(kind: String, state: EquipmentState)], lastReportAt: Date?,
        lastVerdict: Verdict?, lastVerdictReason: String? = nil, freshnessHours: Int, evidence: ReportSource? = nil
    ) {
        self.requiredKinds = requiredKinds
        self.items = items
        self.lastReportAt = lastReportAt
        self.lastVerdict = lastVerdict
        self.lastVerdictReason = lastVerdictReason
        self.freshnessHours = freshnessHours
        self.evidence = evidence
    }

    public static func == (lhs: ReadinessInput, rhs: ReadinessInput) -> Bool {
        lhs.requiredKinds == rhs.requiredKinds && lhs.items.map(\.kind) == rhs.items.map(\.kind)
            && lhs.items.map(\.state) == rhs.items.map(\.state) && lhs.lastReportAt == rhs.lastReportAt
            && lhs.lastVerdict == rhs.lastVerdict && lhs.lastVerdictReason == rhs.lastVerdictReason
            && lhs.freshnessHours == rhs.freshnessHours && lhs.evidence == rhs.evidence
    }
}

/// Equipment completeness of an agent's kit, kept per agent so roll-ups stay one query.
public enum EquipmentReadiness: String, Codable, Sendable, CaseIterable {
    /// Every required kind has a verified item.
    case complete
    /// Every required kind is with the agent, some not yet verified by a check.
    case unverified
    /// Some required kind is not with the agent yet.
    case missing

    /// Decides completeness from the required kinds and the agent's items.
    public static func of(requiredKinds: [String], items: [(kind: String, state: EquipmentState)]) -> EquipmentReadiness {
        var result = EquipmentReadiness.complete
        for kind in Set(requiredKinds) {
            let states = items.filter { $0.kind == kind }.map(\.state)
            if states.contains(.verified) { continue }
            if states.contains(where: \.isWithAgent) { result = .unverified } else { return .missing }
        }
        return result
    }
}

/// Decides readiness with reasons.
///
/// Ready: every required kind delivered and verified, last check within the freshness window, verdict passes.
/// At risk: nothing blocks, but the verdict has warnings or delivered equipment awaits verification.
/// Not ready: a failing verdict, missing equipment or a stale check. Unknown: no check yet (equipment reasons
/// are still listed).
public enum Readiness {
    /// Evaluates an agent at `now`.
    public static func evaluate(_ input: ReadinessInput, now: Date) -> (status: ReadinessStatus, reasons: [ReadinessReason]) {
        var reasons: [ReadinessReason] = []
        var blocking = false
        var risky = false
        for kind in Set(input.requiredKinds).sorted() {
            let states = input.items.filter { $0.kind == kind }.map(\.state)
            if states.contains(.verified) { continue }
            if states.contains(where: \.isWithAgent) {
                risky = true
                reasons.append(.init(code: "equipment.unverified.\(kind)", message: "\(kind) delivered but not yet seen by the agent's check"))
            } else {
                blocking = true
                let where_ = states.first.map { " (item is \($0.rawValue))" } ?? " (none issued)"
                reasons.append(.init(code: "equipment.missing.\(kind)", message: "\(kind) not delivered\(where_)"))
            }
        }
        guard let at = input.lastReportAt, let verdict = input.lastVerdict else {
            reasons.insert(.init(code: "report.missing", message: "no check report received yet"), at: 0)
            return (.unknown, reasons)
        }
        let ageHours = now.timeIntervalSince(at) / 3600
        if ageHours > Double(input.freshnessHours) {
            blocking = true
            reasons.insert(
                .init(code: "report.stale", message: "last check is \(Int(ageHours)) h old; the window is \(input.freshnessHours) h"),
                at: 0)
        }
        switch verdict {
        case .ready: break
        case .readyWithWarnings:
            risky = true
            reasons.insert(.init(code: "verdict.ready_with_warnings", message: "last check passed with warnings"), at: 0)
        case .notReady, .incomplete:
            blocking = true
            let message = input.lastVerdictReason.map {
                "last check \(verdict == .incomplete ? "is incomplete" : "failed"): \($0)"
            } ?? "last check verdict is \(verdict.rawValue)"
            reasons.insert(.init(code: "verdict.\(verdict.rawValue)", message: message), at: 0)
        }
        if blocking { return (.notReady, reasons) }
        if risky { return (.atRisk, reasons) }
        return (.ready, reasons)
    }
}
