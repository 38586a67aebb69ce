import Foundation
import HomeReadyModel
import HomeReadySelfTest
import HomeReadySpeedTest
import Hummingbird
import Logging
import ServiceLifecycle

/// Closes the database pool when the application shuts down.
struct DatabaseService: Service {
    let store: SQLStore

    func run() async throws {
        try? await gracefulShutdown()
        await store.shutdown()
    }
}

/// Opens the database, applies migrations and returns a repository over it.
public func openRepository(_ configuration: ServerConfiguration, logger: Logger) async throws
    -> (store: SQLStore, repository: SQLRepository)
{
    let store = try SQLStore(
        location: configuration.database, connectionsPerEventLoop: configuration.connectionsPerEventLoop, logger: logger)
    do {
        try await Migrations.run(on: store, logger: logger)
    } catch {
        await store.shutdown()
        throw ServerError.databaseUnavailable(error, at: configuration.database)
    }
    return (store, SQLRepository(store: store, logger: logger))
}

/// Builds the router with every route of the API.
func buildRouter(
    repository: any ServerRepository, configuration: ServerConfiguration, metrics: ServerMetrics, backend: String,
    events: ServerEventBus? = nil
) -> Router<ServerRequestContext> {
    let router = Router(context: ServerRequestContext.self)
    router.add(middleware: MetricsTimingMiddleware(metrics: metrics))
    addTrafficProtection(to: router, configuration: configuration)
    router.add(
        middleware: AuthenticationMiddleware(
            repository: repository, cacheTTL: configuration.lookupCacheTTL))
    addAdminAudit(to: router, repository: repository)
    router.get("healthz") { _, _ in
        do {
            try await repository.ping()
        } catch {
            throw Problem(.serviceUnavailable, "Database unavailable", detail: "the \(backend) database does not answer")
        }
        return Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: "{\"database\":\"\(backend)\",\"status\":\"ok\"}")))
    }
    router.get("metrics") { _, _ in
        let text = try await metrics.render { try await repository.rollup(by: .campaign, now: Date()) }
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
    router.get("openapi.yaml") { _, _ in
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml", subdirectory: "Resources"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else { throw Problem(.notFound, "Not found", detail: "the OpenAPI document is not bundled") }
        return Response(
            status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
    SchemaRoutes.add(to: router)
    let api = router.group("api/v1")
    OrganisationRoutes(repository: repository, configuration: configuration).add(to: api)
    AgentRoutes(repository: repository, configuration: configuration).add(to: api)
    AccessRoutes(repository: repository, configuration: configuration).add(to: api)
    let ingestion = ReportIngestion(repository: repository, configuration: configuration, events: events)
    ReportRoutes(repository: repository, configuration: configuration, metrics: metrics, ingestion: ingestion).add(to: api)
    ReadinessRoutes(repository: repository, configuration: configuration).add(to: api)
    CSVRoutes(repository: repository, configuration: configuration).add(to: api)
    WebhookRoutes(repository: repository, configuration: configuration).add(to: api)
    DeviceRoutes(repository: repository, configuration: configuration, profiles: ingestion.profiles).add(to: api)
    DeviceTURNRoutes(repository: repository, configuration: configuration).add(to: api)
    AdminAuditRoutes(repository: repository).add(to: api)
    // The agent's network check measures against these (no token: agents test before they enroll).
    var speedTest = SpeedTestConfiguration(echoPort: configuration.echoPort)
    speedTest.sipPort = configuration.sipPort
    SpeedTestRoutes.add(to: router, configuration: speedTest)
    // The browser self-test: links for IT under /api/v1, the page for agents at /self-test/{token} (no account).
    if let sql = repository as? SQLRepository {
        let backend = ServerSelfTestBackend(repository: sql, configuration: configuration, metrics: metrics, events: events)
        SelfTestLinkRoutes(repository: sql, backend: backend, configuration: configuration).add(to: api)
        ReadinessStatementRoutes(repository: sql, configuration: configuration).add(to: api)
        InstructionRoutes(repository: sql, configuration: configuration).add(to: api)
        EscalationRoutes(repository: sql, configuration: configuration).add(api: api, root: router)
        DrillRoutes(repository: sql, configuration: configuration).add(to: api)
        do {
            try SelfTestRoutes.add(to: router, backend: backend, configuration: configuration.selfTest)
        } catch {
            // Only a build without the page's bundled resources gets here; the rest of the server still runs.
            router.get("self-test/:token") { _, _ -> Response in
                throw Problem(.serviceUnavailable, "Self-test unavailable", detail: "\(error)")
            }
        }
    }
    return router
}

/// Builds the inventory server: opens the database (migrating it), wires the API, and returns an application
/// to run with `runService()` (graceful shutdown on SIGTERM/SIGINT).
public func buildApplication(configuration: ServerConfiguration, logger: Logger) async throws
    -> some ApplicationProtocol
{
    let (store, repository) = try await openRepository(configuration, logger: logger)
    let metrics = ServerMetrics(readinessCacheSeconds: configuration.metricsCacheSeconds)
    let events = ServerEventBus(store: store, database: configuration.database, logger: logger)
    let router = buildRouter(
        repository: repository, configuration: configuration, metrics: metrics, backend: configuration.database.kind,
        events: events)
    try ServerDashboard.mount(on: router, repository: repository, events: events, configuration: configuration, logger: logger)
    var app = Application(
        router: router, server: try ServerTLS.serverBuilder(configuration),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "homeready"),
        logger: logger)
    app.addServices(DatabaseService(store: store))
    app.addServices(EventBusService(bus: events, database: configuration.database, logger: logger))
    app.addServices(
        WebhookDispatcher(
            repository: repository, policy: WebhookPolicy(overdueDays: configuration.overdueDays), logger: logger))
    // Escalations (issue 20): the periodic events and the chain's steps; every instance runs it (claims in the
    // database keep sends to one). Messages go out on the channels configured (--smtp-url, chat webhooks).
    app.addServices(
        EscalationService(
            engine: EscalationEngine(
                repository: repository, sender: try configuration.notificationSender(logger: logger),
                publicBaseURL: configuration.publicBaseURL ?? "http://\(configuration.host):\(configuration.port)",
                logger: logger),
            interval: .milliseconds(Int64(max(0.05, configuration.escalationCheckSeconds) * 1000)), logger: logger))
    // Readiness counts are kept tallies (migration 20); this moves the agents whose reports aged out.
    app.addServices(ReadinessLapseService(repository: repository, logger: logger))
    if configuration.automaticSnapshots { app.addServices(DailySnapshotService(repository: repository, configuration: configuration, logger: logger)) }
    if let echoPort = configuration.echoPort {
        app.addServices(UDPEchoService(host: configuration.host, port: echoPort, logger: logger))
    }
    if let sipPort = configuration.sipPort {
        app.addServices(SIPMirrorService(host: configuration.host, port: sipPort, logger: logger))
    }
    return app
}
