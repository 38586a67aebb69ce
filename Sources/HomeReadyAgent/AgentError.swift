import Foundation

/// Errors of the agent's own machinery (configuration, enrollment, spool). A failed *check* is never an error:
/// it is a finding in the report.
public struct AgentError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: Sendable, Equatable {
        case insecurePermissions(path: String, mode: String)
        case notEnrolled
        case damagedFile(path: String, reason: String)
        case spoolWriteFailed(path: String, reason: String)
        case enrollmentRefused(status: Int, detail: String)
        case serverUnreachable(url: String, reason: String)
        case invalidConfiguration(String)
        case serverTLS(url: String, reason: String)
        case serverRefused(status: Int, detail: String)
    }

    private let code: Code

    /// A key or config file is readable by others; the agent refuses to use it.
    public static func insecurePermissions(path: String, mode: mode_t) -> AgentError {
        AgentError(code: .insecurePermissions(path: path, mode: String(mode & 0o777, radix: 8)))
    }

    /// The command needs an enrolled device.
    public static let notEnrolled = AgentError(code: .notEnrolled)

    /// A state file could not be read back (kept as it is; nothing is deleted).
    public static func damagedFile(path: String, reason: String) -> AgentError {
        AgentError(code: .damagedFile(path: path, reason: reason))
    }

    /// A report could not be written to the spool (full or read-only disk).
    public static func spoolWriteFailed(path: String, reason: String) -> AgentError {
        AgentError(code: .spoolWriteFailed(path: path, reason: reason))
    }

    /// The server refused the enrollment code.
    public static func enrollmentRefused(status: Int, detail: String) -> AgentError {
        AgentError(code: .enrollmentRefused(status: status, detail: detail))
    }

    /// The server could not be reached.
    public static func serverUnreachable(url: String, reason: String) -> AgentError {
        AgentError(code: .serverUnreachable(url: url, reason: reason))
    }

    /// The server's certificate or key did not match the configured CA bundle or pin.
    public static func serverTLS(url: String, reason: String) -> AgentError {
        AgentError(code: .serverTLS(url: url, reason: reason))
    }

    /// The server answered a request with an error the agent cannot fix by retrying.
    public static func serverRefused(status: Int, detail: String) -> AgentError {
        AgentError(code: .serverRefused(status: status, detail: detail))
    }

    /// A configuration value is wrong.
    public static func invalidConfiguration(_ message: String) -> AgentError {
        AgentError(code: .invalidConfiguration(message))
    }

    public var description: String {
        switch code {
        case let .insecurePermissions(path, mode):
            return "\(path) has mode \(mode): it must be readable by you alone. Run `chmod 600 \(path)` and try again."
        case .notEnrolled:
            return "this device is not enrolled. Ask IT for an enrollment code, then run `homeready enroll --server URL --code CODE`."
        case let .damagedFile(path, reason):
            return "\(path) is damaged (\(reason)); it was left in place. Move it aside or enroll again."
        case let .spoolWriteFailed(path, reason):
            return "could not save the report in \(path): \(reason). Free some disk space (or make the folder writable) and run the check again; reports already saved are kept."
        case let .enrollmentRefused(status, detail):
            return "the server refused the enrollment (HTTP \(status)): \(detail)."
        case let .serverUnreachable(url, reason):
            return "cannot reach the server at \(url): \(reason). Check the address and your connection; the report stays saved and is sent later."
        case let .invalidConfiguration(message):
            return message
        case let .serverTLS(url, reason):
            return "the server at \(url) is not the one this device trusts (\(reason)). Check --ca-file/--pin against the server's certificate; nothing was sent."
        case let .serverRefused(status, detail):
            return "the server refused the request (HTTP \(status)): \(detail)"
        }
    }
}
