import ArgumentParser
import Foundation
import HomeReadyDashboard
import HomeReadyServer

/// `homeready-server create-user NAME --role admin|planner`: a dashboard sign-in. The password comes from stdin
/// (first line) or `--password-file`, never from the command line, so it stays out of `ps` and shell history.
struct CreateUser: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create-user",
        abstract: "Create a dashboard user (or set a new password and role); reads the password from stdin or a file.")
    @OptionGroup var options: DatabaseOptions
    @Argument(help: "The user name to sign in with.") var name: String
    @Option(help: "admin (may acknowledge alerts) or planner (read-only); default: planner.", transform: Self.parseRole)
    var role = DashboardRole.planner
    @Option(help: "Read the password from this file's first line instead of stdin.") var passwordFile: String?

    static let minimumPasswordLength = 10

    /// Reads `--role`.
    @Sendable static func parseRole(_ text: String) throws -> DashboardRole {
        guard let role = DashboardRole(rawValue: text) else { throw ValidationError("--role must be admin or planner") }
        return role
    }

    func validate() throws {
        guard !name.isEmpty, name.count <= 64, !name.contains(where: \.isWhitespace) else {
            throw ValidationError("NAME must be 1 to 64 characters without spaces")
        }
    }

    func run() async throws {
        let text: String
        if let passwordFile {
            guard let contents = try? String(contentsOfFile: passwordFile, encoding: .utf8) else {
                throw ValidationError("cannot read --password-file \(passwordFile)")
            }
            text = contents
        } else {
            text = readLine(strippingNewline: true) ?? ""
        }
        let password = String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
        guard password.count >= Self.minimumPasswordLength else {
            throw ValidationError(
                "the password must have at least \(Self.minimumPasswordLength) characters (read from \(passwordFile ?? "stdin"))")
        }
        let user = DashboardUser(
            name: name, passwordHash: PasswordHasher().hash(password), role: role)
        let (store, repository) = try await openRepository(try options.configuration(), logger: options.logger)
        do { try await repository.upsertDashboardUser(user, at: Date()) } catch {
            await store.shutdown()
            throw error
        }
        await store.shutdown()
        print("user \(name) (\(role.rawValue)) saved")
    }
}
