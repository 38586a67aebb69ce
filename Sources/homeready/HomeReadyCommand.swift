import ArgumentParser
import HomeReadyModel

/// `homeready`: the agent's command line. Every subcommand only parses arguments and calls `HomeReadyAgent`.
@main
struct HomeReadyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "homeready",
        abstract: cliText("cli.homeready.abstract"),
        discussion: cliText("cli.homeready.discussion"),
        version: HomeReadyVersion.current,
        subcommands: [
            CheckCommand.self, EnrollCommand.self, StatusCommand.self, ReportCommand.self, WatchCommand.self,
            InstallTimerCommand.self, ProfileCommand.self, FactsCommand.self, InstructionsCommand.self,
        ]
    )
}
