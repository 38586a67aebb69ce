import ArgumentParser
import Foundation
import HomeReadyModel
import HomeReadyPosture
import HomeReadyProfiles
import Logging

/// `homeready facts`: prints the facts posture rules see, as JSON (a file `check --facts` accepts).
struct FactsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "facts",
        abstract:
            cliText("cli.facts.abstract"),
        discussion: cliText("cli.facts.discussion"))

    @Flag(help: ArgumentHelp(cliText("cli.facts.all")))
    var all = false

    @Option(help: ArgumentHelp(cliText("cli.facts.profile")))
    var profile: String?

    @Option(help: ArgumentHelp(cliText("cli.facts.root")))
    var root: String?

    func validate() throws {
        if let root, !FileManager.default.fileExists(atPath: root) {
            throw ValidationError(cliText("cli.error.root", ["value": .text(root)]))
        }
    }

    func run() async throws {
        var loaded: Profile?
        if let profile {
            do {
                loaded = try ProfileLoader().load(profile)
            } catch {
                FileHandle.standardError.write(Data("homeready: \(error)\n".utf8))
                throw ExitCode(2)
            }
        }
        let logger = Logger(label: "homeready")
        let snapshot: PostureSnapshot
        if let root {
            let collector = FactCollector(
                tree: FileTree(root: URL(fileURLWithPath: root)), runsCommands: false, logger: logger)
            snapshot = await collector.snapshot(all: all)
        } else {
            snapshot = await PostureSnapshot.record(all: all, profile: loaded, logger: logger)
        }
        FileHandle.standardOutput.write(try snapshot.encoded() + Data("\n".utf8))
    }
}
