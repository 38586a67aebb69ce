import Foundation
import HomeReadyTransport
import Logging

/// A Slack- or Teams-compatible incoming webhook: which payload it takes and where it is POSTed.
///
/// The kind comes from an explicit scheme prefix (`slack+https://…`, `teams+https://…`, also with `http`, for
/// lab receivers on 127.0.0.1), else from the host: `hooks.slack.com` → Slack; `*.webhook.office.com`,
/// `outlook.office.com` and `*.logic.azure.com` (Teams Workflows) → Teams; any other host → Slack's
/// `{"text": …}`, which Mattermost, Rocket.Chat and Discord's `/slack` endpoints also take.
public struct ChatWebhook: Sendable, Equatable {
    /// The payload format.
    public enum Kind: String, Sendable, Equatable {
        /// `{"text": "…"}` with mrkdwn links.
        case slack
        /// A message with an Adaptive Card attachment; links are `Action.OpenUrl` buttons.
        case teams
    }

    public var kind: Kind
    /// The URL POSTed to (the scheme prefix removed).
    public var url: String

    /// Reads a recipient's webhook URL; the error says what was expected (the URL's path is not repeated: it is
    /// the webhook's secret).
    public init(_ webhook: URL) throws(NotificationError) {
        guard var components = URLComponents(url: webhook, resolvingAgainstBaseURL: false),
            var scheme = components.scheme?.lowercased()
        else {
            throw .chatWebhook(
                "the chat webhook is not a URL; expected https://hooks.slack.com/services/… or https://….webhook.office.com/…"
            )
        }
        var explicit: Kind?
        if let plus = scheme.firstIndex(of: "+") {
            let prefix = String(scheme[..<plus])
            guard let kind = Kind(rawValue: prefix) else {
                throw .chatWebhook("the chat webhook's scheme prefix must be slack+ or teams+, got \(prefix)+")
            }
            explicit = kind
            scheme = String(scheme[scheme.index(after: plus)...])
        }
        guard scheme == "https" || scheme == "http" else {
            throw .chatWebhook(
                "the chat webhook must be an https:// URL (slack+ or teams+ may prefix it), got \(scheme)://")
        }
        guard let host = components.host?.lowercased(), !host.isEmpty else {
            throw .chatWebhook("the chat webhook URL has no host")
        }
        components.scheme = scheme
        guard let plain = components.string else {
            throw .chatWebhook("the chat webhook URL cannot be rebuilt without its prefix")
        }
        self.url = plain
        self.kind = explicit ?? Self.kind(forHost: host)
    }

    /// The payload format a host takes when the URL does not say.
    public static func kind(forHost host: String) -> Kind {
        let host = host.lowercased()
        if host == "outlook.office.com" || host.hasSuffix(".webhook.office.com") || host == "webhook.office.com"
            || host.hasSuffix(".logic.azure.com") || host.hasSuffix(".powerplatform.com")
        {
            return .teams
        }
        return .slack
    }

    /// The host and kind for messages and logs, never the secret path: `slack webhook at hooks.slack.com`.
    public var redacted: String {
        let host = URLComponents(string: url)?.host ?? "?"
        let port = URLComponents(string: url)?.port.map { ":\($0)" } ?? ""
        return "\(kind.rawValue) webhook at \(host)\(port)"
    }

    /// The JSON body for `message`.
    public func payload(for message: OutgoingMessage) -> Data {
        switch kind {
        case .slack: return Self.slackPayload(message)
        case .teams: return Self.teamsPayload(message)
        }
    }

    /// Slack's incoming-webhook body: `{"text": "*Subject*\n\nBody\n\n<url|Label> · <url|Label>"}` (mrkdwn, with
    /// `&`, `<` and `>` escaped as Slack asks).
    public static func slackPayload(_ message: OutgoingMessage) -> Data {
        func escape(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;")
        }
        var text = "*\(escape(EmailComposer.singleLine(message.subject)))*"
        let body = message.body.trimmingCharacters(in: .whitespacesAndNewlines)
        if !body.isEmpty { text += "\n\n" + escape(body) }
        if !message.links.isEmpty {
            let links = message.links.map { link -> String in
                let label = escape(EmailComposer.singleLine(link.label)).replacingOccurrences(of: "|", with: "¦")
                let target = link.url.absoluteString.replacingOccurrences(of: "|", with: "%7C")
                    .replacingOccurrences(of: ">", with: "%3E").replacingOccurrences(of: "<", with: "%3C")
                return "<\(target)|\(label)>"
            }
            text += "\n\n" + links.joined(separator: " · ")
        }
        return json(["text": text, "unfurl_links": false, "unfurl_media": false])
    }

    /// A Teams message with one Adaptive Card (version 1.4): the subject as a heading, one text block per
    /// paragraph, the links as `Action.OpenUrl` buttons. Office 365 connectors and Teams Workflows both take it.
    public static func teamsPayload(_ message: OutgoingMessage) -> Data {
        var blocks: [[String: Any]] = [
            [
                "type": "TextBlock", "text": EmailComposer.singleLine(message.subject), "weight": "Bolder",
                "size": "Medium", "wrap": true,
            ]
        ]
        let paragraphs = message.body.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n\n")
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        for paragraph in paragraphs { blocks.append(["type": "TextBlock", "text": paragraph, "wrap": true]) }
        var card: [String: Any] = [
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "type": "AdaptiveCard", "version": "1.4",
            "body": blocks,
        ]
        if let language = message.recipient.language { card["lang"] = language }
        if !message.links.isEmpty {
            card["actions"] = message.links.map {
                ["type": "Action.OpenUrl", "title": EmailComposer.singleLine($0.label), "url": $0.url.absoluteString]
            }
        }
        return json([
            "type": "message", "summary": EmailComposer.singleLine(message.subject),
            "attachments": [
                ["contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": NSNull(), "content": card]
            ],
        ])
    }

    private static func json(_ object: [String: Any]) -> Data {
        // Sorted keys keep payloads stable (tests, logs); UTF-8 text stays unescaped (Slack and Teams read it).
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data("{}".utf8)
    }
}

/// POSTs chat payloads with libcurl (through the environment's HTTPS proxy, if any).
public struct ChatWebhookSender: Sendable {
    /// Seconds one POST may take (default 10).
    public var timeoutSeconds: Double
    let logger: Logger

    public init(timeoutSeconds: Double = 10, logger: Logger) {
        self.timeoutSeconds = timeoutSeconds
        self.logger = logger
    }

    /// Sends `message` to `webhook`; the outcome on the `slack` or `teams` channel (never throws).
    public func send(_ message: OutgoingMessage, to webhook: URL) async -> ChannelDelivery {
        let hook: ChatWebhook
        do { hook = try ChatWebhook(webhook) } catch {
            return ChannelDelivery(
                channel: ChatWebhook.kind(forHost: webhook.host ?? "").rawValue, succeeded: false,
                error: error.description)
        }
        let channel = hook.kind.rawValue
        var request = HTTPRequest(
            url: hook.url, method: .post, timeoutSeconds: timeoutSeconds, connectTimeoutSeconds: min(timeoutSeconds, 5),
            proxy: ProxyEnvironment(environment: ProcessInfo.processInfo.environment).proxy(for: hook.url),
            keepBodyPrefixBytes: 300, headers: ["Content-Type: application/json; charset=utf-8"])
        request.body = Array(hook.payload(for: message))
        do {
            let response = try await HTTPClient.perform(request)
            guard (200..<300).contains(response.statusCode) else {
                let said = String(decoding: response.bodyPrefix, as: UTF8.self)
                    .trimmingCharacters(in: .whitespacesAndNewlines).prefix(200)
                let error = "\(hook.redacted) answered HTTP \(response.statusCode)" + (said.isEmpty ? "" : ": \(said)")
                logger.debug(
                    "notification.chat.failed",
                    metadata: ["notification.channel": "\(channel)", "notification.status": "\(response.statusCode)"])
                return ChannelDelivery(channel: channel, succeeded: false, error: error)
            }
            logger.debug("notification.chat.sent", metadata: ["notification.channel": "\(channel)"])
            return ChannelDelivery(channel: channel, succeeded: true)
        } catch let error as CurlError {
            // CurlError's message names the URL, whose path is the webhook's secret: describe it by host only.
            let reason: String
            switch error {
            case CurlError.dns: reason = "host not found"
            case CurlError.connect: reason = "connection refused or unreachable"
            case CurlError.timeout: reason = "no answer within \(Int(timeoutSeconds)) s"
            case CurlError.tls: reason = "TLS failed (check the certificate)"
            default: reason = "transfer failed (curl \(error.curlCode))"
            }
            logger.debug(
                "notification.chat.failed",
                metadata: ["notification.channel": "\(channel)", "notification.curl": "\(error.curlCode)"])
            return ChannelDelivery(channel: channel, succeeded: false, error: "\(hook.redacted): \(reason)")
        } catch {
            return ChannelDelivery(channel: channel, succeeded: false, error: "\(hook.redacted): \(type(of: error))")
        }
    }
}
