import ArgumentParser

/// `homeready-server`: the central inventory server.
@main
struct HomeReadyServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "homeready-server",
        abstract: "The HomeReady inventory server: agents, equipment, reports, readiness and capacity.",
        version: "0.1.0",
        subcommands: [])
}
