import ArgumentParser
import Foundation
import HomeReadyAgent
import HomeReadyLocalization
import HomeReadyModel
import HomeReadyProbe
import HomeReadyProfiles
import HomeReadyVPN
import Logging

/// `homeready check`: measures, judges against the profile, prints the verdict.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Run the readiness check and print the verdict with a fix for every failure.")

    @Option(help: "The HomeReady server (e.g. http://127.0.0.1:8080): test endpoints and, once enrolled, the profile.")
    var server: String?

    @Option(help: "Profile file or id (default: the assigned profile, else the shipped default).")
    var profile: String?

    @Option(help: "Comma-separated parts to run: network,vpn,posture,equipment.")
    var only: String?

    @Flag(help: "Print the report alone, as JSON, on standard output.")
    var json = false

    @Option(help: "Download test URL (any HTTP(S) server serving a large body).")
    var downloadURL: String?

    @Option(help: "Upload test URL (any HTTP(S) server accepting a POST).")
    var uploadURL: String?

    @Option(help: "UDP echo peer as HOST:PORT (RFC 862 or HomeReady's responder).")
    var echo: String?

    @Option(help: "Bind the tests to this network interface.")
    var interface: String?

    @Option(help: "Evaluate posture against facts recorded in this JSON file.")
    var facts: String?

    @Option(help: "Evaluate file rules against this directory instead of /.")
    var root: String?

    @Option(help: "The agent's role (e.g. agent, supervisor), for role-specific equipment requirements.")
    var role: String?

    @Option(help: "Employee id to put in the report (default: the enrolled identity, else the login name).")
    var employeeID: String?

    @Flag(help: "On an enrolled device: keep the report local (no signing, spooling or upload).")
    var noUpload = false

    @Option(
        help: ArgumentHelp(
            "Language of the screen: es or en (default: from LC_ALL, LC_MESSAGES or LANG). --json is the same in every language.",
            valueName: "language"),
        transform: { value in
            guard let language = Language(tag: value) else {
                throw ValidationError("--lang takes es or en; got \"\(value)\"")
            }
            return language
        })
    var lang: Language?

    @Flag(name: .shortAndLong, help: "Also print each finding's id, raw figures and the facts behind it (for IT).")
    var verbose = false

    func validate() throws {
        _ = try parts()
        if let echo, parseHostPort(echo) == nil {
            throw ValidationError("--echo must be HOST:PORT (e.g. 127.0.0.1:7), got \"\(echo)\"")
        }
        for (flag, value) in [("--server", server), ("--download-url", downloadURL), ("--upload-url", uploadURL)] {
            if let value, URL(string: value)?.scheme == nil {
                throw ValidationError("\(flag) must be an http:// or https:// URL, got \"\(value)\"")
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
            posture: .init(
                factsFile: facts.map(URL.init(fileURLWithPath:)), root: root.map(URL.init(fileURLWithPath:)), role: role))
        let report = await CheckRunner(configuration: configuration, logger: logger).run(profile: loadedProfile)
        if json {
            let data = try ReportCoding.encoder(pretty: true).encode(report)
            FileHandle.standardOutput.write(data + Data("\n".utf8))
        } else {
            let language = lang ?? Language.fromEnvironment(ProcessInfo.processInfo.environment)
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
                note("upload: " + ReportCommand.describe(summary))
                for problem in summary.problems { note(problem) }
                if let judged = summary.judged[report.reportID] {
                    // The server's verdict is the one that counts; say so when it differs from this machine's.
                    note(
                        "the server's verdict: \(judged.verdict.rawValue)"
                            + (judged.reason.map { " (\($0))" } ?? ""))
                }
            } catch {
                note("upload: \(error)")
            }
        }
        throw ExitCode(report.verdict.exitCode)
    }

    /// `--profile` when given; on an enrolled device the assigned profile (server, else cache); else the default.
    func chooseProfile(agent: EnrolledAgent, enrollment: DeviceEnrollment?) async throws -> Profile {
        if let profile { return try ProfileLoader().load(profile) }
        guard let enrollment else { return try ProfileLoader().load("linux-baseline") }
        do {
            let (assigned, source) = try await agent.assignedProfile(enrollment)
            switch source {
            case .server:
                note("profile \(assigned.id) version \(assigned.version) from \(enrollment.serverURL)")
            case .cache(let reason):
                let when = ISO8601DateFormatter().string(from: assigned.fetchedAt)
                note("using the cached profile \(assigned.id) version \(assigned.version) (fetched \(when)): \(reason)")
            }
            return try ProfileLoader().load(yaml: assigned.yaml, name: "\(assigned.id) (assigned)")
        } catch let error as AgentError {
            let fallback = enrollment.profileID ?? "linux-baseline"
            note("no assigned profile could be fetched or found in the cache (\(error)); using the shipped \(fallback)")
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
