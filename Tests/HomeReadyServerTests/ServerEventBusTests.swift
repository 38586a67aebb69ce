import Foundation
import HomeReadyDashboard
import HomeReadyModel
import HomeReadyTestSupport
import Synchronization
import Testing

@testable import HomeReadyServer

@Suite("Server event bus: the dashboards' events across instances")
struct ServerEventBusTests {
    static func event(_ agent: String, summary: String = "check passed, ready") -> DashboardEvent {
        DashboardEvent(
            kind: .report, agentID: agent, agentName: "Ada", summary: summary, verdict: .ready,
            at: Date(timeIntervalSince1970: 1_800_000_000))
    }

    @Test("a notification's list of events reads back, and so does a lone event from an instance before lists")
    func readsListsAndLoneEvents() throws {
        let one = String(decoding: try ServerEventBus.encoder.encode(Self.event("a1")), as: UTF8.self)
        let two = String(decoding: try ServerEventBus.encoder.encode(Self.event("a2")), as: UTF8.self)
        #expect(ServerEventBus.decode(one) == [Self.event("a1")])
        #expect(ServerEventBus.decode("[\(one),\(two)]") == [Self.event("a1"), Self.event("a2")])
        #expect(ServerEventBus.decode("not an event").isEmpty)
        #expect(ServerEventBus.decode("[\(one),{}]").isEmpty)
    }

    /// Events published at once share NOTIFYs; a batch larger than one payload is split into several lists.
    @Test("PostgreSQL: 300 events published at once by one instance all reach the other's dashboards")
    func manyEventsAcrossInstances() async throws {
        guard TestBackend.available.contains(.postgres) else {
            try TestEnvironment.skip(because: "HOMEREADY_TEST_POSTGRES_URL is not set (run under Scripts/with-postgres)")
        }
        try await Harness.with(.postgres) { h in
            let database = h.configuration.database
            let sender = ServerEventBus(store: h.store, database: database, logger: Harness.logger)
            let receiver = ServerEventBus(store: h.store, database: database, logger: Harness.logger)
            let channel = try #require(receiver.channel)
            let events = receiver.events()
            // Long summaries: 300 events are about 130 KB, many times PostgreSQL's 8,000-byte payload limit.
            let summary = String(repeating: "s", count: 300)
            let received = try await withThrowingTaskGroup(of: Set<String>?.self) { group in
                group.addTask {
                    try await EventBusService(bus: receiver, database: database, logger: Harness.logger, watchSignals: false)
                        .run()
                    return nil
                }
                var listening = false
                for _ in 0..<250 where !listening {
                    listening = try await h.store.withConnection { db in
                        try await db.raw(
                            "SELECT COUNT(*) AS n FROM pg_stat_activity WHERE query LIKE \(bind: "%LISTEN%\(channel)%")"
                        ).all().first?.int("n") ?? 0
                    } == 1
                    if !listening { try await Task.sleep(for: .milliseconds(20)) }
                }
                #expect(listening, "the receiving instance LISTENs")
                group.addTask {
                    await withTaskGroup(of: Void.self) { publishers in
                        for index in 0..<300 {
                            publishers.addTask { await sender.publish(Self.event("agent-\(index)", summary: summary)) }
                        }
                    }
                    return nil
                }
                group.addTask {
                    var agents = Set<String>()
                    for await event in events {
                        agents.insert(event.agentID)
                        if agents.count == 300 { break }
                    }
                    return agents
                }
                group.addTask {
                    // Ends the stream (and so the wait above) if some events never come.
                    try await Task.sleep(for: .seconds(10))
                    receiver.close()
                    return nil
                }
                var agents: Set<String>?
                while agents == nil, let next = try await group.next() { agents = next }
                receiver.close()
                group.cancelAll()
                return agents ?? []
            }
            #expect(received == Set((0..<300).map { "agent-\($0)" }))
        }
    }
}
