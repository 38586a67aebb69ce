/// Runs commands as the user of a desktop session, inside that session's bus and display environment: directly
/// when the check runs as that user, through `runuser` when it runs as root.
struct SessionCommands: Sendable {
    var session: DesktopSession
    var runner: CommandRunner
    /// The uid the check runs as.
    var effectiveUID: Int

    /// Whether commands can run as the session's user.
    var canRun: Bool {
        effectiveUID == session.uid || (effectiveUID == 0 && runner.resolve("runuser") != nil)
    }

    /// Why commands cannot run as the session's user.
    var whyNot: String {
        effectiveUID == 0
            ? "runuser is not installed, so the settings of \(session.user) cannot be read"
            : "the check runs as uid \(effectiveUID) and cannot read the settings of \(session.user); "
                + "run it as that user or with sudo"
    }

    /// The output of `argv` run as the session's user, `nil` when it is not installed, cannot run as that user,
    /// fails or times out.
    func run(_ argv: [String], timeout: Double = 5) async -> String? {
        guard canRun, let program = argv.first, runner.resolve(program) != nil else { return nil }
        var environment = session.environment
        if let home = session.home { environment["HOME"] = home }
        let full = effectiveUID == session.uid ? argv : ["runuser", "-u", session.user, "--"] + argv
        guard let output = try? await runner.run(full, timeout: timeout, environment: environment),
            output.exitStatus == 0
        else { return nil }
        return output.output
    }
}
