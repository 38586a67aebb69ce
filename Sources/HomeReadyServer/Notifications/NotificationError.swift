/// A notification channel's configuration is unusable (a bad `--smtp-url`, `--smtp-from` or chat webhook URL).
///
/// Raised when the server starts, never while sending: a failed delivery is a `ChannelDelivery` with
/// `succeeded: false`. The description names the setting, what was expected and an example; it never holds a
/// password or a webhook's secret path.
public struct NotificationError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: Sendable, Equatable {
        case smtpURL
        case smtpFrom
        case chatWebhook
    }

    private let code: Code
    /// What is wrong and how to fix it.
    public let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `--smtp-url` is not a usable SMTP URL.
    public static let smtpURL = NotificationError(.smtpURL, "")
    /// `--smtp-from` is not an email address.
    public static let smtpFrom = NotificationError(.smtpFrom, "")
    /// A chat webhook URL is not an http(s) URL.
    public static let chatWebhook = NotificationError(.chatWebhook, "")

    static func smtpURL(_ message: String) -> NotificationError { NotificationError(.smtpURL, message) }
    static func smtpFrom(_ message: String) -> NotificationError { NotificationError(.smtpFrom, message) }
    static func chatWebhook(_ message: String) -> NotificationError { NotificationError(.chatWebhook, message) }

    /// Whether two errors are of the same kind (messages are ignored).
    public static func == (lhs: NotificationError, rhs: NotificationError) -> Bool { lhs.code == rhs.code }

    /// Matches an error of the same kind: `catch NotificationError.smtpURL`.
    public static func ~= (pattern: NotificationError, value: any Error) -> Bool {
        (value as? NotificationError)?.code == pattern.code
    }

    public var description: String { message.isEmpty ? "NotificationError(\(code))" : message }
}
