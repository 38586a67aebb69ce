import ArgumentParser
import Foundation
import HomeReadyModel
import HomeReadyProfiles
import Yams

/// `homeready profile`: lint and show profiles.
struct ProfileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile",
        abstract: cliText("cli.profile.abstract"),
        subcommands: [Lint.self, Show.self, List.self])

    /// `homeready profile lint FILE...`
    struct Lint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: cliText("cli.profile.lint.abstract"))

        @Argument(help: ArgumentHelp(cliText("cli.profile.lint.files")))
        var files: [String]

        @Flag(help: ArgumentHelp(cliText("cli.profile.lint.quiet")))
        var quiet = false

        func run() async throws {
            let loader = ProfileLoader()
            var problems = 0
            for file in files {
                let diagnostics: [ProfileDiagnostic]
                if FileManager.default.fileExists(atPath: file) {
                    diagnostics = loader.lint(file: URL(fileURLWithPath: file))
                } else {
                    diagnostics = [ProfileDiagnostic(location: nil, field: "", message: "\(file): no such file")]
                }
                for diagnostic in diagnostics {
                    FileHandle.standardError.write(Data("\(diagnostic)\n".utf8))
                }
                problems += diagnostics.count
                if diagnostics.isEmpty && !quiet { print("\(file): ok") }
            }
            if problems > 0 {
                FileHandle.standardError.write(Data("\(problems) problem\(problems == 1 ? "" : "s") found\n".utf8))
                throw ExitCode(2)
            }
        }
    }

    /// `homeready profile show ID-or-FILE`
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: cliText("cli.profile.show.abstract"))

        @Argument(help: ArgumentHelp(cliText("cli.profile.show.profile")))
        var profile: String

        @Flag(help: ArgumentHelp(cliText("cli.profile.show.json")))
        var json = false

        func run() async throws {
            let resolved: Profile
            do {
                resolved = try ProfileLoader().load(profile)
            } catch {
                FileHandle.standardError.write(Data("\(error)\n".utf8))
                throw ExitCode(2)
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(resolved), as: UTF8.self))
            } else {
                print(try YAMLEncoder().encode(resolved), terminator: "")
            }
        }
    }

    /// `homeready profile list`
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: cliText("cli.profile.list.abstract"))

        func run() async throws {
            for id in ProfileLoader().availableProfiles() { print(id) }
        }
    }
}
