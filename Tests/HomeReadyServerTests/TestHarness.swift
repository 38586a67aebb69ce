import Foundation
import HomeReadyModel
import HomeReadyTestSupport
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SQLKit
import Testing

@testable import HomeReadyServer

/// The back ends a test runs on: SQLite always, PostgreSQL when `HOMEREADY_TEST_POSTGRES_URL` is set
/// (`Scripts/with-postgres swift test --filter HomeReadyServerTests`).
enum TestBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    static var available: [TestBackend] {
        ProcessInfo.processInfo.environment["HOMEREADY_TEST_POSTGRES_URL"] == nil ? [.sqlite] : [.sqlite, .postgres]
    }

    var testDescription: String { rawValue }
}

/// A fresh database (an SQLite file, or a throwaway PostgreSQL schema), migrated, with an admin and a planner token.
struct Harness: Sendable {
    let repository: SQLRepository
    let store: SQLStore
    let configuration: ServerConfiguration
    let adminToken: String
    let plannerToken: String

    static let logger: Logger = {
        var logger = Logger(label: "homeready-server-test")
        logger.logLevel = .warning
        return logger
    }()

    /// Runs `body` against a fresh database on `backend` and removes it afterwards.
    static func with<T: Sendable>(
        _ backend: TestBackend, configure: (inout ServerConfiguration) -> Void = { _ in },
        _ body: (Harness) async throws -> T
    ) async throws -> T {
        let directory = try TemporaryDirectory(prefix: "homeready-server")
        defer { directory.remove() }
        var configuration = ServerConfiguration(port: 0)
        var schema: String?
        switch backend {
        case .sqlite:
            configuration.database = .sqlite(path: directory.url.appendingPathComponent("test.sqlite").path)
        case .postgres:
            let url = ProcessInfo.processInfo.environment["HOMEREADY_TEST_POSTGRES_URL"]!
            let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
            let admin = try SQLStore(location: .postgres(url: url), connectionsPerEventLoop: 1, logger: logger)
            try await admin.withConnection { db in try await db.raw("CREATE SCHEMA \(ident: name)").run() }
            await admin.shutdown()
            schema = name
            configuration.database = .postgres(url: url, schema: name)
        }
        configure(&configuration)
        let (store, repository) = try await openRepository(configuration, logger: logger)
        let admin = Tokens.generate()
        let planner = Tokens.generate()
        _ = try await repository.createToken(hash: Tokens.hash(admin), role: .admin, deviceId: nil, label: "test", at: Date())
        _ = try await repository.createToken(hash: Tokens.hash(planner), role: .planner, deviceId: nil, label: "test", at: Date())
        let harness = Harness(
            repository: repository, store: store, configuration: configuration, adminToken: admin, plannerToken: planner)
        let result: Result<T, any Error>
        do { result = .success(try await body(harness)) } catch { result = .failure(error) }
        await store.shutdown()
        if case .postgres(let url, _) = configuration.database, let schema {
            let admin = try SQLStore(location: .postgres(url: url), connectionsPerEventLoop: 1, logger: logger)
            try? await admin.withConnection { db in try await db.raw("DROP SCHEMA \(ident: schema) CASCADE").run() }
            await admin.shutdown()
        }
        return try result.get()
    }

    /// Runs `body` with a client for the router (no sockets).
    func withClient<T: Sendable>(_ body: @Sendable (APIClient) async throws -> T) async throws -> T {
        let router = buildRouter(
            repository: repository, configuration: configuration, metrics: ServerMetrics(),
            backend: configuration.database.kind)
        let app = Application(router: router, logger: Self.logger)
        return try await app.test(.router) { client in
            try await body(APIClient(client: client, harness: self))
        }
    }
}

/// Thin JSON helpers over Hummingbird's test client.
struct APIClient: Sendable {
    let client: any TestClientProtocol
    let harness: Harness

    struct Reply: Sendable {
        let status: HTTPResponse.Status
        let body: Data
        let contentType: String?

        var text: String { String(decoding: body, as: UTF8.self) }
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
        func string(_ key: String) -> String? { json[key] as? String }
        var items: [[String: Any]] { json["items"] as? [[String: Any]] ?? [] }
    }

    func send(_ method: HTTPRequest.Method, _ uri: String, token: String?, json: Any? = nil, raw: Data? = nil)
        async throws -> Reply
    {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        var body: ByteBuffer?
        if let json {
            headers[.contentType] = "application/json"
            body = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json))
        } else if let raw {
            headers[.contentType] = "application/json"
            body = ByteBuffer(bytes: raw)
        }
        let response = try await client.execute(uri: uri, method: method, headers: headers, body: body)
        return Reply(
            status: response.status, body: Data(response.body.readableBytesView),
            contentType: response.headers[.contentType])
    }

    var admin: String { harness.adminToken }
    var planner: String { harness.plannerToken }

    /// Creates an object as admin and returns its id.
    func create(_ path: String, _ json: [String: Any]) async throws -> String {
        let reply = try await send(.post, "/api/v1/\(path)", token: admin, json: json)
        guard reply.status == .created, let id = reply.string("id") else {
            throw TestFailure("POST \(path) gave \(reply.status.code): \(reply.text)")
        }
        return id
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A realistic report for an employee, with a few findings.
func sampleReport(
    employeeId: String, id: UUID = UUID(), verdict: Verdict = .ready, finishedAt: Date = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)),
    findings: [Finding]? = nil
) -> CheckReport {
    CheckReport(
        reportID: id, agent: AgentIdentity(employeeID: employeeId, hostname: "laptop-\(employeeId)", user: "agent"),
        profile: ProfileReference(id: "linux-baseline", version: 1), startedAt: finishedAt.addingTimeInterval(-40),
        finishedAt: finishedAt, verdict: verdict,
        findings: findings ?? [
            Finding(id: "network.download", section: .network, severity: .critical, status: .pass,
                    measured: .number(94.2), limit: .number(10), unit: "Mbit/s", message: "download is fine"),
            Finding(id: "posture.disk-encryption", section: .posture, severity: .critical,
                    status: verdict == .notReady ? .fail : .pass, message: "disk encryption",
                    remediation: "turn on full-disk encryption"),
        ],
        tool: ToolInfo(version: HomeReadyVersion.current, platform: "linux"))
}

func encodeReport(_ report: CheckReport) throws -> Data { try ReportCoding.encoder().encode(report) }
