import Foundation
import HomeReadyAgent
import HomeReadyModel
import HomeReadyTestSupport
import Logging

extension HomeReadyAgentProcess {
    /// Spools `count` reports signed with this agent's device key, with no check run, dated `hoursAgo` hours in
    /// the past (negative: the future, as a wrong clock would). A test aid: the production `homeready` has none.
    /// The reports measure nothing, so the server judges them `incomplete`.
    func spoolSynthetic(_ count: Int, hoursAgo: Double = 0) throws {
        let agent = EnrolledAgent(paths: AgentPaths.standard(environment: environment), logger: Logger(label: "test"))
        let enrollment = try agent.store.loadEnrollment()
        let key = try agent.store.loadKey()
        for _ in 0..<count {
            let now = Date().addingTimeInterval(-hoursAgo * 3600)
            let report = CheckReport(
                agent: AgentIdentity(employeeID: enrollment.employeeID, hostname: "synthetic"),
                profile: ProfileReference(id: enrollment.profileID ?? "linux-baseline", version: 1),
                startedAt: now, finishedAt: now, verdict: .ready)
            let body = try ReportCoding.encoder(pretty: false).encode(report)
            try agent.spool(body: body, reportID: report.reportID, enrollment: enrollment, key: key)
        }
    }
}
