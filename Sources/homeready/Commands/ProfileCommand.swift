import ArgumentParser
import Foundation
import HomeReadyModel
import HomeReadyProfiles
import Yams

/// `homeready profile`: lint and show profiles.
struct ProfileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile",
        abstract: "Validate and inspect profiles.",
        subcommands: [Lint.self, Show.self, List.self])

    /// `homeready profile lint FILE...`
    struct Lint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check profile files; print every problem as FILE:LINE:COLUMN. Exit 0 when clean, 2 on errors.")

        @Argument(help: "Profile files to check.")
        var files: [String]

        @Flag(help: "Print nothing when clean.")
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
            abstract: "Print a profile with inheritance resolved, as YAML (default) or JSON.")

        @Argument(help: "A profile id (searched in ./Profiles, ~/.config/homeready/profiles, /etc/homeready/profiles, built-ins) or a file.")
        var profile: String

        @Flag(help: "Print JSON instead of YAML.")
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
        static let configuration = CommandConfiguration(abstract: "List the profiles available by id.")

        func run() async throws {
            for id in ProfileLoader().availableProfiles() { print(id) }
        }
    }
}
