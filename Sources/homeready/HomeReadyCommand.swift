import ArgumentParser
import Dispatch
import HomeReadyModel

/// The agent's entry point: runs `HomeReadyCommand` on the concurrency pool while the main thread waits.
///
/// An `async` main would instead park the main thread in `dispatch_main`, whose `pthread_exit` unwinds the main
/// thread's stack: the unwinder's lookups map about 2 MB of `.eh_frame` into every check (see docs/performance.md).
/// Nothing in the agent runs on the main queue or the main actor.
@main
enum HomeReadyEntry {
    static func main() {
        let finished = DispatchSemaphore(value: 0)
        Task.detached {
            await HomeReadyCommand.main()
            finished.signal()
        }
        finished.wait()
    }
}

/// `homeready`: the agent's command line. Every subcommand only parses arguments and calls `HomeReadyAgent`.
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
