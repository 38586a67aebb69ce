import Foundation
import HomeReadyTestSupport
import Logging
import Testing

@testable import HomeReadyServer

/// Slack- and Teams-compatible incoming webhooks against a real HTTP receiver on 127.0.0.1, and the combined
/// `NotificationSender` (email and chat at once).
@Suite(
    "Notification chat webhooks", .serialized,
    .enabled(
        if: NotificationPeers.webhookPython != nil || TestEnvironment.isCI, "python3 is missing (Scripts/bootstrap)"))
struct NotificationChatTests {
    static let logger = Logger(label: "notification-tests")

    static func message(webhook: URL?, email: String? = nil) -> OutgoingMessage {
        OutgoingMessage(
            recipient: Recipient(
                role: "coordinator", name: "Íñigo Peña", email: email, chatWebhook: webhook, language: "es"),
            subject: "Escalado: 3 agentes sin comprobación <24 h & cutover mañana",
            body:
                "Tres agentes de la campaña «Atención al cliente» no han comprobado su conexión.\n\nRevise la lista y avise a sus supervisores.",
            links: [
                MessageLink(
                    label: "Confirmar", url: URL(string: "https://homeready.example.com/e/7/ack?sig=a1&exp=9")!),
                MessageLink(label: "Resolver", url: URL(string: "https://homeready.example.com/e/7/resolve?sig=b2")!),
            ],
            threadKey: "escalation-7")
    }

    static func body(_ record: [String: Any]) throws -> [String: Any] {
        let text = try #require(record["body"] as? String)
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test("slack+http:// posts {\"text\"} with the subject in bold, escaped mrkdwn and <url|label> links, in UTF-8")
    func slackPayload() async throws {
        let receiver = try NotificationPeers.startWebhookReceiver()
        defer { receiver.stop() }
        let hook = URL(string: "slack+http://127.0.0.1:\(receiver.port)/services/T000/B000/XXXX")!
        let delivery = await ChatWebhookSender(logger: Self.logger).send(Self.message(webhook: hook), to: hook)
        #expect(delivery == ChannelDelivery(channel: "slack", succeeded: true))

        let record = try #require(receiver.waitForRecords(1).first)
        #expect(record["path"] as? String == "/services/T000/B000/XXXX")
        #expect((record["content_type"] as? String)?.hasPrefix("application/json") == true)
        let payload = try Self.body(record)
        let text = try #require(payload["text"] as? String)
        #expect(text.hasPrefix("*Escalado: 3 agentes sin comprobación &lt;24 h &amp; cutover mañana*\n\n"))
        #expect(text.contains("campaña «Atención al cliente»"))
        #expect(
            text.hasSuffix(
                "<https://homeready.example.com/e/7/ack?sig=a1&exp=9|Confirmar> · <https://homeready.example.com/e/7/resolve?sig=b2|Resolver>"
            ))
        #expect(payload["unfurl_links"] as? Bool == false)
    }

    @Test("teams+http:// posts a message with an Adaptive Card: heading, paragraphs, links as Action.OpenUrl")
    func teamsPayload() async throws {
        let receiver = try NotificationPeers.startWebhookReceiver(status: 202)
        defer { receiver.stop() }
        let hook = URL(
            string: "teams+http://127.0.0.1:\(receiver.port)/workflows/abc/triggers/manual/paths/invoke?sig=s3cr3t")!
        let delivery = await ChatWebhookSender(logger: Self.logger).send(Self.message(webhook: hook), to: hook)
        #expect(delivery == ChannelDelivery(channel: "teams", succeeded: true))

        let record = try #require(receiver.waitForRecords(1).first)
        #expect(record["path"] as? String == "/workflows/abc/triggers/manual/paths/invoke?sig=s3cr3t")
        let payload = try Self.body(record)
        #expect(payload["type"] as? String == "message")
        let attachment = try #require((payload["attachments"] as? [[String: Any]])?.first)
        #expect(attachment["contentType"] as? String == "application/vnd.microsoft.card.adaptive")
        let card = try #require(attachment["content"] as? [String: Any])
        #expect(card["type"] as? String == "AdaptiveCard")
        #expect(card["version"] as? String == "1.4")
        #expect(card["lang"] as? String == "es")
        let blocks = try #require(card["body"] as? [[String: Any]])
        #expect(
            blocks.map { $0["text"] as? String } == [
                "Escalado: 3 agentes sin comprobación <24 h & cutover mañana",
                "Tres agentes de la campaña «Atención al cliente» no han comprobado su conexión.",
                "Revise la lista y avise a sus supervisores.",
            ])
        #expect(blocks.first?["weight"] as? String == "Bolder")
        let actions = try #require(card["actions"] as? [[String: Any]])
        #expect(actions.map { $0["type"] as? String } == ["Action.OpenUrl", "Action.OpenUrl"])
        #expect(actions.map { $0["title"] as? String } == ["Confirmar", "Resolver"])
        #expect(
            actions.map { $0["url"] as? String } == [
                "https://homeready.example.com/e/7/ack?sig=a1&exp=9",
                "https://homeready.example.com/e/7/resolve?sig=b2",
            ])
    }

    @Test("a refusing or unreachable webhook is a failed delivery naming the host and status, never the secret path")
    func failures() async throws {
        let receiver = try NotificationPeers.startWebhookReceiver(status: 404)
        defer { receiver.stop() }
        let sender = ChatWebhookSender(timeoutSeconds: 5, logger: Self.logger)
        let hook = URL(string: "slack+http://127.0.0.1:\(receiver.port)/services/T1/B1/TOPSECRET")!
        let refused = await sender.send(Self.message(webhook: hook), to: hook)
        #expect(!refused.succeeded)
        let error = try #require(refused.error)
        #expect(error == "slack webhook at 127.0.0.1:\(receiver.port) answered HTTP 404: no_service")
        #expect(!error.contains("TOPSECRET"))

        let closed = try FreePort.tcp()
        let down = URL(string: "teams+http://127.0.0.1:\(closed)/webhookb2/TOPSECRET")!
        let unreachable = await sender.send(Self.message(webhook: down), to: down)
        #expect(unreachable.channel == "teams")
        #expect(!unreachable.succeeded)
        #expect(unreachable.error == "teams webhook at 127.0.0.1:\(closed): connection refused or unreachable")

        let wrong = URL(string: "ftp://127.0.0.1/hook")!
        let bad = await sender.send(Self.message(webhook: wrong), to: wrong)
        #expect(!bad.succeeded)
        #expect(bad.error?.contains("https://") == true)
    }

    @Test(
        "NotificationSender sends on every channel the recipient has: one delivery per channel",
        .enabled(if: NotificationPeers.smtpPython != nil || TestEnvironment.isCI, "python3-aiosmtpd is missing"))
    func everyChannel() async throws {
        let sink = try NotificationPeers.startSMTP()
        defer { sink.stop() }
        let receiver = try NotificationPeers.startWebhookReceiver()
        defer { receiver.stop() }
        var configuration = ServerConfiguration()
        configuration.smtpURL = "smtp://127.0.0.1:\(sink.port)"
        configuration.smtpFrom = "homeready@example.com"
        let sender: any MessageSender = try configuration.notificationSender(logger: Self.logger)
        let hook = URL(string: "slack+http://127.0.0.1:\(receiver.port)/hook")!

        let both = await sender.send(Self.message(webhook: hook, email: "inigo@example.com"))
        #expect(
            both == [
                ChannelDelivery(channel: "email", succeeded: true), ChannelDelivery(channel: "slack", succeeded: true),
            ])
        #expect(sink.waitForRecords(1).first?["subject"] as? String == Self.message(webhook: nil).subject)
        #expect(receiver.waitForRecords(1).count == 1)

        #expect(await sender.send(Self.message(webhook: nil, email: "inigo@example.com")).map(\.channel) == ["email"])
        #expect(await sender.send(Self.message(webhook: hook)).map(\.channel) == ["slack"])
        #expect(await sender.send(Self.message(webhook: nil)).isEmpty, "no channel, nothing tried")
        #expect(sink.waitForRecords(2).count == 2)
        #expect(receiver.waitForRecords(2).count == 2)

        // Without SMTP configured an address is not a channel; the webhook still is.
        let chatOnly = try ServerConfiguration().notificationSender(logger: Self.logger)
        #expect(chatOnly.mailer == nil)
        #expect(
            await chatOnly.send(Self.message(webhook: hook, email: "inigo@example.com")).map(\.channel) == ["slack"])
    }
}
