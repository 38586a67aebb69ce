import ArgumentParser
import Foundation
import HomeReadySelfTest
import HomeReadyServer

/// `serve` options for the browser self-test page: the company TURN servers and their shared secret.
struct SelfTestServeOptions: ParsableArguments {
    @Option(name: .long, help: "TURN server HOST:PORT the self-test page relays its test call through, over UDP and TCP (repeatable).")
    var turnServer: [String] = []
    @Option(name: .long, help: "TURN server HOST:PORT reached over TLS (turns:), tried when UDP and TCP fail (repeatable).")
    var turnTlsServer: [String] = []
    @Option(name: .long, help: "File holding coturn's static-auth-secret (TURN REST API); needed with --turn-server.")
    var turnSecretFile: String?
    @Option(name: .long, help: "Address agents reach this server at, for self-test links, e.g. https://homeready.example.com.")
    var publicUrl: String?
    @Option(name: .long, help: "Seconds of audio the self-test page's looped call measures (at least 10).")
    var selfTestCallSeconds: Double?

    func validate() throws {
        for server in turnServer + turnTlsServer where TURNServer(parsing: server) == nil {
            throw ValidationError("--turn-server and --turn-tls-server take HOST:PORT, e.g. turn.example.com:3478; got \"\(server)\"")
        }
        if !(turnServer.isEmpty && turnTlsServer.isEmpty), turnSecretFile == nil {
            throw ValidationError("--turn-server needs --turn-secret-file FILE holding coturn's static-auth-secret")
        }
        if let publicUrl, !(publicUrl.hasPrefix("http://") || publicUrl.hasPrefix("https://")) {
            throw ValidationError("--public-url must start with https:// (or http://), e.g. https://homeready.example.com")
        }
        if let seconds = selfTestCallSeconds, !(seconds >= 3 && seconds <= 60) {
            throw ValidationError("--self-test-call-seconds must be 3…60 (10 or more gives meaningful jitter and loss)")
        }
    }

    func apply(to configuration: inout ServerConfiguration) throws {
        configuration.turnServers = turnServer.compactMap(TURNServer.init(parsing:))
        configuration.turnTLSServers = turnTlsServer.compactMap(TURNServer.init(parsing:))
        if let turnSecretFile {
            let secret: String
            do { secret = try String(contentsOfFile: turnSecretFile, encoding: .utf8) } catch {
                throw ValidationError("cannot read --turn-secret-file \(turnSecretFile): check the path and its permissions")
            }
            let trimmed = secret.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { throw ValidationError("--turn-secret-file \(turnSecretFile) is empty") }
            configuration.turnSecret = trimmed
        }
        configuration.publicBaseURL = publicUrl
        configuration.selfTestCallSeconds = selfTestCallSeconds
    }
}

struct SelfTestLinkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "self-test-link",
        abstract: "Make a personal browser self-test link for an agent and print its URL (alone on stdout).")
    @OptionGroup var options: DatabaseOptions
    @Option(help: "The agent's employee id.") var employeeId: String
    @Option(help: "How long the link works: 7d, 12h, 30m (1 minute to 90 days; default: 7d).", transform: Self.parseLifetime)
    var expires: TimeInterval = 7 * 86_400
    @Option(help: "Reports the link may send (1-100).") var maxUses: Int = SelfTestLinks.defaultMaxUses
    @Option(help: "Address agents reach the server at.") var baseUrl: String = "http://127.0.0.1:8080"

    /// Reads `--expires`.
    @Sendable static func parseLifetime(_ text: String) throws -> TimeInterval {
        guard let lifetime = SelfTestLinks.parseLifetime(text) else {
            throw ValidationError("--expires must be a duration such as 7d, 12h or 30m (1 minute to 90 days)")
        }
        return lifetime
    }

    func validate() throws {
        guard (1...100).contains(maxUses) else { throw ValidationError("--max-uses must be 1-100") }
        guard baseUrl.hasPrefix("http://") || baseUrl.hasPrefix("https://") else {
            throw ValidationError("--base-url must start with https:// (or http://), e.g. https://homeready.example.com")
        }
    }

    func run() async throws {
        let (store, repository) = try await openRepository(try options.configuration(), logger: options.logger)
        do {
            let (_, url) = try await repository.makeSelfTestLink(
                employeeId: employeeId, lifetime: expires, maxUses: maxUses,
                baseURL: baseUrl, createdBy: "cli")
            await store.shutdown()
            print(url)
        } catch {
            await store.shutdown()
            throw error
        }
    }
}
