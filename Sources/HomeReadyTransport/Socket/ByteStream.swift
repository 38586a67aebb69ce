#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What one read from a byte stream gave.
public enum StreamRead: Sendable, Equatable {
    /// Some bytes arrived (never empty).
    case bytes([UInt8])
    /// Nothing arrived within the time allowed.
    case timedOut
    /// The peer closed the stream (or reset it).
    case closed
}

/// A connected byte stream (plain TCP or TLS over TCP) with bounded blocking reads and writes, for protocols
/// that frame their own messages (TURN over TCP and TLS, SIP over TCP). Blocking calls: use from
/// `BlockingThread.run`, one thread at a time per stream.
public protocol ByteStream: Sendable {
    /// Writes every byte of `bytes`, waiting at most `timeout` seconds for the socket to take them.
    func writeAll(_ bytes: [UInt8], timeout: Double) throws(SocketError)
    /// Reads what is available, up to `maxBytes`, waiting at most `timeout` seconds for the first byte.
    func read(maxBytes: Int, timeout: Double) throws(SocketError) -> StreamRead
    /// Closes the stream (safe to call twice).
    func close()
}

extension TCPConnection: ByteStream {
    public func writeAll(_ bytes: [UInt8], timeout: Double) throws(SocketError) {
        let fd = fd
        guard fd >= 0 else { throw SocketError.closed }
        let stopwatch = Stopwatch()
        var offset = 0
        while offset < bytes.count {
            let remaining = Int((timeout * 1000 - stopwatch.elapsedMs).rounded(.up))
            guard remaining > 0, SocketSupport.wait(fd, events: Int16(POLLOUT), timeoutMs: remaining) > 0 else {
                throw SocketError.systemCall("send (nothing taken within \(timeout) s)", errno: ETIMEDOUT)
            }
            let sent = bytes[offset...].withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL))
            }
            if sent < 0 {
                let code = errno
                if code == EAGAIN || code == EINTR { continue }
                throw SocketError.systemCall("send", errno: code)
            }
            offset += sent
        }
    }

    public func read(maxBytes: Int = 65_536, timeout: Double) throws(SocketError) -> StreamRead {
        let fd = fd
        guard fd >= 0 else { throw SocketError.closed }
        let stopwatch = Stopwatch()
        while true {
            let remaining = Int((timeout * 1000 - stopwatch.elapsedMs).rounded(.up))
            if remaining <= 0 { return .timedOut }
            let revents = SocketSupport.wait(fd, events: Int16(POLLIN), timeoutMs: remaining)
            if revents == 0 { return .timedOut }
            if revents < 0 { throw SocketError.systemCall("poll", errno: errno) }
            var buffer = [UInt8](repeating: 0, count: max(1, maxBytes))
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if count > 0 { return .bytes(Array(buffer.prefix(count))) }
            if count == 0 { return .closed }
            let code = errno
            if code == EAGAIN || code == EINTR { continue }
            if code == ECONNRESET || code == EPIPE { return .closed }
            throw SocketError.systemCall("recv", errno: code)
        }
    }
}
