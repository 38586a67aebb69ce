import Foundation
import Logging

/// Sends a message on every channel its recipient has: email when the recipient has an address and SMTP is
/// configured, the chat webhook (Slack or Teams payload) when set. Channels run concurrently; the result holds
/// one `ChannelDelivery` per channel tried, email first. A recipient with no usable channel gets an empty result.
public struct NotificationSender: MessageSender {
    /// The mail channel; nil when the server has no `--smtp-url` (email addresses are then not used).
    public let mailer: SMTPMailer?
    public let chat: ChatWebhookSender

    public init(mailer: SMTPMailer?, chat: ChatWebhookSender) {
        self.mailer = mailer
        self.chat = chat
    }

    /// A sender for `smtp` (nil: no email) that logs to `logger`.
    public init(smtp: SMTPSettings?, logger: Logger) {
        self.init(
            mailer: smtp.map { SMTPMailer(settings: $0, logger: logger) }, chat: ChatWebhookSender(logger: logger))
    }

    public func send(_ message: OutgoingMessage) async -> [ChannelDelivery] {
        let recipient = message.recipient
        let email = recipient.email?.trimmingCharacters(in: .whitespaces)
        async let mail: ChannelDelivery? =
            if let mailer, let email, !email.isEmpty { await mailer.send(message, to: email) } else { nil }
        async let chatDelivery: ChannelDelivery? =
            if let webhook = recipient.chatWebhook { await chat.send(message, to: webhook) } else { nil }
        return [await mail, await chatDelivery].compactMap { $0 }
    }
}

extension ServerConfiguration {
    /// The mail server from `smtpURL` and `smtpFrom`; nil when `smtpURL` is not set. Throws when either is
    /// unusable, or when one is set without the other.
    public func smtpSettings() throws(NotificationError) -> SMTPSettings? {
        guard let smtpURL else {
            if smtpFrom != nil {
                throw .smtpURL("--smtp-from needs --smtp-url, e.g. --smtp-url smtp://mail.example.com:587")
            }
            return nil
        }
        guard let smtpFrom else {
            throw .smtpFrom("--smtp-url needs --smtp-from, the sender address, e.g. --smtp-from homeready@example.com")
        }
        return try SMTPSettings(url: smtpURL, from: smtpFrom)
    }

    /// The `MessageSender` the escalation engine is given: every channel this configuration sets up.
    public func notificationSender(logger: Logger) throws(NotificationError) -> NotificationSender {
        NotificationSender(smtp: try smtpSettings(), logger: logger)
    }
}
