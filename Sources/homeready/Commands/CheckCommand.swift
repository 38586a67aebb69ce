import ArgumentParser
import Foundation
import HomeReadyAgent
import HomeReadyLocalization
import HomeReadyModel
import HomeReadyProbe
import HomeReadyProfiles
import HomeReadyVPN
import HomeReadyVoicePath
import Logging

/// `homeready check`: measures, judges against the profile, prints the verdict.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: cliText("cli.check.abstract"))

    @Option(help: ArgumentHelp(cliText("cli.check.server")))
    var server: String?

    @Option(help: ArgumentHelp(cliText("cli.check.profile")))
    var profile: String?

    @Option(help: ArgumentHelp(cliText("cli.check.only")))
    var only: String?

    @Flag(help: ArgumentHelp(cliText("cli.check.json")))
    var json = false

    @Option(help: ArgumentHelp(cliText("cli.check.download_url")))
    var downloadURL: String?

    @Option(help: ArgumentHelp(cliText("cli.check.upload_url")))
    var uploadURL: String?

    @Option(help: ArgumentHelp(cliText("cli.check.echo")))
    var echo: String?

    @Option(name: .customLong("sip-mirror"), help: ArgumentHelp(cliText("cli.check.sip_mirror")))
    var sipMirror: String?

    @Option(name: .customLong("turn-user"), help: ArgumentHelp(cliText("cli.check.turn_user")))
    var turnUser: String?

    @Flag(name: .customLong("insecure-tls"), help: ArgumentHelp(cliText("cli.check.insecure_tls")))
    var insecureTLS = false

    @Option(help: ArgumentHelp(cliText("cli.check.interface")))
    var interface: String?

    @Option(help: ArgumentHelp(cliText("cli.check.facts")))
    var facts: String?

    @Option(help: ArgumentHelp(cliText("cli.check.root")))
    var root: String?

    @Option(help: ArgumentHelp(cliText("cli.check.role")))
    var role: String?

    @Option(help: ArgumentHelp(cliText("cli.check.employee_id")))
    var employeeID: String?

    @Flag(help: ArgumentHelp(cliText("cli.check.no_upload")))
    var noUpload = false

    @Option(
        help: ArgumentHelp(
            cliText("cli.check.lang"),
            valueName: "language"),
        transform: { value in
            guard let language = Language(tag: value) else {
                throw ValidationError(cliText("cli.error.lang", ["value": .text(value)]))
            }
            return language
        })
    var lang: Language?

    @Flag(name: .shortAndLong, help: ArgumentHelp(cliText("cli.check.verbose")))
    var verbose = false

    func validate() throws {
        _ = try parts()
        if let echo, parseHostPort(echo) == nil {
            throw ValidationError(cliText("cli.error.echo", ["value": .text(echo)]))
        }
        try validateTURN()
        if let sipMirror, parseHostPort(sipMirror) == nil {
            throw ValidationError(cliText("cli.error.sip_mirror", ["value": .text(sipMirror)]))
        }
        for (flag, value) in [("--server", server), ("--download-url", downloadURL), ("--upload-url", uploadURL)] {
            if let value, URL(string: value)?.scheme == nil {
                throw ValidationError(cliText("cli.error.url", ["flag": .text(flag), "value": .text(value)]))
            }
        }
    }

    func parts() throws -> Set<CheckPart> {
        guard let only else { return Set(CheckPart.allCases) }
        var parts = Set<CheckPart>()
        for name in only.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            guard let part = CheckPart(rawValue: name) else {
                throw ValidationError(
                    "--only takes \(CheckPart.allCases.map(\.rawValue).joined(separator: ",")); \"\(name)\" is not one of them")
            }
            parts.insert(part)
        }
        return parts
    }

    func run() async throws {
        let logger = Logger(label: "homeready")
        let agent = EnrolledAgent(paths: AgentPaths.standard(), logger: logger)
        var enrollment: DeviceEnrollment?
        if agent.store.isEnrolled {
            do { enrollment = try agent.store.loadEnrollment() } catch { fail(error) }
        }
        let loadedProfile: Profile
        do {
            loadedProfile = try await chooseProfile(agent: agent, enrollment: enrollment)
        } catch {
            FileHandle.standardError.write(Data("homeready: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let echoPeer = echo.flatMap(parseHostPort)
        let serverURL = (server ?? enrollment?.serverURL).flatMap(URL.init(string:))
        let configuration = CheckConfiguration(
            parts: try parts(),
            agent: AgentIdentity(
                employeeID: employeeID ?? enrollment?.employeeID ?? ProcessInfo.processInfo.environment["USER"] ?? "unknown",
                hostname: ProcessInfo.processInfo.hostName),
            network: NetworkCheckOptions(
                serverURL: serverURL, downloadURL: downloadURL.flatMap(URL.init(string:)),
                uploadURL: uploadURL.flatMap(URL.init(string:)), echoHost: echoPeer?.host, echoPort: echoPeer?.port,
                interface: interface),
            vpn: VPNCheckOptions(interface: interface, echoHost: echoPeer?.host, echoPort: echoPeer?.port),
            voicePath: voicePathOptions(
                serverURL: serverURL,
                turnCredentials: await turnCredentials(agent: agent, enrollment: enrollment, profile: loadedProfile)),
            posture: .init(
                factsFile: facts.map(URL.init(fileURLWithPath:)), root: root.map(URL.init(fileURLWithPath:)), role: role))
        let report = await CheckRunner(configuration: configuration, logger: logger).run(profile: loadedProfile)
        if json {
            let data = try ReportCoding.encoder(pretty: true).encode(report)
            FileHandle.standardOutput.write(data + Data("\n".utf8))
        } else {
            let language = lang ?? CLILanguage.current
            FileHandle.standardError.write(
                Data(ReportRenderer.render(report, localizer: Localizer(language), verbose: verbose).utf8))
        }
        if enrollment != nil, !noUpload {
            do {
                try agent.spoolReport(report)
            } catch {
                fail(error)
            }
            do {
                let summary = try await agent.flush()
                note(cliText("cli.check.upload", ["summary": .text(ReportCommand.describe(summary))]))
                for problem in summary.problems { note(problem) }
                if let judged = summary.judged[report.reportID] {
                    // The server's verdict is the one that counts; say so when it differs from this machine's.
                    note(
                        cliText("cli.check.server_verdict", ["verdict": .term("verdict.\(judged.verdict.rawValue)")])
                            + (judged.reason.map { " (\($0))" } ?? ""))
                }
            } catch {
                note("upload: \(error)")
            }
        }
        throw ExitCode(report.verdict.exitCode)
    }

    /// The voice-path checks' options: the SIP mirror from `--sip-mirror`, else from the server's `/speed/info`.
    /// TURN credentials come from `turnCredentials(agent:enrollment:profile:)` (CheckCommand+TURN.swift).
    func voicePathOptions(serverURL: URL?, turnCredentials: TURNCredentials? = nil) -> VoicePathCheckOptions {
        let mirror = sipMirror.flatMap(parseHostPort)
        var options = VoicePathCheckOptions(sipMirrorHost: mirror?.host, sipMirrorPort: mirror?.port, interface: interface)
        options.serverURL = serverURL
        options.turnCredentials = turnCredentials
        options.insecureTLS = insecureTLS
        return options
    }

    /// `--profile` when given; on an enrolled device the assigned profile (server, else cache); else the default.
    func chooseProfile(agent: EnrolledAgent, enrollment: DeviceEnrollment?) async throws -> Profile {
        if let profile { return try ProfileLoader().load(profile) }
        guard let enrollment else { return try ProfileLoader().load("linux-baseline") }
        do {
            let (assigned, source) = try await agent.assignedProfile(enrollment)
            switch source {
            case .server:
                note(cliText("cli.check.profile_from_server", [
                    "profile": .text(assigned.id), "version": .count(assigned.version), "server": .text(enrollment.serverURL),
                ]))
                followShifts(assigned.schedule, server: enrollment.serverURL)
            case .cache(let reason):
                let when = ISO8601DateFormatter().string(from: assigned.fetchedAt)
                note(cliText("cli.check.profile_cached", [
                    "profile": .text(assigned.id), "version": .count(assigned.version), "when": .text(when), "reason": .text(reason),
                ]))
            }
            return try ProfileLoader().load(yaml: assigned.yaml, name: "\(assigned.id) (assigned)")
        } catch let error as AgentError {
            let fallback = enrollment.profileID ?? "linux-baseline"
            note(cliText("cli.check.profile_fallback", ["error": .text("\(error)"), "profile": .text(fallback)]))
            return try ProfileLoader().load(fallback)
        }
    }

    func note(_ text: String) {
        FileHandle.standardError.write(Data("homeready: \(text)\n".utf8))
    }
}

/// Splits `HOST:PORT` (or `[v6]:PORT`).
func parseHostPort(_ text: String) -> (host: String, port: Int)? {
    guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port)
    else { return nil }
    var host = String(text[..<colon])
    if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
    return host.isEmpty ? nil : (host, port)
}
