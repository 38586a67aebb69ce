import Foundation
import HomeReadyDashboard
import Hummingbird
import Logging

/// Mounts the web dashboard on the server's router, over the inventory database.
public enum ServerDashboard {
    /// Adds the dashboard's pages at `/` (the JSON API stays under `/api/v1`); users and sessions live in the
    /// database, live updates come from `events`.
    public static func mount(
        on router: Router<ServerRequestContext>, repository: SQLRepository, events: ServerEventBus,
        configuration: ServerConfiguration, logger: Logger
    ) throws {
        let dashboard = SQLDashboard(repository: repository, overdueDays: configuration.overdueDays)
        var settings = DashboardConfiguration(secureCookies: configuration.secureCookies)
        settings.publicBaseURL = configuration.publicBaseURL
        let backend = ServerSelfTestBackend(repository: repository, configuration: configuration, metrics: nil, events: events)
        try DashboardRoutes.add(
            to: router, dataSource: dashboard, users: dashboard, events: events, configuration: settings, logger: logger,
            selfTestLinks: DashboardSelfTestLinkMaker(repository: repository, backend: backend),
            drills: Drills(repository: repository, now: configuration.drillClock),
            instructions: DashboardInstructionSender(repository: repository),
            escalations: DashboardEscalationSource(repository: repository))
    }
}
