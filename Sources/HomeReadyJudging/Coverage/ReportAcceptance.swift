import Foundation
import HomeReadyModel

/// The profile an agent's campaign is assigned, as the server knows it.
public struct AssignedProfile: Sendable, Equatable {
    public var id: String
    /// The version the server serves now, and since when.
    public var currentVersion: Int
    public var currentSince: Date
    /// The version served before it, if the server has seen one.
    public var previousVersion: Int?
    /// How long after a new version is first served the previous one is still accepted, in hours.
    public var graceHours: Int

    public init(id: String, currentVersion: Int, currentSince: Date, previousVersion: Int? = nil, graceHours: Int) {
        self.id = id
        self.currentVersion = currentVersion
        self.currentSince = currentSince
        self.previousVersion = previousVersion
        self.graceHours = graceHours
    }
}

/// Whether a report was made against the assigned profile and is fresh: the rules the server applies before a
/// report can count toward readiness. Pure.
public enum ReportAcceptance {
    /// The version of the assigned profile to judge `report` with, and why it cannot count when it was made
    /// against another profile or an outdated version (nil when it can).
    public static func version(for report: CheckReport, assigned: AssignedProfile, now: Date) -> (version: Int, problem: String?) {
        let current = "\(assigned.id) v\(assigned.currentVersion)"
        guard report.profile.id == assigned.id else {
            return (
                assigned.currentVersion,
                "the report was made with profile \(report.profile.id) v\(report.profile.version); the campaign requires \(current)"
            )
        }
        if report.profile.version == assigned.currentVersion { return (assigned.currentVersion, nil) }
        let graceEnds = assigned.currentSince.addingTimeInterval(Double(assigned.graceHours) * 3600)
        if report.profile.version == assigned.previousVersion, now < graceEnds {
            return (report.profile.version, nil)
        }
        let accepted = report.profile.version == assigned.previousVersion
            ? " (it was accepted until \(ISO8601DateFormatter().string(from: graceEnds)))" : ""
        return (
            assigned.currentVersion,
            "the report was made against \(assigned.id) v\(report.profile.version); the campaign requires \(current)\(accepted): run the check again"
        )
    }

    /// Why the report's measurements cannot count as fresh, or nil: they must have been taken within the
    /// campaign's window before `now`, in order, and within an hour of each other.
    public static func freshnessProblem(_ report: CheckReport, freshnessHours: Int, now: Date) -> String? {
        if report.finishedAt < report.startedAt {
            return "the report's measurements end before they start"
        }
        if report.finishedAt.timeIntervalSince(report.startedAt) > 3600 {
            return "the report's measurements span more than an hour"
        }
        let age = now.timeIntervalSince(report.finishedAt) / 3600
        if age > Double(freshnessHours) {
            return "the measurements are \(Int(age)) h old; the campaign accepts \(freshnessHours) h"
        }
        return nil
    }
}
