import ArgumentParser
import Foundation
import HomeReadyAgent
import HomeReadyLocalization
import HomeReadyModel
import HomeReadyVoicePath

extension CheckCommand {
    /// The environment variable holding the TURN password for `--turn-user` (labs and tests; never on the command
    /// line, where other users of the machine can read it).
    static let turnPasswordVariable = "HOMEREADY_TURN_PASSWORD"

    /// `--turn-user` needs its password in the environment.
    func validateTURN() throws {
        if turnUser != nil, ProcessInfo.processInfo.environment[Self.turnPasswordVariable] == nil {
            throw ValidationError(cliText("cli.error.turn_password", ["variable": .text(Self.turnPasswordVariable)]))
        }
    }

    /// Credentials for the profile's TURN relays: `--turn-user` with `HOMEREADY_TURN_PASSWORD`; else, on an
    /// enrolled device, short-lived ones from the server (`GET /api/v1/device/turn-credentials`); else none (the
    /// relays are reported `no_credentials`). Asks the server only when the voice path runs and the profile lists
    /// relays.
    func turnCredentials(agent: EnrolledAgent, enrollment: DeviceEnrollment?, profile: Profile) async -> TURNCredentials? {
        if let turnUser, let password = ProcessInfo.processInfo.environment[Self.turnPasswordVariable] {
            return TURNCredentials(username: turnUser, password: password)
        }
        guard let enrollment, !profile.voice.turn.isEmpty, (try? parts())?.contains(.voicePath) == true else { return nil }
        do {
            return try await agent.turnCredentials(enrollment)
        } catch {
            note(cliText("cli.check.turn_credentials_failed", ["error": .text(error.description)]))
            return nil
        }
    }
}
