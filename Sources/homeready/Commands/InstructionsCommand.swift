import ArgumentParser
import Foundation
import HomeReadyAgent
import HomeReadyModel
import Logging

/// `homeready instructions`: asks the server once for instructions from IT and carries them out (the timer's
/// service runs it after each check with `--after-check`; `watch` does the same between checks).
struct InstructionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "instructions", abstract: cliText("cli.instructions.abstract"))

    @Flag(name: .customLong("after-check"), help: ArgumentHelp(cliText("cli.instructions.after_check")))
    var afterCheck = false

    func run() async throws {
        let started = Date()
        let agent = EnrolledAgent(paths: AgentPaths.standard(), logger: Logger(label: "homeready"))
        // Not enrolled: nothing to ask (the timer's service runs this on every laptop).
        guard agent.store.isEnrolled else { return }
        var channel = try AgentInstructions(agent: agent)
        await channel.poll { instruction in
            if afterCheck, instruction.createdAt <= started { return true }
            let arguments = [CommandLine.arguments[0], "check"]
            let status = StopSignal().runChild(arguments)
            return status != 2
        }
    }
}

/// The agent's side of instructions from IT: the enrolled device's poller and what each instruction does in the
/// CLI (messages on standard error in this run's language, a changed profile fetched again into the cache).
struct AgentInstructions {
    let agent: EnrolledAgent
    let enrollment: DeviceEnrollment
    var poller: InstructionPoller

    init(agent: EnrolledAgent) throws {
        self.agent = agent
        enrollment = try agent.store.loadEnrollment()
        poller = try InstructionPoller(enrollment: enrollment, transport: agent.makeTransport(enrollment.trust))
    }

    /// Polls once; `runCheck` runs a check for a `check_now` or `drill_started` (true when it ran). A failed poll
    /// is reported and otherwise ignored: the next one asks again.
    @discardableResult
    mutating func poll(runCheck: (DeviceInstruction) async -> Bool) async -> InstructionPoller.Round? {
        let agent = self.agent
        let enrollment = self.enrollment
        do {
            return try await poller.pollAndHandle(
                language: CLILanguage.current.rawValue,
                runCheck: { instruction in
                    Self.note(cliText("cli.instructions.check_now"))
                    return await runCheck(instruction)
                },
                show: { _, text in Self.note(cliText("cli.instructions.message", ["text": .text(text)])) },
                refetchProfile: { _ in
                    guard (try? await agent.assignedProfile(enrollment)) != nil else { return false }
                    Self.note(cliText("cli.instructions.profile_changed"))
                    return true
                })
        } catch {
            Self.note(cliText("cli.instructions.failed", ["error": .text("\(error)")]))
            return nil
        }
    }

    static func note(_ text: String) {
        FileHandle.standardError.write(Data("homeready: \(text)\n".utf8))
    }
}
