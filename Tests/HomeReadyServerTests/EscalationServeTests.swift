import Foundation
import HomeReadyTestSupport
import Hummingbird
import Testing

@testable import HomeReadyServer

/// Two whole servers (`buildApplication`, as `serve` runs it: every service, the escalation engine every 0.1 s)
/// on one database, both sending through a real SMTP server (aiosmtpd on 127.0.0.1): each step arrives once.
@Suite(
    "Escalations: two servers, one database, real SMTP", .serialized,
    .enabled(
        if: NotificationPeers.smtpPython != nil || TestEnvironment.isCI,
        "python3 with aiosmtpd is missing: install python3-aiosmtpd (Scripts/bootstrap)"))
struct EscalationServeTests {
    static let policy = """
        events:
          drill_unanswered: {severity: high}
        steps:
          - {notify: agent}
          - {notify: supervisor}
          - {notify: coordinator}
          - {notify: director, min_severity: high}
        group_interval_minutes: 60
        """

    @Test("two running servers each send what is due; SMTP receives one message per person and step",
          arguments: TestBackend.available)
    func twoServersOneDatabase(backend: TestBackend) async throws {
        let smtp = try NotificationPeers.startSMTP()
        defer { smtp.stop() }
        try await Harness.with(backend) { harness in
            let repository = harness.repository
            let campaign = try await repository.createCampaign(
                name: "Voice", profileId: "linux-baseline", cutoverDate: "2027-06-01", freshnessHours: 72)
            try await repository.setEscalationPolicy(
                campaignId: campaign.id, try EscalationPolicy.parse(Self.policy), actor: "test", at: Date())
            // 20 agents, 5 supervisors: 5 + 1 coordinator + 1 director = 7 messages.
            var rows: [RosterRow] = []
            for index in 1...20 {
                var row = RosterRow(
                    line: index + 1, employeeId: "E\(index)", name: "Agent \(index)", contact: nil, site: nil,
                    campaign: "Voice", team: nil, role: nil, language: nil)
                row.contacts = [
                    Recipient(role: "supervisor", name: "Sup \(index % 5)", email: "sup\(index % 5)@example.com", language: "es"),
                    Recipient(role: "coordinator", name: "Coord", email: "coord@example.com", language: "en"),
                    Recipient(role: "director", name: "Dir", email: "dir@example.com"),
                ]
                rows.append(row)
            }
            #expect(try await repository.importRoster(rows, dryRun: false).errors.isEmpty)
            for index in 1...20 {
                let agent = try #require(try await repository.agent(employeeId: "E\(index)"))
                _ = try await repository.raiseEscalation(event: .drillUnanswered, agentId: agent.id, detail: "drill 1")
            }
            var configuration = harness.configuration
            configuration.smtpURL = "smtp://127.0.0.1:\(smtp.port)"
            configuration.smtpFrom = "homeready@example.com"
            configuration.escalationCheckSeconds = 0.1
            configuration.automaticSnapshots = false
            configuration.publicBaseURL = "https://homeready.example.com"
            let first = try await buildApplication(configuration: configuration, logger: Harness.logger)
            let second = try await buildApplication(configuration: configuration, logger: Harness.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await first.runService(gracefulShutdownSignals: []) }
                group.addTask { try await second.runService(gracefulShutdownSignals: []) }
                // Every step is due at once: wait for the 7 messages, then as long again for any extra one.
                let started = Date()
                _ = await RawHTTP.onThreadValue { smtp.waitForRecords(7, timeout: 30).count }
                let waited = Date().timeIntervalSince(started)
                try await Task.sleep(for: .milliseconds(Int64(max(1.5, waited) * 1000)))
                group.cancelAll()
            }
            let records = smtp.records()
            let recipients = records.compactMap { $0["to_address"] as? String }.sorted()
            #expect(
                recipients == [
                    "coord@example.com", "dir@example.com", "sup0@example.com", "sup1@example.com", "sup2@example.com",
                    "sup3@example.com", "sup4@example.com",
                ], "\(recipients)")
            let spanish = records.first { $0["to_address"] as? String == "sup0@example.com" }
            #expect((spanish?["subject"] as? String)?.contains("4 escalamientos para ti") == true, "\(spanish ?? [:])")
            #expect(try await repository.escalationMessageCount() == 7)
            // Each escalation: agent, supervisor, coordinator and director steps sent, each named once.
            for escalation in try await repository.escalations(status: "open", limit: 100) {
                let record = try await repository.escalation(id: escalation.id)
                #expect(record?.steps?.map(\.state) == ["sent", "sent", "sent", "sent"])
                #expect(record?.events?.filter { $0.kind == "message_sent" }.count == 3)
            }
        }
    }
}

extension RawHTTP {
    /// Runs blocking work on a thread of its own (a test waiting on files while servers run).
    static func onThreadValue<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: work()) }.start()
        }
    }
}
