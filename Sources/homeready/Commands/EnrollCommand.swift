import ArgumentParser
import Foundation
import HomeReadyAgent
import Logging

/// `homeready enroll`: trades a one-time code for this device's identity.
struct EnrollCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enroll",
        abstract: cliText("cli.enroll.abstract"))

    @Option(help: ArgumentHelp(cliText("cli.enroll.server"))) var server: String
    @Option(help: ArgumentHelp(cliText("cli.enroll.code"))) var code: String
    @Option(help: ArgumentHelp(cliText("cli.enroll.ca_file"))) var caFile: String?
    @Option(help: ArgumentHelp(cliText("cli.enroll.pin"))) var pin: String?

    func run() async throws {
        let agent = EnrolledAgent(paths: AgentPaths.standard(), logger: Logger(label: "homeready"))
        do {
            let enrollment = try await agent.enroll(
                server: server, code: code, trust: ServerTrust(caFile: caFile, pinnedPublicKey: pin),
                hostname: ProcessInfo.processInfo.hostName)
            print("enrolled: device \(enrollment.deviceID) for employee \(enrollment.employeeID) on \(enrollment.serverURL)")
            if let profile = enrollment.profileID { print("assigned profile: \(profile)") }
            print("key: \(agent.paths.keyFile.path) (0600)")
        } catch {
            fail(error)
        }
    }
}

/// Prints an agent error and exits 2 (configuration or usage problem).
func fail(_ error: AgentError, exitCode: Int32 = 2) -> Never {
    FileHandle.standardError.write(Data("homeready: \(error)\n".utf8))
    Foundation.exit(exitCode)
}
