import ArgumentParser
import HomeReadyModel

/// `homeready`: the agent's command line. Every subcommand only parses arguments and calls `HomeReadyAgent`.
@main
struct HomeReadyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "homeready",
        abstract: "Checks whether this computer and home link are ready to take contact-center calls.",
        discussion: """
            Exit codes: 0 ready (or ready with warnings), 1 not ready, 2 usage or configuration error, \
            3 incomplete (could not measure).
            """,
        version: HomeReadyVersion.current,
        subcommands: [
            CheckCommand.self, EnrollCommand.self, StatusCommand.self, ReportCommand.self, WatchCommand.self,
            InstallTimerCommand.self, ProfileCommand.self, FactsCommand.self,
        ]
    )
}
