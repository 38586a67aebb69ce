import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What happened to a datagram exchange.
public enum DatagramOutcome: Sendable, Equatable {
    /// A datagram came back.
    case received([UInt8])
    /// Nothing came back in time.
    case timedOut
    /// ICMP port unreachable came back: nothing listens on the port.
    case refused
    /// The datagram is larger than the path allows with don't-fragment set (local MTU or ICMP "fragmentation
    /// needed").
    case tooBig
    /// ICMP host or network unreachable, or no route.
    case unreachable
    /// Another local failure, with the system's words.
    case failed(String)

    init(errno code: Int32) {
        switch code {
        case ECONNREFUSED: self = .refused
        case EMSGSIZE: self = .tooBig
        case EHOSTUNREACH, ENETUNREACH, EADDRNOTAVAIL: self = .unreachable
        case EAGAIN, ETIMEDOUT: self = .timedOut
        default: self = .failed(String(cString: strerror(code)))
        }
    }
}

/// A connected UDP socket for probes: the voice-like echo stream, IKE, OpenVPN, STUN, path MTU. Connected so ICMP
/// errors (port unreachable, fragmentation needed) surface as outcomes. Blocking calls: use from
/// `BlockingThread.run`.
public final class UDPSocket: Sendable {
    private let descriptor: Mutex<Int32>
    /// Where datagrams go.
    public let remote: IPEndpoint

    /// Opens a socket connected to `remote`. `dontFragment` sets DF on every datagram and ignores the kernel's
    /// cached path MTU (IP_PMTUDISC_PROBE), so probes of any size up to the interface MTU go out as they are.
    public init(remote: IPEndpoint, interface: String? = nil, dontFragment: Bool = false, localPort: Int = 0) throws {
        let fd = socket(remote.family, SocketSupport.datagramType, 0)
        guard fd >= 0 else { throw SocketError.systemCall("socket", errno: errno) }
        do {
            if let interface { try SocketSupport.bind(fd, toInterface: interface) }
            if dontFragment { try Self.setDontFragment(fd, ipv6: remote.isIPv6) }
            let status = remote.withSockAddr { Glibc.connect(fd, $0, $1) }
            if status != 0 { throw SocketError.systemCall("connect(\(remote))", errno: errno) }
        } catch {
            _ = Glibc.close(fd)
            throw error
        }
        descriptor = Mutex(fd)
        self.remote = remote
    }

    private static func setDontFragment(_ fd: Int32, ipv6: Bool) throws {
        #if os(Linux)
            var mode: Int32 = 3  // IP_PMTUDISC_PROBE / IPV6_PMTUDISC_PROBE
            let level = ipv6 ? Int32(IPPROTO_IPV6) : Int32(IPPROTO_IP)
            let option: Int32 = ipv6 ? 23 : 10  // IPV6_MTU_DISCOVER / IP_MTU_DISCOVER
            if setsockopt(fd, level, option, &mode, socklen_t(MemoryLayout<Int32>.size)) != 0 {
                throw SocketError.systemCall("setsockopt(MTU_DISCOVER)", errno: errno)
            }
        #endif
    }

    var fd: Int32 { descriptor.withLock { $0 } }

    /// The local address and port the kernel chose (the source the peer sees before any NAT).
    public var localEndpoint: IPEndpoint? { SocketSupport.localEndpoint(fd) }

    /// The path MTU the kernel knows toward the peer (the route or interface MTU when nothing smaller was learnt).
    public var kernelPathMTU: Int? {
        #if os(Linux)
            var value: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            let level = remote.isIPv6 ? Int32(IPPROTO_IPV6) : Int32(IPPROTO_IP)
            let option: Int32 = remote.isIPv6 ? 24 : 14  // IPV6_MTU / IP_MTU
            guard getsockopt(fd, level, option, &value, &length) == 0, value > 0 else { return nil }
            return Int(value)
        #else
            return nil
        #endif
    }

    /// Sends one datagram; returns nil when it left, or the outcome that stopped it.
    public func send(_ bytes: [UInt8]) -> DatagramOutcome? {
        let fd = fd
        guard fd >= 0 else { return .failed(SocketError.closed.message) }
        let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) }
        return sent < 0 ? DatagramOutcome(errno: errno) : nil
    }

    /// Waits up to `timeout` seconds for one datagram. Pending ICMP errors are reported as outcomes.
    public func receive(timeout: Double, maxBytes: Int = 65_535) -> DatagramOutcome {
        let fd = fd
        guard fd >= 0 else { return .failed(SocketError.closed.message) }
        let stopwatch = Stopwatch()
        while true {
            let remaining = Int((timeout * 1000 - stopwatch.elapsedMs).rounded(.up))
            if remaining <= 0 { return .timedOut }
            let revents = SocketSupport.wait(fd, events: Int16(POLLIN), timeoutMs: remaining)
            if revents == 0 { return .timedOut }
            if revents < 0 { return .failed(String(cString: strerror(errno))) }
            var buffer = [UInt8](repeating: 0, count: maxBytes)
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if count >= 0 { return .received(Array(buffer.prefix(count))) }
            let code = errno
            if code == EAGAIN || code == EINTR { continue }
            return DatagramOutcome(errno: code)
        }
    }

    /// Sends `bytes` and waits for an answer accepted by `accept`, resending up to `attempts` times with
    /// `timeout` seconds each. Answers `accept` rejects (stray datagrams) are skipped.
    public func exchange(
        _ bytes: [UInt8], timeout: Double, attempts: Int = 1, accept: ([UInt8]) -> Bool = { _ in true }
    ) -> DatagramOutcome {
        var last = DatagramOutcome.timedOut
        for _ in 0..<max(1, attempts) {
            if let failure = send(bytes) {
                if failure == .tooBig || failure == .refused || failure == .unreachable { return failure }
                last = failure
                continue
            }
            let stopwatch = Stopwatch()
            while true {
                let remaining = timeout - stopwatch.elapsedMs / 1000
                if remaining <= 0 { break }
                let outcome = receive(timeout: remaining)
                if case .received(let data) = outcome {
                    if accept(data) { return outcome }
                    continue
                }
                last = outcome
                if outcome == .refused || outcome == .tooBig || outcome == .unreachable { return outcome }
                break
            }
        }
        return last
    }

    /// Closes the socket (safe to call twice).
    public func close() {
        descriptor.withLock { fd in
            if fd >= 0 { _ = Glibc.close(fd) }
            fd = -1
        }
    }

    deinit { close() }
}
