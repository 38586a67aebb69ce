#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A failure of the socket or TLS layer itself (a refused or silent peer is an outcome, not an error).
public struct SocketError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: Sendable, Equatable {
        case invalidAddress
        case systemCall
        case interface
        case tlsSetup
        case tlsHandshake
        case closed
    }

    private let code: Code
    /// What went wrong and what to do, in words.
    public let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The text is not an IPv4 or IPv6 address literal.
    public static func invalidAddress(_ text: String) -> SocketError {
        SocketError(.invalidAddress, "\"\(text)\" is not an IP address literal; resolve the name first")
    }

    /// A system call failed with `errno`.
    public static func systemCall(_ call: String, errno code: Int32) -> SocketError {
        SocketError(.systemCall, "\(call) failed: \(String(cString: strerror(code))) (errno \(code))")
    }

    /// The socket could not be bound to the named network interface (`SO_BINDTODEVICE`).
    public static func interface(_ name: String, errno code: Int32) -> SocketError {
        SocketError(
            .interface,
            "cannot bind to interface \(name) (setsockopt SO_BINDTODEVICE: \(String(cString: strerror(code)))); "
                + "check the name with `ip link` (binding needs root or CAP_NET_RAW)")
    }

    /// OpenSSL could not be set up (out of memory, unreadable CA file).
    public static func tlsSetup(_ detail: String) -> SocketError {
        SocketError(.tlsSetup, "TLS setup failed: \(detail)")
    }

    /// The TLS handshake did not complete: the peer closed, answered with an alert, or did not speak TLS.
    public static func tlsHandshake(_ detail: String) -> SocketError {
        SocketError(.tlsHandshake, "TLS handshake failed: \(detail)")
    }

    /// The socket was already closed.
    public static var closed: SocketError { SocketError(.closed, "the socket is closed") }

    /// Whether this is a TLS handshake failure (as opposed to a local problem).
    public var isHandshakeFailure: Bool { code == .tlsHandshake }

    public var description: String { message }
}
