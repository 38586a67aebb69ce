import Foundation
import HomeReadyModel
import HomeReadyTestSupport
import Testing

@testable import HomeReadyServer

@Suite("Server skeleton")
struct ServerSkeletonTests {
    @Test("healthz answers with the back end", arguments: TestBackend.available)
    func healthz(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            try await harness.withClient { api in
                let reply = try await api.send(.get, "/healthz", token: nil)
                #expect(reply.status == .ok)
                #expect(reply.string("database") == backend.rawValue)
            }
        }
    }

    @Test("migrations are applied once and can run again", arguments: TestBackend.available)
    func migrationsIdempotent(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            try await Migrations.run(on: harness.store, logger: Harness.logger)
            let count = try await harness.store.withConnection { db in
                try await db.raw("SELECT COUNT(*) AS n FROM schema_migrations").all().first!.int("n")
            }
            #expect(count == Migrations.all.count)
        }
    }

    @Test("the OpenAPI document and Prometheus metrics are served", arguments: TestBackend.available)
    func openAPIAndMetrics(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            try await harness.withClient { api in
                let doc = try await api.send(.get, "/openapi.yaml", token: nil)
                #expect(doc.status == .ok)
                #expect(doc.text.hasPrefix("openapi: 3.1"))
                // Each path once: YAML parsers differ on duplicate keys (some keep the last, some refuse the file).
                let paths = doc.text.split(separator: "\n").filter { $0.hasPrefix("  /") }.map(String.init)
                #expect(paths.count >= 46, "docs/openapi.yaml lists \(paths.count) paths")
                #expect(Set(paths).count == paths.count, "paths named twice: \(paths.filter { p in paths.filter { $0 == p }.count > 1 })")
                let campaign = try await api.create(
                    "campaigns", ["name": "Billing", "profile_id": "linux-baseline", "cutover_date": "2026-12-01"])
                _ = try await api.create("agents", ["employee_id": "E1", "name": "Ada", "campaign_id": campaign])
                let metrics = try await api.send(.get, "/metrics", token: nil)
                #expect(metrics.status == .ok)
                #expect(metrics.text.contains("homeready_agents_readiness{campaign=\"\(campaign)\",status=\"unknown\"} 1"))
                #expect(metrics.text.contains("homeready_http_request_duration_seconds"))
            }
        }
    }

    @Test("the JSON Schemas of profiles and reports are served without a token, as bundled")
    func schemasAreServed() async throws {
        try await Harness.with(.sqlite) { harness in
            try await harness.withClient { api in
                for name in ["profile", "report"] {
                    let reply = try await api.send(.get, "/schemas/\(name).json", token: nil)
                    #expect(reply.status == .ok)
                    #expect(reply.contentType == "application/schema+json")
                    let file = TestEnvironment.packageRoot.appendingPathComponent(
                        "Sources/HomeReadyServer/Resources/schemas/\(name).json")
                    #expect(reply.body == (try Data(contentsOf: file)), "/schemas/\(name).json differs from \(file.path)")
                    #expect(reply.json["$schema"] as? String == "http://json-schema.org/draft-07/schema#")
                }
                let missing = try await api.send(.get, "/schemas/other.json", token: nil)
                #expect(missing.status == .notFound)
                let doc = try await api.send(.get, "/openapi.yaml", token: nil)
                #expect(doc.text.contains("\n  /schemas/profile.json:\n"))
                #expect(doc.text.contains("\n  /schemas/report.json:\n"))
            }
        }
    }

    @Test("the OpenAPI document's version is the build's one version")
    func openAPIVersionIsTheBuildVersion() throws {
        let file = TestEnvironment.packageRoot.appendingPathComponent("Sources/HomeReadyServer/Resources/openapi.yaml")
        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(text.contains("\ninfo:\n  title: HomeReady inventory server\n  version: \(HomeReadyVersion.current)\n"),
                "openapi.yaml's info.version must be HomeReadyVersion.current (\(HomeReadyVersion.current))")
    }

    @Test("database locations parse and bad ones say what to give")
    func databaseLocation() throws {
        #expect(try DatabaseLocation(parsing: "sqlite:/tmp/x.sqlite") == .sqlite(path: "/tmp/x.sqlite"))
        #expect(try DatabaseLocation(parsing: "postgres://u:p@127.0.0.1:5432/db") == .postgres(url: "postgres://u:p@127.0.0.1:5432/db"))
        #expect(throws: ServerError.self) { try DatabaseLocation(parsing: "mysql://x") }
        let message = ServerError.badDatabaseURL("postgres://u:secret@h/db").description
        #expect(!message.contains("secret"))
    }

    @Test("tokens are 256 random bits, stored as SHA-256, compared in constant time")
    func tokens() {
        let token = Tokens.generate()
        #expect(token.hasPrefix("hr_") && token.count == 3 + 43)
        #expect(Tokens.generate() != token)
        #expect(Tokens.hash(token).count == 64)
        #expect(Tokens.constantTimeEquals(Tokens.hash(token), Tokens.hash(token)))
        #expect(!Tokens.constantTimeEquals(Tokens.hash(token), Tokens.hash("x")))
    }
}
