import Foundation
import HomeReadyModel

/// Something that changed the fleet, pushed to open dashboards.
public struct DashboardEvent: Sendable, Equatable, Codable {
    /// What happened.
    public enum Kind: String, Sendable, Codable {
        case report, equipment, alert
    }

    public var kind: Kind
    public var agentID: String
    public var agentName: String
    /// One line in English ("check passed", "headset delivered"), for logs and older pages.
    public var summary: String
    /// For a report: its verdict, which the page shows in the reader's language.
    public var verdict: Verdict?
    public var at: Date

    /// Creates an event.
    public init(kind: Kind, agentID: String, agentName: String, summary: String, verdict: Verdict? = nil, at: Date) {
        self.kind = kind
        self.agentID = agentID
        self.agentName = agentName
        self.summary = summary
        self.verdict = verdict
        self.at = at
    }
}

/// A stream of fleet changes. The server's PostgreSQL LISTEN/NOTIFY source implements it so that a report that
/// arrived at any instance reaches every open dashboard; `DashboardBroadcaster` is the in-process one.
public protocol DashboardEventSource: Sendable {
    /// A new stream that yields every event from now on, until the consumer stops iterating.
    func events() -> AsyncStream<DashboardEvent>
}
