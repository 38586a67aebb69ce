import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A plain RFC 862 UDP echo peer for tests: every datagram comes back unchanged, nothing added. Stands for any
/// echo peer we did not write. Binds an ephemeral port on `host` (`127.0.0.1` or `::1`).
public final class UDPEchoPeer: @unchecked Sendable {
    public let host: String
    public let port: Int
    private let fd: Int32
    private let loop = StoppableLoop()

    public init(host: String = "127.0.0.1") throws {
        let (fd, port) = try UDPTestSocket.bind(host: host)
        self.fd = fd
        self.port = port
        self.host = host
        loop.start { [fd] loop in
            var buffer = [UInt8](repeating: 0, count: 65_536)
            var peer = sockaddr_storage()
            while !loop.isStopped {
                guard UDPTestSocket.readable(fd, timeoutMs: 50) else { continue }
                var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
                let count = withUnsafeMutablePointer(to: &peer) { pointer in
                    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        recvfrom(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT), $0, &length)
                    }
                }
                guard count > 0 else { continue }
                _ = withUnsafePointer(to: &peer) { pointer in
                    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, buffer, count, 0, $0, length) }
                }
            }
        }
    }

    /// Stops the peer and closes its socket.
    public func stop() {
        if loop.stop() { close(fd) }
    }

    deinit { stop() }
}
