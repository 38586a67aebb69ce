import Foundation

/// A person the command center tells something: an agent, a supervisor, a coordinator or a campaign director.
/// Where a message can reach them (email, a chat webhook) and the language they read come from the roster.
public struct Recipient: Sendable, Equatable, Hashable, Codable {
    /// Who the recipient is in the command center's chain: `agent`, `supervisor`, `coordinator`, `director`.
    public var role: String
    public var name: String
    public var email: String?
    /// A Slack- or Teams-compatible incoming-webhook URL (`https://hooks.slack.com/...`,
    /// `https://....webhook.office.com/...`, or any URL in the lab).
    public var chatWebhook: URL?
    /// `es` or `en`; `nil` when the roster does not say (the server's default language is used).
    public var language: String?

    public init(role: String, name: String, email: String? = nil, chatWebhook: URL? = nil, language: String? = nil) {
        self.role = role
        self.name = name
        self.email = email
        self.chatWebhook = chatWebhook
        self.language = language
    }
}

/// A link a message carries, such as "Acknowledge" or "Resolve" (absolute URLs, already signed).
public struct MessageLink: Sendable, Equatable, Codable {
    public var label: String
    public var url: URL

    public init(label: String, url: URL) {
        self.label = label
        self.url = url
    }
}

/// One message to one recipient, already rendered in the recipient's language.
public struct OutgoingMessage: Sendable, Equatable, Codable {
    public var recipient: Recipient
    public var subject: String
    /// Plain text; paragraphs separated by blank lines.
    public var body: String
    public var links: [MessageLink]
    /// Groups related messages in a thread (the escalation's id, for example); used as a Message-ID seed.
    public var threadKey: String?

    public init(recipient: Recipient, subject: String, body: String, links: [MessageLink] = [], threadKey: String? = nil) {
        self.recipient = recipient
        self.subject = subject
        self.body = body
        self.links = links
        self.threadKey = threadKey
    }
}

/// Where a message went and how that ended.
public struct ChannelDelivery: Sendable, Equatable, Codable {
    /// `email`, `slack`, `teams` or `webhook`.
    public var channel: String
    public var succeeded: Bool
    /// The channel's error, in words, when it failed (the SMTP reply, the HTTP status).
    public var error: String?

    public init(channel: String, succeeded: Bool, error: String? = nil) {
        self.channel = channel
        self.succeeded = succeeded
        self.error = error
    }
}

/// Sends a message on every channel the recipient can be reached by.
public protocol MessageSender: Sendable {
    /// Delivers `message`; one `ChannelDelivery` per channel tried. Never throws for a channel's failure: the
    /// failure is in the result, so the caller can audit it and retry.
    func send(_ message: OutgoingMessage) async -> [ChannelDelivery]
}
