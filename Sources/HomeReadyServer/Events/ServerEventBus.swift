import Foundation
import HomeReadyDashboard
import HomeReadyModel
import Hummingbird
import Logging
import SQLKit
import Synchronization

/// Fleet changes for open dashboards, shared by every server instance on one database.
///
/// On PostgreSQL `publish` sends a `NOTIFY` on the database's channel and `EventBusService` LISTENs on it, so an
/// event from any instance reaches the dashboards of every instance (this one included). On SQLite (one instance)
/// events go straight to this process's subscribers.
public final class ServerEventBus: DashboardEventSource, Sendable {
    /// This process's subscribers (the dashboard's SSE streams).
    public let broadcaster: DashboardBroadcaster
    /// The NOTIFY channel; nil on SQLite.
    let channel: String?
    /// On PostgreSQL, the events published at once, sent together: one statement per batch, each NOTIFY carrying
    /// a JSON list of events. One NOTIFY round trip per stored report had cost PostgreSQL behind two instances
    /// two fifths of its signed reports a second (measured: 1,550–1,598 reports/s, 2,579–2,608 without them).
    private let notifications: GroupCommit<String, Void>?
    let logger: Logger
    private let closed = ClosedFlag()

    /// Creates a bus for `store`; on PostgreSQL the channel is derived from `database` (its schema, when set),
    /// so instances on one database and schema share events and test schemas stay apart.
    public init(store: SQLStore, database: DatabaseLocation, logger: Logger) {
        self.broadcaster = DashboardBroadcaster()
        self.logger = logger
        if case .postgres(_, let schema) = database {
            let channel = Self.channelName(schema: schema)
            self.channel = channel
            notifications = GroupCommit(store: store, in: .pool) { payloads, db in
                try await Self.notify(payloads, on: channel, db)
                return payloads.map { _ in () }
            }
        } else {
            channel = nil
            notifications = nil
        }
    }

    /// Bytes of one NOTIFY's list at most: PostgreSQL refuses a payload of 8,000 bytes or more.
    static let payloadLimit = 7_000

    /// Sends `events` (each one JSON object) on `channel` as JSON lists of at most `payloadLimit` bytes, all in
    /// one statement.
    static func notify(_ events: [String], on channel: String, _ db: any SQLDatabase) async throws {
        var lists: [String] = []
        var list = ""
        for event in events {
            if !list.isEmpty, list.utf8.count + event.utf8.count + 2 > payloadLimit {
                lists.append("[\(list)]")
                list = ""
            }
            list += list.isEmpty ? event : "," + event
        }
        if !list.isEmpty { lists.append("[\(list)]") }
        let calls = lists.map { list -> SQLQueryString in "pg_notify(\(bind: channel), \(bind: list))" }
        try await db.raw("SELECT \(calls.joined(separator: ", "))").run()
    }

    static func channelName(schema: String?) -> String {
        let suffix = (schema ?? "").lowercased().filter { $0.isLetter || $0.isNumber || $0 == "_" }
        return suffix.isEmpty ? "homeready_events" : "homeready_events_\(suffix.prefix(40))"
    }

    public func events() -> AsyncStream<DashboardEvent> {
        if closed.isSet {
            return AsyncStream { $0.finish() }
        }
        return broadcaster.events()
    }

    /// Sends `event` to the dashboards of every instance. Never throws: when NOTIFY fails, this instance's
    /// dashboards still get the event and a warning is logged.
    public func publish(_ event: DashboardEvent) async {
        guard let notifications else {
            broadcaster.publish(event)
            return
        }
        do {
            try await notifications.run(String(decoding: try Self.encoder.encode(event), as: UTF8.self))
        } catch {
            logger.warning("events.notify.failed", metadata: ["error": "\(error)"])
            broadcaster.publish(event)
        }
    }

    /// Publishes a `.report` event for a newly stored report.
    public func reportIngested(_ report: ReportEnvelope, agent: AgentRecord) async {
        let verdict: String
        switch report.verdict {
        case .ready: verdict = "check passed, ready"
        case .readyWithWarnings: verdict = "check passed with warnings"
        case .notReady: verdict = "check failed, not ready"
        case .incomplete: verdict = "check incomplete"
        }
        await publish(
            DashboardEvent(
                kind: .report, agentID: agent.id, agentName: agent.name, summary: verdict, verdict: report.verdict,
                at: report.finishedAt))
    }

    /// Ends every open stream and every stream opened later (shutdown), so SSE responses end and the HTTP
    /// server's graceful shutdown does not wait for them.
    public func close() {
        closed.set()
        broadcaster.finishAll()
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    /// The events of one notification: a JSON list of them, or one event (as instances before lists sent them).
    static func decode(_ payload: String) -> [DashboardEvent] {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let data = Data(payload.utf8)
        if payload.first == "[" { return (try? decoder.decode([DashboardEvent].self, from: data)) ?? [] }
        return (try? decoder.decode(DashboardEvent.self, from: data)).map { [$0] } ?? []
    }
}

/// A flag set once, read from any thread.
final class ClosedFlag: Sendable {
    private let value = Atomic(false)

    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
}
