import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A datagram and where it came from.
public struct ReceivedDatagram: Sendable, Equatable {
    public var bytes: [UInt8]
    /// The sender's address and port.
    public var from: IPEndpoint
}

/// An unconnected UDP socket: one local port that talks to several peers, e.g. STUN binding requests to two
/// servers from the same port to learn the NAT's mapping behaviour (RFC 4787), or a small test server. ICMP errors
/// are not reported (the socket is not connected). Blocking calls: use from `BlockingThread.run`.
public final class DatagramSocket: Sendable {
    private let descriptor: Mutex<Int32>

    /// Opens a socket for IPv4 (or IPv6) bound to `localAddress` (any when nil) and `localPort` (0: the kernel
    /// chooses), optionally bound to `interface`.
    public init(ipv6: Bool = false, localAddress: String? = nil, localPort: Int = 0, interface: String? = nil) throws {
        let fd = socket(ipv6 ? AF_INET6 : AF_INET, SocketSupport.datagramType, 0)
        guard fd >= 0 else { throw SocketError.systemCall("socket", errno: errno) }
        do {
            if let interface { try SocketSupport.bind(fd, toInterface: interface) }
            let any = ipv6 ? "::" : "0.0.0.0"
            guard let local = IPEndpoint(address: localAddress ?? any, port: localPort) else {
                throw SocketError.invalidAddress(localAddress ?? any)
            }
            let status = local.withSockAddr { Glibc.bind(fd, $0, $1) }
            if status != 0 { throw SocketError.systemCall("bind(\(local))", errno: errno) }
        } catch {
            _ = Glibc.close(fd)
            throw error
        }
        descriptor = Mutex(fd)
    }

    var fd: Int32 { descriptor.withLock { $0 } }

    /// The local address and port the socket is bound to (the address is the wildcard unless one was given).
    public var localEndpoint: IPEndpoint? { SocketSupport.localEndpoint(fd) }

    /// Sends one datagram to `remote`; returns nil when it left, or the outcome that stopped it.
    public func send(_ bytes: [UInt8], to remote: IPEndpoint) -> DatagramOutcome? {
        let fd = fd
        guard fd >= 0 else { return .failed(SocketError.closed.message) }
        let sent = bytes.withUnsafeBytes { buffer in
            remote.withSockAddr { address, length in sendto(fd, buffer.baseAddress, buffer.count, 0, address, length) }
        }
        return sent < 0 ? DatagramOutcome(errno: errno) : nil
    }

    /// Waits up to `timeout` seconds for one datagram from anyone.
    public func receive(timeout: Double, maxBytes: Int = 65_535) -> Result<ReceivedDatagram, DatagramOutcomeError> {
        let fd = fd
        guard fd >= 0 else { return .failure(DatagramOutcomeError(outcome: .failed(SocketError.closed.message))) }
        let stopwatch = Stopwatch()
        while true {
            let remaining = Int((timeout * 1000 - stopwatch.elapsedMs).rounded(.up))
            if remaining <= 0 { return .failure(DatagramOutcomeError(outcome: .timedOut)) }
            let revents = SocketSupport.wait(fd, events: Int16(POLLIN), timeoutMs: remaining)
            if revents == 0 { return .failure(DatagramOutcomeError(outcome: .timedOut)) }
            if revents < 0 { return .failure(DatagramOutcomeError(outcome: .failed(String(cString: strerror(errno))))) }
            var buffer = [UInt8](repeating: 0, count: maxBytes)
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let count = buffer.withUnsafeMutableBytes { bytes in
                withUnsafeMutablePointer(to: &storage) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        recvfrom(fd, bytes.baseAddress, bytes.count, Int32(MSG_DONTWAIT), $0, &length)
                    }
                }
            }
            if count >= 0 {
                let sender = withUnsafePointer(to: &storage) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { IPEndpoint.from($0) }
                }
                guard let sender else { continue }
                return .success(ReceivedDatagram(bytes: Array(buffer.prefix(count)), from: sender))
            }
            let code = errno
            if code == EAGAIN || code == EINTR { continue }
            return .failure(DatagramOutcomeError(outcome: DatagramOutcome(errno: code)))
        }
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

/// A datagram receive that gave no datagram: why.
public struct DatagramOutcomeError: Error, Sendable, Equatable {
    public var outcome: DatagramOutcome
}
