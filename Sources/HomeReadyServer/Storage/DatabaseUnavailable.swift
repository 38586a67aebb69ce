import Foundation
import PostgresNIO
import SQLiteNIO

extension DatabaseLocation {
    /// Where the database is, safe to print: the file path, or the PostgreSQL host, port and database without
    /// user or password.
    public var redacted: String {
        switch self {
        case .sqlite(let path):
            return "sqlite:\(path)"
        case .postgres(let url, _):
            guard let components = URLComponents(string: url) else { return "a postgres URL" }
            return "postgres://\(components.host ?? "?"):\(components.port ?? 5432)\(components.path)"
        }
    }
}

extension ServerError {
    /// Turns a driver's failure to open or migrate the database into a message that says where and why,
    /// without echoing credentials (PostgresNIO hides its details from `description` for that reason).
    static func databaseUnavailable(_ error: any Error, at location: DatabaseLocation) -> any Error {
        if error is ServerError { return error }
        let reason: String
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] {
                reason = message
            } else if let underlying = error.underlying {
                reason = String(describing: underlying)
            } else {
                reason = error.code.description
            }
        } else if let error = error as? SQLiteError {
            reason = error.description
        } else {
            reason = String(describing: error)
        }
        return ServerError.storage("cannot open the database at \(location.redacted): \(reason)")
    }
}
