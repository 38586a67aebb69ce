import Foundation
import HomeReadyJudging
import HomeReadyModel
import Testing

@Suite("ReportJudge")
struct ReportJudgeTests {
    @Test("a report with nothing measured against an empty profile has no findings")
    func emptyReport() {
        let report = CheckReport(
            agent: AgentIdentity(employeeID: "E1", hostname: "h"), profile: ProfileReference(id: "p", version: 1),
            startedAt: Date(timeIntervalSince1970: 0), finishedAt: Date(timeIntervalSince1970: 1), verdict: .ready)
        let judgement = ReportJudge.judge(report, profile: Profile(id: "p", title: "P", version: 1))
        #expect(judgement.findings.isEmpty)
    }
}
