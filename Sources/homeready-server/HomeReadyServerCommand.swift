import ArgumentParser
import Foundation
import HomeReadyModel
import HomeReadyServer
import Hummingbird
import Logging

/// `homeready-server`: the central inventory server.
@main
struct HomeReadyServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "homeready-server",
        abstract: "The HomeReady inventory server: agents, equipment, reports, readiness and capacity.",
        version: HomeReadyVersion.current,
        subcommands: [
            Serve.self, Migrate.self, CreateToken.self, EnrollmentCode.self, ImportRoster.self, ImportShipments.self,
            Export.self, Backup.self, Restore.self, CreateUser.self, DemoDataCommand.self, SelfTestLinkCommand.self,
            VerifyStatement.self,
        ],
        defaultSubcommand: Serve.self)
}

/// Options every subcommand shares.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .customLong("db"),
        help: ArgumentHelp(
            "sqlite:PATH or postgres://USER:PASSWORD@HOST:PORT/DATABASE (default: $HOMEREADY_DB, else "
                + "sqlite:homeready.sqlite; the environment keeps a password off the command line).",
            valueName: "db"))
    var dbOption: String?

    /// The database: `--db`, else `HOMEREADY_DB` (what the packaged service's `/etc/homeready/server.env` sets),
    /// else `sqlite:homeready.sqlite`.
    var db: String { dbOption ?? ProcessInfo.processInfo.environment["HOMEREADY_DB"] ?? "sqlite:homeready.sqlite" }

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel: String = "info"

    func validate() throws {
        do { _ = try DatabaseLocation(parsing: db) } catch { throw ValidationError(error.description) }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error")
        }
    }

    func configuration() throws -> ServerConfiguration {
        ServerConfiguration(database: try DatabaseLocation(parsing: db))
    }

    var logger: Logger {
        var logger = Logger(label: "homeready-server")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        return logger
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the server (migrates the database first).")

    @OptionGroup var options: DatabaseOptions
    @Option(name: .long, help: "HOST:PORT to listen on (default: 127.0.0.1:8080).", transform: ListenAddress.parse)
    var listen = ListenAddress(host: "127.0.0.1", port: 8080)
    @Option(name: .long, help: "UDP port for the speed-test echo responder.") var echoPort: Int?
    @Option(name: .long, help: "UDP and TCP port for the SIP mirror that detects routers' SIP ALG (e.g. 5060).")
    var sipPort: Int?
    @OptionGroup var devices: DeviceServeOptions
    @Flag(help: "Mark dashboard cookies Secure when a TLS proxy is in front (always on with --tls-cert).") var secureCookies = false
    @OptionGroup var protection: ProtectionOptions
    @OptionGroup var selfTest: SelfTestServeOptions
    @OptionGroup var readiness: ReadinessServeOptions
    @OptionGroup var notifications: NotificationServeOptions

    func run() async throws {
        var configuration = try options.configuration()
        configuration.host = listen.host
        configuration.port = listen.port
        configuration.echoPort = echoPort
        configuration.sipPort = sipPort
        devices.apply(to: &configuration)
        // Cookies are Secure whenever browsers reach the server over TLS: its own or a proxy's.
        configuration.secureCookies = secureCookies || configuration.tlsCertificate != nil
        protection.apply(to: &configuration)
        try selfTest.apply(to: &configuration)
        readiness.apply(to: &configuration)
        try notifications.apply(to: &configuration)
        let app = try await buildApplication(configuration: configuration, logger: options.logger)
        try await app.runService()
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations and exit.")
    @OptionGroup var options: DatabaseOptions

    func run() async throws {
        let (store, _) = try await openRepository(try options.configuration(), logger: options.logger)
        await store.shutdown()
        print("migrations applied")
    }
}

struct CreateToken: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create-token", abstract: "Create an admin or planner API token and print it once.")
    @OptionGroup var options: DatabaseOptions
    @Option(help: "admin or planner (default: admin)", transform: Self.parseRole) var role = Principal.Role.admin
    @Option(help: "A label to recognise the token by.") var label: String?

    /// Reads `--role`: a token made here is for a person, never a device.
    @Sendable static func parseRole(_ text: String) throws -> Principal.Role {
        guard let role = Principal.Role(rawValue: text), role != .device else {
            throw ValidationError("--role must be admin or planner")
        }
        return role
    }

    func run() async throws {
        let (store, repository) = try await openRepository(try options.configuration(), logger: options.logger)
        let secret = Tokens.generate()
        _ = try await repository.createToken(
            hash: Tokens.hash(secret), role: role, deviceId: nil, label: label, at: Date())
        await store.shutdown()
        print(secret)
    }
}

struct EnrollmentCode: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enrollment-code", abstract: "Create a single-use enrollment code for an agent and print it.")
    @OptionGroup var options: DatabaseOptions
    @Option(help: "The agent's employee id.") var employeeId: String
    @Option(help: "Hours until the code expires.") var ttlHours: Int = 72

    func run() async throws {
        let (store, repository) = try await openRepository(try options.configuration(), logger: options.logger)
        do {
            guard let agent = try await repository.agent(employeeId: employeeId) else {
                throw ServerError.unknownEmployee(employeeId)
            }
            let code = Tokens.generate(prefix: "enr_")
            let now = Date()
            try await repository.createEnrollmentCode(
                hash: Tokens.hash(code), agentId: agent.id, expiresAt: now.addingTimeInterval(Double(ttlHours) * 3600),
                at: now)
            await store.shutdown()
            print(code)
        } catch {
            await store.shutdown()
            throw error
        }
    }
}

struct ImportRoster: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-roster",
        abstract: "Create or update agents from a CSV (employee_id,name,contact,site,campaign,team,role); all or nothing.")
    @OptionGroup var options: DatabaseOptions
    @Argument(help: "The CSV file.") var file: String
    @Flag(help: "Check every row and report, importing nothing.") var dryRun = false

    func run() async throws {
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let (store, repository) = try await openRepository(try options.configuration(), logger: options.logger)
        let result: ImportResult
        do { result = try await importRoster(text, dryRun: dryRun, repository: repository) } catch {
            await store.shutdown()
            throw error
        }
        await store.shutdown()
        try ImportOutput(file: file, dryRun: dryRun).print(result)
    }
}

struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write readiness or equipment as CSV to stdout.")
    @OptionGroup var options: DatabaseOptions
    @Argument(help: "readiness or equipment") var what: String

    func validate() throws {
        guard what == "readiness" || what == "equipment" else { throw ValidationError("export readiness or equipment") }
    }

    func run() async throws {
        let (store, repository) = try await openRepository(try options.configuration(), logger: options.logger)
        // Streamed a page at a time: memory stays flat however large the fleet.
        let write: (String) async throws -> Void = { chunk in FileHandle.standardOutput.write(Data(chunk.utf8)) }
        do {
            if what == "readiness" {
                try await repository.exportReadinessCSV(now: Date(), emit: write)
            } else {
                try await repository.exportEquipmentCSV(emit: write)
            }
        } catch {
            await store.shutdown()
            throw error
        }
        await store.shutdown()
    }
}

/// `--listen`: where the server listens, HOST:PORT (the port after the last colon, so `[::1]:8080` works too).
struct ListenAddress: Sendable {
    var host: String
    var port: Int

    /// Reads `--listen`; the error shows the form.
    @Sendable static func parse(_ text: String) throws -> ListenAddress {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) else {
            throw ValidationError("--listen must be HOST:PORT, e.g. 0.0.0.0:8080")
        }
        return ListenAddress(host: String(text[..<colon]), port: port)
    }
}
