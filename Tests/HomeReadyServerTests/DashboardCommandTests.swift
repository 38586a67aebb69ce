import Foundation
import HomeReadyDashboard
import HomeReadyTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

@testable import HomeReadyServer

/// The dashboard as mounted by the server, and the `create-user` / `demo-data` subcommands on the built binary.
@Suite("Dashboard mount and commands")
struct DashboardCommandTests {
    static var server: URL { TestEnvironment.productsDirectory.appendingPathComponent("homeready-server") }

    @Test("Mounted at / beside the API; cookies are Secure when the server says TLS", arguments: [false, true])
    func mountAndSecureCookies(_ secure: Bool) async throws {
        try await Harness.with(.sqlite, configure: { $0.secureCookies = secure }) { h in
            let bus = ServerEventBus(store: h.store, database: h.configuration.database, logger: Harness.logger)
            let router = buildRouter(
                repository: h.repository, configuration: h.configuration, metrics: ServerMetrics(), backend: "sqlite",
                events: bus)
            try ServerDashboard.mount(
                on: router, repository: h.repository, events: bus, configuration: h.configuration, logger: Harness.logger)
            try await Application(router: router, logger: Harness.logger).test(.router) { client in
                let home = try await client.execute(uri: "/", method: .get)
                #expect(home.status == .seeOther)
                #expect(home.headers[.location]?.hasPrefix("/login") == true)
                let login = try await client.execute(uri: "/login", method: .get)
                #expect(login.status == .ok)
                let cookie = try #require(login.headers[.setCookie])
                #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
                #expect(cookie.contains("Secure") == secure, "\(cookie)")
                let api = try await client.execute(
                    uri: "/api/v1/sites", method: .get, headers: [.authorization: "Bearer \(h.adminToken)"])
                #expect(api.status == .ok)
                #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
            }
        }
    }

    @Test("create-user reads the password from stdin or a file, never argv; demo-data refuses a filled database")
    func commands() async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.server.path) else {
            try TestEnvironment.skip(because: "\(Self.server.path) is not built (swift build)")
        }
        let directory = try TemporaryDirectory(prefix: "dashboard-commands")
        defer { directory.remove() }
        let db = "sqlite:\(directory.url.appendingPathComponent("db.sqlite").path)"
        let created = try Subprocess.run(
            [Self.server.path, "create-user", "grace", "--role", "admin", "--db", db],
            input: Data("a long enough password\n".utf8))
        #expect(created.status == 0, "\(created.stderr)")
        let short = try Subprocess.run(
            [Self.server.path, "create-user", "bob", "--db", db], input: Data("short\n".utf8))
        #expect(short.status != 0 && short.stderr.contains("at least 10 characters"))
        let file = directory.url.appendingPathComponent("pw")
        try Data("another long password\n".utf8).write(to: file)
        let fromFile = try Subprocess.run(
            [Self.server.path, "create-user", "bob", "--role", "planner", "--password-file", file.path, "--db", db])
        #expect(fromFile.status == 0, "\(fromFile.stderr)")
        let argv = try Subprocess.run([Self.server.path, "create-user", "eve", "--password", "x", "--db", db])
        #expect(argv.status != 0, "there is no --password option")

        var configuration = ServerConfiguration()
        configuration.database = try DatabaseLocation(parsing: db)
        let (store, repository) = try await openRepository(configuration, logger: Harness.logger)
        let grace = try await repository.dashboardUser(named: "grace")
        let bob = try await repository.dashboardUser(named: "bob")
        await store.shutdown()
        #expect(grace?.role == .admin && bob?.role == .planner)
        #expect(PasswordHasher().verify("a long enough password", against: grace?.passwordHash ?? ""))
        #expect(PasswordHasher().verify("another long password", against: bob?.passwordHash ?? ""))

        let demo = try Subprocess.run([Self.server.path, "demo-data", "--agents", "6", "--days", "2", "--db", db])
        #expect(demo.status == 0, "\(demo.stderr)")
        #expect(demo.stdout.contains("6 agents") && demo.stdout.contains("dashboard sign-in: user demo, password "))
        let again = try Subprocess.run([Self.server.path, "demo-data", "--agents", "6", "--db", db])
        #expect(again.status == 1 && again.stderr.contains("already holds 6 agents"))
    }
}
