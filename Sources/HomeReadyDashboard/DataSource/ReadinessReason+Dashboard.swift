import Foundation
import HomeReadyModel

extension ReadinessReason {
    /// The reason as the dashboard shows it, in the reader's language: a `dashboard.reason.*` text for every code
    /// `Readiness.evaluate` gives, with the figures taken from `input`; the English message for any other code.
    public func dashboardText(input: ReadinessInput, now: Date) -> LocalizedText {
        let parts = code.split(separator: ".", maxSplits: 2).map(String.init)
        switch (parts.first, parts.count > 1 ? parts[1] : nil) {
        case ("report", "missing"):
            return LocalizedText("dashboard.reason.report_missing")
        case ("report", "stale"):
            let age = input.lastReportAt.map { (now.timeIntervalSince($0) / 3600).rounded(.down) } ?? 0
            return LocalizedText(
                "dashboard.reason.report_stale",
                ["age": .number(age, unit: nil), "window": .number(Double(input.freshnessHours), unit: nil)])
        case ("verdict", "ready_with_warnings"):
            return LocalizedText("dashboard.reason.verdict_warnings")
        case ("verdict", let verdict?) where verdict == "not_ready" || verdict == "incomplete":
            let key = verdict == "incomplete" ? "dashboard.reason.verdict_incomplete" : "dashboard.reason.verdict_failed"
            guard let why = input.lastVerdictReason else { return LocalizedText(key + "_plain") }
            return LocalizedText(key, ["reason": .text(why)])
        case ("equipment", "unverified") where parts.count == 3:
            return LocalizedText("dashboard.reason.equipment_unverified", ["kind": .text(parts[2])])
        case ("equipment", "missing") where parts.count == 3:
            let kind = parts[2]
            guard let state = input.items.first(where: { $0.kind == kind })?.state else {
                return LocalizedText("dashboard.reason.equipment_none", ["kind": .text(kind)])
            }
            return LocalizedText(
                "dashboard.reason.equipment_missing",
                ["kind": .text(kind), "state": .term("dashboard.stage.\(state.rawValue)")])
        default:
            return LocalizedText(translations: ["en": message])
        }
    }
}
