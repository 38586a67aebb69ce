import Foundation
import Logging
import ServiceLifecycle

/// The command center's escalation engine (issue 20, point 1): evaluates the periodic events (`check_stale`,
/// `shipment_overdue`, `drill_unanswered`), then carries out the steps whose time has come: the agent's in-app message, then one
/// message per person per group interval to the supervisor, coordinator and director through `sender`, held in
/// quiet hours. Every instance on one database may run it at once: each step and each message window is claimed
/// in the database by exactly one of them.
public struct EscalationEngine: Sendable {
    /// What one pass did.
    public struct Pass: Sendable, Equatable {
        public var raised = 0
        public var resolved = 0
        public var agentsTold = 0
        public var messagesSent = 0
        public var messagesFailed = 0
        public var held = 0
        public var noContact = 0
        /// Steps an instance claimed but never recorded (it stopped mid-send), now failed.
        public var interrupted = 0
    }

    let repository: SQLRepository
    let sender: any MessageSender
    let publicBaseURL: String
    let now: @Sendable () -> Date
    /// Names this instance in `escalation_steps.claimed_by` and `escalation_messages.sent_by`.
    let instance: String
    let logger: Logger

    /// - Parameters:
    ///   - publicBaseURL: where recipients reach the server, for the acknowledge and resolve links.
    ///   - now: the clock (tests move it instead of waiting).
    public init(
        repository: SQLRepository, sender: any MessageSender, publicBaseURL: String,
        instance: String = UUID().uuidString.lowercased(), logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.repository = repository
        self.sender = sender
        self.publicBaseURL = publicBaseURL
        self.instance = instance
        self.logger = logger
        self.now = now
    }

    /// One pass at the clock's current time.
    @discardableResult
    public func tick() async throws -> Pass {
        let instant = now()
        var pass = Pass()
        try await evaluateEvents(now: instant, into: &pass)
        try await runDueSteps(now: instant, into: &pass)
        return pass
    }

    // MARK: Periodic events

    func evaluateEvents(now: Date, into pass: inout Pass) async throws {
        for (campaignId, policy) in try await repository.escalationPolicies().sorted(by: { $0.key < $1.key }) {
            if let rule = policy.events[.checkStale], let hours = rule.olderThanHours {
                let open = try await repository.agentsWithOpenEscalation(event: .checkStale, campaignId: campaignId)
                var stale: [String: Date?] = [:]
                if try await withinCutoverWindow(campaignId: campaignId, days: rule.withinDaysOfCutover, now: now) {
                    for (agent, last) in try await repository.agentsWithStaleChecks(
                        campaignId: campaignId, olderThan: now.addingTimeInterval(-Double(hours) * 3600))
                    {
                        stale[agent] = last
                    }
                }
                let format = ISO8601DateFormatter()
                for (agent, last) in stale.sorted(by: { $0.key < $1.key }) where !open.contains(agent) {
                    let detail =
                        last.map { "last full check \(format.string(from: $0)), older than \(hours) h" }
                        ?? "no full check yet"
                    if case .raised = try await repository.raiseEscalation(
                        event: .checkStale, agentId: agent, detail: detail, now: now)
                    {
                        pass.raised += 1
                    }
                }
                for agent in open.subtracting(stale.keys).sorted() {
                    if try await repository.resolveOpenEscalation(
                        event: .checkStale, agentId: agent, actor: "server",
                        detail: "a recent full check, or the cutover window passed", now: now) != nil
                    {
                        pass.resolved += 1
                    }
                }
            }
            if let rule = policy.events[.shipmentOverdue] {
                let days = rule.olderThanDays ?? EscalationPolicy.defaultOverdueDays
                let open = try await repository.agentsWithOpenEscalation(
                    event: .shipmentOverdue, campaignId: campaignId)
                let overdue = try await repository.agentsWithOverdueShipments(
                    campaignId: campaignId, shippedBefore: now.addingTimeInterval(-Double(days) * 86_400))
                for (agent, items) in overdue.sorted(by: { $0.key < $1.key }) where !open.contains(agent) {
                    if case .raised = try await repository.raiseEscalation(
                        event: .shipmentOverdue, agentId: agent,
                        detail: "shipped over \(days) days ago, not delivered: \(items.joined(separator: ", "))", now: now)
                    {
                        pass.raised += 1
                    }
                }
                for agent in open.subtracting(overdue.keys).sorted() {
                    if try await repository.resolveOpenEscalation(
                        event: .shipmentOverdue, agentId: agent, actor: "server",
                        detail: "no shipment overdue any more", now: now) != nil
                    {
                        pass.resolved += 1
                    }
                }
            }
            if policy.events[.drillUnanswered] != nil {
                // Asked by a drill, silent when its recovery-time objective passed: one escalation per drill and
                // agent; a report that arrives later resolves it.
                for missed in try await repository.agentsWhoMissedDrills(campaignId: campaignId, now: now) {
                    if case .raised = try await repository.raiseEscalation(
                        event: .drillUnanswered, agentId: missed.agentId,
                        detail: "no check since the drill \(missed.drill) started, and its deadline has passed",
                        subjectId: missed.drillId, now: now)
                    {
                        pass.raised += 1
                    }
                }
                for agent in try await repository.agentsWhoAnsweredDrillsLate(campaignId: campaignId) {
                    if try await repository.resolveOpenEscalation(
                        event: .drillUnanswered, agentId: agent, actor: "server",
                        detail: "the agent answered the drill", now: now) != nil
                    {
                        pass.resolved += 1
                    }
                }
            }
        }
    }

    /// Whether `now` is within `days` days of the campaign's cutover date (either side); always when `days` is nil.
    private func withinCutoverWindow(campaignId: String, days: Int?, now: Date) async throws -> Bool {
        guard let days else { return true }
        guard let campaign = try await repository.campaign(id: campaignId) else { return false }
        let format = DateFormatter()
        format.locale = Locale(identifier: "en_US_POSIX")
        format.timeZone = TimeZone(identifier: "UTC")
        format.dateFormat = "yyyy-MM-dd"
        guard let cutover = format.date(from: campaign.cutoverDate) else { return false }
        return abs(now.timeIntervalSince(cutover)) <= Double(days) * 86_400 + 86_400
    }

    // MARK: Steps

    /// How long a claimed step may wait for its outcome before it counts as interrupted.
    static let claimTimeout: TimeInterval = 15 * 60

    func runDueSteps(now: Date, into pass: inout Pass) async throws {
        pass.interrupted += try await repository.failInterruptedEscalationSteps(
            claimedBefore: now.addingTimeInterval(-Self.claimTimeout), now: now)
        let due = try await repository.dueEscalationSteps(now: now)
        guard !due.isEmpty else { return }
        let policies = try await repository.escalationPolicies()
        var contacts: [String: [EscalationRole: Recipient]] = [:]
        var groups: [String: (recipient: Recipient, steps: [DueEscalationStep])] = [:]
        for step in due {
            if step.role == .agent {
                try await repository.tellAgent(step, now: now)
                pass.agentsTold += 1
                continue
            }
            if contacts[step.agentId] == nil {
                contacts[step.agentId] = try await repository.escalationContacts(agentId: step.agentId)
            }
            guard let recipient = contacts[step.agentId]?[step.role] else {
                if try await repository.failEscalationStep(
                    step, reason: "the roster names no \(step.role.rawValue) for \(step.employeeId)", now: now)
                {
                    pass.noContact += 1
                }
                continue
            }
            if let quiet = policies[step.campaignId]?.quietHours, quiet.contains(now),
                !(quiet.exceptSeverity.map { step.severity >= $0 } ?? false)
            {
                if try await repository.holdEscalationStep(step, until: quiet.end(after: now), now: now) {
                    pass.held += 1
                }
                continue
            }
            let key = Self.recipientKey(recipient)
            groups[key, default: (recipient, [])].steps.append(step)
        }
        for (key, group) in groups.sorted(by: { $0.key < $1.key }) {
            let interval = group.steps.map(\.groupIntervalMinutes).min() ?? EscalationPolicy.defaultGroupIntervalMinutes
            let role = group.steps.map(\.role).max(by: { $0.rank < $1.rank }) ?? .supervisor
            guard
                let claim = try await repository.claimEscalationMessage(
                    recipientKey: key, role: role, steps: group.steps, intervalMinutes: interval, instance: instance,
                    now: now)
            else { continue }
            let message = try await render(claim.steps, recipient: group.recipient, now: now, threadKey: claim.messageId)
            let deliveries = await sender.send(message)
            try await repository.recordEscalationMessage(
                messageId: claim.messageId, steps: claim.steps, recipient: group.recipient, deliveries: deliveries,
                now: now)
            if deliveries.contains(where: \.succeeded) {
                pass.messagesSent += 1
                logger.debug(
                    "escalation.message_sent",
                    metadata: ["escalation.message": "\(claim.messageId)", "escalation.count": "\(claim.steps.count)"])
            } else {
                pass.messagesFailed += 1
                logger.warning(
                    "escalation.message_failed",
                    metadata: [
                        "escalation.message": "\(claim.messageId)",
                        "error": "\(deliveries.map { $0.error ?? $0.channel }.joined(separator: "; "))",
                    ])
            }
        }
    }

    /// One person, whichever role they hold for each agent: the email address, else the chat webhook.
    static func recipientKey(_ recipient: Recipient) -> String {
        if let email = recipient.email { return "email:\(email.lowercased())" }
        if let webhook = recipient.chatWebhook { return "chat:\(webhook.absoluteString)" }
        return "name:\(recipient.role):\(recipient.name)"
    }

    func render(_ steps: [DueEscalationStep], recipient: Recipient, now: Date, threadKey: String) async throws
        -> OutgoingMessage
    {
        let language = EscalationTexts.language(recipient.language)
        let (subject, body) = EscalationTexts.digest(steps, recipient: recipient, language: language)
        let links = EscalationLinks(secret: try await repository.escalationLinkSecret(now: now))
        var messageLinks: [MessageLink] = []
        for step in steps {
            for action in [EscalationLinks.Action.ack, .resolve] {
                guard
                    let url = links.url(
                        base: publicBaseURL, escalationId: step.escalationId, action: action,
                        role: recipient.role, language: language, now: now)
                else { continue }
                messageLinks.append(
                    MessageLink(
                        label: EscalationTexts.linkLabel(action, agent: step.agentName, language: language), url: url))
            }
        }
        let thread = steps.count == 1 ? steps[0].escalationId : threadKey
        return OutgoingMessage(recipient: recipient, subject: subject, body: body, links: messageLinks, threadKey: thread)
    }
}

extension EscalationRole {
    var rank: Int { Self.allCases.firstIndex(of: self)! }
}

/// Runs the escalation engine every `interval` until graceful shutdown (SIGTERM/SIGINT).
public struct EscalationService: Service {
    let engine: EscalationEngine
    let interval: Duration
    let logger: Logger

    public init(engine: EscalationEngine, interval: Duration = .seconds(30), logger: Logger) {
        self.engine = engine
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        await repeatUntilGracefulShutdown(every: interval) { [engine, logger] in
            do {
                try await engine.tick()
            } catch {
                // Shutting down mid-pass is not a failure (a step claimed but not recorded fails after
                // `claimTimeout`).
                if Task.isCancelled { return }
                logger.warning("escalation.pass_failed", metadata: ["error": "\(String(describing: error))"])
            }
        }
    }
}

/// The sender used until a channel is configured: every message fails with a reason that says what to set up,
/// so the step is audited as `message_failed`.
public struct UnconfiguredMessageSender: MessageSender {
    public init() {}

    public func send(_ message: OutgoingMessage) async -> [ChannelDelivery] {
        [
            ChannelDelivery(
                channel: "none", succeeded: false,
                error: "no notification channel is configured (serve --smtp-url …, or a chat webhook sender)")
        ]
    }
}
