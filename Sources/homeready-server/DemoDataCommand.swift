import ArgumentParser
import Foundation
import HomeReadyDashboard
import HomeReadyServer

/// `homeready-server demo-data --agents 500`: fills an empty database with a demonstration fleet and creates a
/// dashboard sign-in for it.
struct DemoDataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo-data",
        abstract: "Fill an EMPTY database with a realistic demo fleet and print a dashboard sign-in.")
    @OptionGroup var options: DatabaseOptions
    @Option(help: "Agents to create.") var agents: Int = 500
    @Option(help: "Random seed: the same seed gives the same fleet.") var seed: UInt64 = 1
    @Option(help: "Days of report history (the last is today).") var days: Int = 10
    @Option(help: "Name of the admin user created for the demo.") var user: String = "demo"
    @Option(help: "Read the demo user's password from this file instead of generating one.") var passwordFile: String?
    @Flag(help: "Create no dashboard user.") var noUser = false

    func validate() throws {
        guard (1...100_000).contains(agents) else { throw ValidationError("--agents must be 1 to 100000") }
        guard (1...60).contains(days) else { throw ValidationError("--days must be 1 to 60") }
    }

    func run() async throws {
        var password: String?
        if !noUser {
            if let passwordFile {
                guard let text = try? String(contentsOfFile: passwordFile, encoding: .utf8),
                    let line = text.split(separator: "\n").first, line.count >= CreateUser.minimumPasswordLength
                else {
                    throw ValidationError(
                        "--password-file must hold a password of at least \(CreateUser.minimumPasswordLength) characters")
                }
                password = String(line)
            } else {
                password = (0..<3).map { _ in
                    String((0..<5).map { _ in "abcdefghjkmnpqrstuvwxyz23456789".randomElement()! })
                }.joined(separator: "-")
            }
        }
        let started = Date()
        let (store, repository) = try await openRepository(try options.configuration(), logger: options.logger)
        let outcome: DemoData.Outcome
        do {
            outcome = try await DemoData(agents: agents, seed: seed, days: days).run(
                on: repository, logger: options.logger)
            if case .created = outcome, let password {
                try await repository.upsertDashboardUser(
                    DashboardUser(name: user, passwordHash: PasswordHasher().hash(password), role: .admin), at: Date())
            }
        } catch {
            await store.shutdown()
            throw error
        }
        await store.shutdown()
        switch outcome {
        case .refused(let existing):
            FileHandle.standardError.write(
                Data("demo-data: the database already holds \(existing) agents; demo-data only fills an empty database. Use a new --db (e.g. sqlite:demo.sqlite).\n".utf8))
            throw ExitCode(1)
        case .created(let s):
            print(
                "demo-data: \(s.agents) agents, \(s.sites) sites, \(s.campaigns) campaigns, \(s.teams) teams, \(s.items) equipment items, \(s.reports) reports over \(days) days in \(String(format: "%.1f", Date().timeIntervalSince(started))) s"
            )
            if passwordFile != nil {
                print("dashboard sign-in: user \(user), password from \(passwordFile!)")
            } else if let password {
                print("dashboard sign-in: user \(user), password \(password)")
            }
        }
    }
}
