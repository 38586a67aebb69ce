import ArgumentParser
import Foundation
import HomeReadyAgent
import Logging

/// `homeready enroll`: trades a one-time code for this device's identity.
struct EnrollCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enroll",
        abstract: "Enroll this device with the HomeReady server using a one-time code from IT.")

    @Option(help: "The server, e.g. https://homeready.example.internal:8443.") var server: String
    @Option(help: "The enrollment code IT gave you (works once, expires).") var code: String
    @Option(help: "PEM CA bundle to verify the server's certificate (HTTPS).") var caFile: String?
    @Option(help: "Pin of the server's public key: sha256//BASE64 of its SubjectPublicKeyInfo.") var pin: String?

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
