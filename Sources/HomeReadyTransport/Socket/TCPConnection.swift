import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How a connection attempt ended.
public enum ConnectOutcome: Sendable, Equatable {
    /// The handshake completed.
    case connected
    /// The peer (or a firewall on its behalf) answered with a reset or ICMP port unreachable.
    case refused
    /// Nothing came back within the timeout: a firewall drops the packets.
    case timedOut
    /// No route: ICMP host or network unreachable, or no local route to the address.
    case unreachable
    /// Any other local failure, with the system's words.
    case failed(String)

    init(errno code: Int32) {
        switch code {
        case ECONNREFUSED: self = .refused
        case ETIMEDOUT: self = .timedOut
        case EHOSTUNREACH, ENETUNREACH, EADDRNOTAVAIL: self = .unreachable
        default: self = .failed(String(cString: strerror(code)))
        }
    }
}

/// The result of `TCPConnection.connect`: the outcome, how long it took, and the open connection when connected.
public struct TCPConnectResult: Sendable {
    public var outcome: ConnectOutcome
    public var elapsedMs: Double
    public var connection: TCPConnection?
}

/// An open TCP connection that owns its file descriptor; call `close()` when done.
public final class TCPConnection: Sendable {
    private let descriptor: Mutex<Int32>
    /// Where the connection goes.
    public let remote: IPEndpoint

    init(fd: Int32, remote: IPEndpoint) {
        descriptor = Mutex(fd)
        self.remote = remote
    }

    /// The file descriptor, or -1 once closed. Only this module uses it.
    var fd: Int32 { descriptor.withLock { $0 } }

    /// Closes the connection (safe to call twice).
    public func close() {
        descriptor.withLock { fd in
            if fd >= 0 { _ = Glibc.close(fd) }
            fd = -1
        }
    }

    deinit { close() }

    /// Connects to `endpoint` within `timeout` seconds, optionally bound to `interface`. Never throws: a refused,
    /// silent or unroutable peer is an outcome.
    public static func connect(to endpoint: IPEndpoint, timeout: Double, interface: String? = nil) async
        -> TCPConnectResult
    {
        await BlockingThread.run { connectBlocking(to: endpoint, timeout: timeout, interface: interface) }
    }

    static func connectBlocking(to endpoint: IPEndpoint, timeout: Double, interface: String?) -> TCPConnectResult {
        let fd = socket(endpoint.family, SocketSupport.streamType, 0)
        guard fd >= 0 else {
            return TCPConnectResult(outcome: ConnectOutcome(errno: errno), elapsedMs: 0, connection: nil)
        }
        if let interface {
            do { try SocketSupport.bind(fd, toInterface: interface) } catch {
                _ = Glibc.close(fd)
                return TCPConnectResult(outcome: .failed("\(error)"), elapsedMs: 0, connection: nil)
            }
        }
        SocketSupport.setNonBlocking(fd, true)
        let stopwatch = Stopwatch()
        let status = endpoint.withSockAddr { Glibc.connect(fd, $0, $1) }
        var outcome = ConnectOutcome.connected
        if status != 0 {
            if errno != EINPROGRESS {
                outcome = ConnectOutcome(errno: errno)
            } else {
                let revents = SocketSupport.wait(fd, events: Int16(POLLOUT), timeoutMs: Int(timeout * 1000))
                if revents == 0 {
                    outcome = .timedOut
                } else {
                    var error: Int32 = 0
                    var length = socklen_t(MemoryLayout<Int32>.size)
                    getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
                    outcome = error == 0 ? .connected : ConnectOutcome(errno: error)
                }
            }
        }
        let elapsed = stopwatch.elapsedMs
        guard outcome == .connected else {
            _ = Glibc.close(fd)
            return TCPConnectResult(outcome: outcome, elapsedMs: elapsed, connection: nil)
        }
        SocketSupport.setNonBlocking(fd, false)
        return TCPConnectResult(
            outcome: .connected, elapsedMs: elapsed, connection: TCPConnection(fd: fd, remote: endpoint))
    }
}
