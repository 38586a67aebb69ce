import HomeReadyModel

/// Renders a report for a person: the verdict first, then every finding that needs attention with its fix.
public enum ReportRenderer {
    public static func render(_ report: CheckReport) -> String {
        var lines: [String] = []
        lines.append("HomeReady check for \(report.agent.employeeID)@\(report.agent.hostname) — profile \(report.profile.id) v\(report.profile.version)")
        lines.append("Verdict: \(report.verdict.rawValue.uppercased().replacingOccurrences(of: "_", with: " "))")
        for finding in report.findings {
            let mark: String
            switch finding.status {
            case .pass: mark = "ok  "
            case .fail: mark = "FAIL"
            case .warn: mark = "warn"
            case .error: mark = "ERR "
            case .notApplicable: mark = "n/a "
            case .skipped: mark = "skip"
            }
            var line = "  [\(mark)] \(finding.message)"
            if let measured = finding.measured {
                line += " (measured \(measured)\(finding.unit.map { " \($0)" } ?? "")"
                if let limit = finding.limit { line += ", limit \(limit)\(finding.unit.map { " \($0)" } ?? "")" }
                line += ")"
            }
            lines.append(line)
            if finding.status == .fail || finding.status == .warn || finding.status == .error, let fix = finding.remediation {
                lines.append("         fix: \(fix)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
