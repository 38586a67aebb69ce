import ArgumentParser
import Foundation
import HomeReadyAgent
import Logging

/// `--every`: a time between checks, 10 s to 24 h, written like 30m, 1h or 90s.
struct CheckInterval: Sendable {
    /// The interval in seconds.
    var seconds: Int

    /// Half an hour, the default of `watch` and `install-timer`.
    static let `default` = CheckInterval(seconds: 30 * 60)

    /// Reads `--every`; the error says what a valid interval looks like.
    @Sendable static func parse(_ text: String) throws -> CheckInterval {
        guard let seconds = CheckSchedule.parseInterval(text) else {
            throw ValidationError(cliText("cli.error.every", ["value": .text(text)]))
        }
        return CheckInterval(seconds: seconds)
    }
}

/// `homeready watch --every 30m`: runs `homeready check` again and again until SIGINT/SIGTERM.
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: cliText("cli.watch.abstract"),
        discussion: cliText("cli.watch.discussion"))

    @Option(help: ArgumentHelp(cliText("cli.watch.every")), transform: CheckInterval.parse)
    var every = CheckInterval.default
    @Option(help: ArgumentHelp(cliText("cli.watch.count"))) var count: Int?
    @Option(
        name: .customLong("poll-every"), help: ArgumentHelp(cliText("cli.watch.poll_every")),
        transform: CheckInterval.parse)
    var pollEvery = CheckInterval(seconds: 5 * 60)
    @Argument(parsing: .postTerminator, help: ArgumentHelp(cliText("cli.watch.check_arguments"))) var checkArguments: [String] = []

    func run() async throws {
        let interval = every.seconds
        let stop = StopSignal()
        var runs = 0
        // On an enrolled device, instructions from IT are polled between checks (docs/instructions.md).
        let agent = EnrolledAgent(paths: AgentPaths.standard(), logger: Logger(label: "homeready"))
        var instructions = agent.store.isEnrolled ? try? AgentInstructions(agent: agent) : nil
        func check() -> Bool {
            runs += 1
            let status = stop.runChild([CommandLine.arguments[0], "check"] + checkArguments)
            FileHandle.standardError.write(Data("homeready watch: check \(runs) exited \(status)\n".utf8))
            if let count, runs >= count { return false }
            return true
        }
        var going = check()
        while going, !stop.requested {
            var next = Date().addingTimeInterval(Double(interval))
            while !stop.requested, Date() < next {
                let left = next.timeIntervalSinceNow
                let slice = instructions == nil ? left : min(Double(pollEvery.seconds), left)
                if stop.wait(seconds: max(0, slice)) { break }
                guard instructions != nil, Date() < next else { continue }
                var ranCheck = false
                await instructions?.poll { _ in
                    ranCheck = true
                    going = check()
                    return true
                }
                if ranCheck { next = Date().addingTimeInterval(Double(interval)) }
                if !going { break }
            }
            if going, !stop.requested, Date() >= next { going = check() }
        }
        FileHandle.standardError.write(Data("homeready watch: stopped after \(runs) check(s)\n".utf8))
    }
}

/// SIGINT/SIGTERM turned into a flag; a running check is passed the signal and awaited (it finishes cleanly).
final class StopSignal: @unchecked Sendable {
    private let condition = NSCondition()
    private var stopped = false
    private var child: pid_t = 0
    private var sources: [any DispatchSourceSignal] = []

    init() {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { [weak self] in self?.raise(signalNumber) }
            source.resume()
            sources.append(source)
        }
    }

    private func raise(_ signalNumber: Int32) {
        condition.lock()
        stopped = true
        if child > 0 { kill(child, signalNumber) }
        condition.broadcast()
        condition.unlock()
    }

    var requested: Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopped
    }

    /// Waits up to `seconds`; true when a stop was requested.
    func wait(seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        condition.lock()
        defer { condition.unlock() }
        while !stopped, condition.wait(until: deadline) {}
        return stopped
    }

    /// Runs a child process to completion; returns its exit status.
    func runChild(_ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        do { try process.run() } catch {
            FileHandle.standardError.write(Data("homeready watch: cannot start \(arguments[0]): \(error)\n".utf8))
            return 2
        }
        condition.lock()
        child = process.processIdentifier
        condition.unlock()
        process.waitUntilExit()
        condition.lock()
        child = 0
        condition.unlock()
        return process.terminationStatus
    }
}

/// `homeready install-timer`: writes a systemd user service and timer that run the check.
struct InstallTimerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install-timer", abstract: cliText("cli.install_timer.abstract"))

    @Option(help: ArgumentHelp(cliText("cli.install_timer.every")), transform: CheckInterval.parse)
    var every = CheckInterval.default
    @Option(
        help: ArgumentHelp(
            cliText("cli.install_timer.unit_directory"), valueName: "folder"))
    var unitDirectory: String?
    @Option(
        help: ArgumentHelp(
            cliText("cli.install_timer.executable"), valueName: "path"))
    var executable: String?

    func validate() throws {
        if let executable, !executable.hasPrefix("/") {
            throw ValidationError(cliText("cli.error.executable", ["value": .text(executable)]))
        }
    }

    func run() throws {
        let directory = unitDirectory.map { URL(fileURLWithPath: $0) } ?? CheckSchedule.userUnitDirectory()
        let executable = self.executable
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.resolvingSymlinksInPath().path
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let service = directory.appendingPathComponent("homeready-check.service")
        let timer = directory.appendingPathComponent("homeready-check.timer")
        try CheckSchedule.serviceUnit(executable: executable).write(to: service, atomically: true, encoding: .utf8)
        try CheckSchedule.timerUnit(everySeconds: every.seconds)
            .write(to: timer, atomically: true, encoding: .utf8)
        print("wrote \(service.path)")
        print("wrote \(timer.path)")
        print("enable it with: systemctl --user daemon-reload && systemctl --user enable --now homeready-check.timer")
    }
}
