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
            "Print this computer's posture facts as JSON (OS, disk encryption, firewall, screen lock, equipment, ...).",
        discussion: """
            The output is accepted by `homeready check --facts FILE`. With --all it also records processes, \
            packages, sysctl values, kernel modules and listening sockets; with --profile the outputs of that \
            profile's command rules. Exit codes: 0 printed, 2 usage error.
            """)

    @Flag(help: "Also record processes, packages, sysctl values, kernel modules and listening sockets.")
    var all = false

    @Option(help: "Also record the outputs of this profile's command rules (a profile id or file).")
    var profile: String?

    @Option(help: "Read /proc, /sys and /etc from this directory instead of / (commands are not run).")
    var root: String?

    func validate() throws {
        if let root, !FileManager.default.fileExists(atPath: root) {
            throw ValidationError("--root must be an existing directory, got \"\(root)\"")
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
