import ArgumentParser
import Foundation
import HomeReadyProfiles

/// `homeready profile`: lint and show profiles.
struct ProfileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile",
        abstract: "Validate and inspect profiles.",
        subcommands: [])
}
