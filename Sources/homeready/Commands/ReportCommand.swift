import ArgumentParser
import Foundation
import HomeReadyAgent
import HomeReadyModel
import Logging

/// `homeready report --flush`: sends what is waiting in the spool.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Send reports waiting in the spool to the server.")

    @Flag(help: "Send every pending report now.") var flush = false
    @Option(help: "Attempts per report before leaving it for the next flush.") var attempts: Int = 6

    /// Testing aid: spools N signed synthetic reports (no check runs) so fault tests can make load quickly.
    @Option(help: .hidden) var spoolSynthetic: Int?
    /// Testing aid: dates synthetic reports this many hours in the past (negative: future), as a wrong clock would.
    @Option(help: .hidden) var syntheticHoursAgo: Double = 0

    func validate() throws {
        guard flush || spoolSynthetic != nil else { throw ValidationError("say what to do: --flush") }
        guard attempts >= 1 else { throw ValidationError("--attempts must be at least 1") }
    }

    func run() async throws {
        var agent = EnrolledAgent(paths: AgentPaths.standard(), logger: Logger(label: "homeready"))
        agent.retry = RetryPolicy(initialDelay: 0.2, maximumDelay: 5, maxAttempts: attempts)
        do {
            if let count = spoolSynthetic {
                let enrollment = try agent.store.loadEnrollment()
                let key = try agent.store.loadKey()
                for _ in 0..<count {
                    let now = Date().addingTimeInterval(-syntheticHoursAgo * 3600)
                    let report = CheckReport(
                        agent: AgentIdentity(employeeID: enrollment.employeeID, hostname: "synthetic"),
                        profile: ProfileReference(id: enrollment.profileID ?? "linux-baseline", version: 1),
                        startedAt: now, finishedAt: now, verdict: .ready)
                    let body = try ReportCoding.encoder(pretty: false).encode(report)
                    try agent.spool(body: body, reportID: report.reportID, enrollment: enrollment, key: key)
                }
            }
            guard flush else { return }
            let summary = try await agent.flush()
            print(Self.describe(summary))
            for problem in summary.problems { FileHandle.standardError.write(Data("homeready: \(problem)\n".utf8)) }
            if summary.remaining > 0 || summary.rejected > 0 { throw ExitCode(1) }
        } catch let error as AgentError {
            fail(error)
        }
    }

    static func describe(_ summary: FlushSummary) -> String {
        "sent \(summary.accepted), already on the server \(summary.duplicates), rejected \(summary.rejected), still pending \(summary.remaining)"
    }
}
