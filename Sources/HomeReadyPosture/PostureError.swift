/// The error thrown by the posture library's own failures (a failed check is a result, never an error).
public struct PostureError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: Sendable, Equatable {
        case factsFileUnreadable
        case factsFileInvalid
        case notRecorded
        case unreadable
        case commandFailed
        case invalidRule
    }

    private let code: Code
    /// What went wrong and what to do about it.
    public let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// The `--facts` file could not be read.
    public static func factsFileUnreadable(_ path: String, _ reason: String) -> PostureError {
        PostureError(
            .factsFileUnreadable,
            "cannot read facts file \(path): \(reason); record one with `homeready facts --all > FILE`")
    }

    /// The `--facts` file is not the JSON `homeready facts` writes.
    public static func factsFileInvalid(_ path: String, _ reason: String) -> PostureError {
        PostureError(
            .factsFileInvalid,
            "facts file \(path) is not valid: \(reason); record one with `homeready facts --all > FILE`")
    }

    /// A recorded snapshot lacks what a rule needs.
    public static func notRecorded(_ what: String) -> PostureError {
        PostureError(.notRecorded, "the facts file has no \(what); record it with `homeready facts --all`")
    }

    /// A system file exists but cannot be read.
    public static func unreadable(_ path: String, _ reason: String) -> PostureError {
        PostureError(.unreadable, "cannot read \(path): \(reason); run the check as a user who can read it")
    }

    /// A rule is malformed (a profile that passed lint never has one).
    public static func invalidRule(_ reason: String) -> PostureError {
        PostureError(.invalidRule, "invalid rule: \(reason); run `homeready profile lint` on the profile")
    }

    /// A program could not be started.
    public static func commandFailed(_ program: String, _ reason: String) -> PostureError {
        PostureError(.commandFailed, "cannot run \(program): \(reason)")
    }
}
