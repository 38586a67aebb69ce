import ArgumentParser
import Foundation
import HomeReadyAgent
import HomeReadyModel
import Logging

/// `homeready report --flush`: sends what is waiting in the spool.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: cliText("cli.report.abstract"))

    @Flag(help: ArgumentHelp(cliText("cli.report.flush"))) var flush = false
    @Option(help: ArgumentHelp(cliText("cli.report.attempts"))) var attempts: Int = 6

    func validate() throws {
        guard flush else { throw ValidationError(cliText("cli.error.flush")) }
        guard attempts >= 1 else { throw ValidationError(cliText("cli.error.attempts")) }
    }

    func run() async throws {
        var agent = EnrolledAgent(paths: AgentPaths.standard(), logger: Logger(label: "homeready"))
        agent.retry = RetryPolicy(initialDelay: 0.2, maximumDelay: 5, maxAttempts: attempts)
        do {
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
