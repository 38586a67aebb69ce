/// A failure of the server's own machinery (configuration, storage); refusals of API requests are `Problem`s.
public struct ServerError: Error, Sendable, CustomStringConvertible {
    private enum Code: Sendable {
        case badDatabaseURL(String)
        case migrationChanged(Int)
        case unknownEmployee(String)
        case storage(String)
        case backup(String)
        case tls(String)
    }

    private let code: Code

    /// `--db` is neither `sqlite:PATH` nor a `postgres://` URL.
    public static func badDatabaseURL(_ text: String) -> ServerError { ServerError(code: .badDatabaseURL(text)) }
    /// A migration already applied under this number has a different name: migrations are frozen.
    public static func migrationChanged(_ version: Int) -> ServerError { ServerError(code: .migrationChanged(version)) }
    /// No agent has this employee id.
    public static func unknownEmployee(_ id: String) -> ServerError { ServerError(code: .unknownEmployee(id)) }
    /// The database returned something the server cannot use.
    static func storage(_ message: String) -> ServerError { ServerError(code: .storage(message)) }
    /// A backup or restore cannot proceed; the message says what to do.
    static func backup(_ message: String) -> ServerError { ServerError(code: .backup(message)) }

    /// The TLS certificate or key cannot be used.
    static func tls(_ message: String) -> ServerError { ServerError(code: .tls(message)) }

    public var description: String {
        switch code {
        case .badDatabaseURL(let text):
            // Never echo a URL that may hold a password: a postgres URL, or any with USER:PASSWORD@ in it.
            let scheme = text.range(of: "://").map { String(text[..<$0.lowerBound]) }
            let shown: String
            if text.hasPrefix("postgres") || text.contains("@") {
                shown = "a \(scheme ?? "database") URL (not shown: it may hold a password)"
            } else {
                shown = "\"\(text)\""
            }
            return "--db (or HOMEREADY_DB) got \(shown) that cannot be used: give sqlite:PATH or "
                + "postgres://USER:PASSWORD@HOST:PORT/DATABASE"
        case .migrationChanged(let version):
            return "migration \(version) in the database differs from this build's; migrations are frozen: add a new one instead"
        case .unknownEmployee(let id):
            return "no agent has employee id \"\(id)\"; create the agent first (POST /api/v1/agents or import the roster)"
        case .storage(let message):
            return "storage: \(message)"
        case .backup(let message):
            return message
        case .tls(let message):
            return "HTTPS: \(message)"
        }
    }
}
